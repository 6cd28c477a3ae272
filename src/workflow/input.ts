import { readFileSync, statSync } from 'node:fs';
import { countYamlNodes, parseKubernetesYaml } from '../artifacts/yaml.js';
import type { Result } from '../schema/issue.js';

// The API server refuses objects over 1.5 MiB; anything larger did not come from Kubernetes.
const MAX_INPUT_BYTES = 1.5 * 1024 * 1024;
// Within 1.5 MiB, `[1,1,1,...]` holds 780,000 items, and the YAML parser's tree alone would take
// 550 MiB of the container's 1 GiB. Counting the nodes first is cheap (no tree is built).
export const MAX_REQUEST_NODES = 100_000;

/**
 * Reads the request Kratix wrote: at most {@link MAX_INPUT_BYTES} and {@link MAX_REQUEST_NODES},
 * one YAML document. Every refusal is an issue at `(root)`.
 */
export function readRequestFile(file: string): Result<unknown> {
  let bytes: Buffer;
  try {
    // Refused before it is read: a larger file did not come from Kubernetes and may be any size.
    const size = statSync(file).size;
    if (size > MAX_INPUT_BYTES) return refuse(`object.yaml is ${size} bytes; Kubernetes objects are at most ${MAX_INPUT_BYTES}`);
    bytes = readFileSync(file);
  } catch (e) {
    return refuse(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const text = bytes.toString('utf8');
  if (countYamlNodes(text, MAX_REQUEST_NODES) > MAX_REQUEST_NODES) {
    return {
      ok: false,
      issues: [
        {
          path: '(root)',
          message: `object.yaml holds more than ${MAX_REQUEST_NODES} YAML nodes (keys, values and list items); the workflow reads at most ${MAX_REQUEST_NODES}, to answer within its memory`,
          fix: 'send a smaller request; the Promise can bound its lists and maps (maxItems, maxProperties) so that Kubernetes refuses such requests itself',
        },
      ],
    };
  }
  try {
    return { ok: true, value: parseKubernetesYaml(text) };
  } catch (e) {
    return refuse(`object.yaml is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
}

function refuse(message: string): Result<unknown> {
  return { ok: false, issues: [{ path: '(root)', message }] };
}
