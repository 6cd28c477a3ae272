import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseKubernetesYaml, toYaml } from '../artifacts/yaml.js';
import { apiNames } from '../kratix/crd.js';
import { runWorkflow, type WorkflowLog } from '../workflow/run.js';
import { mergeStatus } from '../workflow/status.js';
import { loadPromise, type ProjectConfig } from './project.js';

/** Options for {@link render}. */
export interface RenderOptions {
  readonly promise: string;
  readonly requestFile: string;
  readonly outDir: string;
  /** @default "configure" */
  readonly action?: 'configure' | 'delete';
}

/**
 * Runs a Promise's resource workflow for one request file locally, through the same code as
 * the container, emulating Kratix around it: a fresh `<out>/input/object.yaml` (read-only),
 * empty `<out>/output` and `<out>/metadata`, the KRATIX_* environment, and the status merge,
 * whose result is written to `<out>/object.yaml`. Returns the workflow's exit code.
 */
export async function render(config: ProjectConfig, options: RenderOptions, log: WorkflowLog): Promise<number> {
  const loaded = await loadPromise(config, options.promise, { example: false });
  const out = resolve(config.root, options.outDir);
  const dirs = { input: join(out, 'input'), output: join(out, 'output'), metadata: join(out, 'metadata') };
  for (const dir of Object.values(dirs)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
  const inputFile = join(dirs.input, 'object.yaml');
  copyFileSync(resolve(config.root, options.requestFile), inputFile);
  chmodSync(inputFile, 0o444);
  const object = tryParse(readFileSync(inputFile, 'utf8'));
  const names = apiNames(loaded.definition.api);
  const metadata = (object as { metadata?: { name?: string; namespace?: string } } | undefined)?.metadata;
  const env = {
    // The caller's environment first (PATH for terraform, backend and cloud credentials), as a
    // Pipeline's env and envFrom would provide them; then what Kratix sets.
    ...process.env,
    KRATIX_WORKFLOW_ACTION: options.action ?? 'configure',
    KRATIX_WORKFLOW_TYPE: 'resource',
    KRATIX_PROMISE_NAME: loaded.name,
    KRATIX_PIPELINE_NAME: 'terraform',
    KRATIX_OBJECT_KIND: names.kind,
    KRATIX_OBJECT_GROUP: names.group,
    KRATIX_OBJECT_VERSION: names.version,
    KRATIX_OBJECT_NAME: String(metadata?.name ?? ''),
    KRATIX_OBJECT_NAMESPACE: String(metadata?.namespace ?? 'default'),
    KRATIX_CRD_PLURAL: names.plural,
    KRATIX_CLUSTER_SCOPED: 'false',
    KRATIX_CDKTF_INPUT_DIR: dirs.input,
    KRATIX_CDKTF_OUTPUT_DIR: dirs.output,
    KRATIX_CDKTF_METADATA_DIR: dirs.metadata,
  };
  const code = await runWorkflow(loaded.definition, env, log);
  const statusFile = join(dirs.metadata, 'status.yaml');
  if (existsSync(statusFile) && object && typeof object === 'object') {
    const written = parseYaml(readFileSync(statusFile, 'utf8')) as Record<string, unknown>;
    const previous = (object as { status?: Record<string, unknown> }).status;
    writeFileSync(join(out, 'object.yaml'), toYaml({ ...(object as object), status: mergeStatus(previous, written) }));
  }
  return code;
}

function tryParse(text: string): unknown {
  try {
    return parseKubernetesYaml(text);
  } catch {
    return undefined;
  }
}
