import { readFileSync, statSync } from 'node:fs';
import { countYamlNodes, InexactNumberError, parseKubernetesYaml } from '../artifacts/yaml.js';
import type { Result } from '../schema/issue.js';

// The API server refuses objects over 1.5 MiB; anything larger did not come from Kubernetes.
const MAX_INPUT_BYTES = 1.5 * 1024 * 1024;
// Within 1.5 MiB, `[1,1,1,...]` holds 780,000 items, and the YAML parser's tree alone would take
// 550 MiB of the container's 1 GiB. Counting the nodes first is cheap (no tree is built).
export const MAX_REQUEST_NODES = 100_000;

/**
 * Reads the request Kratix wrote: at most {@link MAX_INPUT_BYTES} and {@link MAX_REQUEST_NODES},
 * UTF-8, one YAML document. Every refusal is an issue at `(root)`, or at the field that holds an
 * integer a double cannot hold exactly.
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
  let text: string;
  try {
    // fatal: readFileSync(file, 'utf8') would turn bad bytes into U+FFFD and go on with other text.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = invalidUtf8Offset(bytes);
    const shown = [...bytes.subarray(at, at + 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    return refuse(`object.yaml is not valid UTF-8: the bytes at offset ${at} (${shown}) are not a character; Kubernetes and Kratix only ever write UTF-8`);
  }
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
    if (e instanceof InexactNumberError) return { ok: false, issues: [{ path: e.path, message: e.reason }] };
    return refuse(`object.yaml is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
}

function refuse(message: string): Result<unknown> {
  return { ok: false, issues: [{ path: '(root)', message }] };
}

/**
 * Where the first ill-formed UTF-8 sequence starts (Unicode's Table 3-7, as TextDecoder reads
 * it: no overlong forms, no surrogates, nothing past U+10FFFF), or -1 if there is none.
 */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    // How many continuation bytes follow, and the range the first one must be in.
    let count: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) count = 1;
    else if (lead >= 0xe0 && lead <= 0xef) {
      count = 2;
      if (lead === 0xe0) low = 0xa0;
      if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      count = 3;
      if (lead === 0xf0) low = 0x90;
      if (lead === 0xf4) high = 0x8f;
    } else return i;
    for (let j = 1; j <= count; j++) {
      const next = bytes[i + j];
      if (next === undefined || next < (j === 1 ? low : 0x80) || next > (j === 1 ? high : 0xbf)) return i;
    }
    i += count + 1;
  }
  return -1;
}
