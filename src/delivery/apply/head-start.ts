// `terraform init` started before the request is read. Init reads only the backend, the required
// providers and the modules, which rarely depend on the request: the workflow's warm-up (while the
// image's startup snapshot is built) records the Promise's example stack, and each run inits that
// stack in its working folder while Node reads, validates and synthesizes the request. When the
// request's stack needs something else, the early init is thrown away and init runs again.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PromiseDefinition } from '../../promise/define-promise.js';
import type { DeliveryBegin, HeadStart } from '../delivery.js';
import { redactor, terraform, type TerraformRun } from './terraform-cli.js';

/** The early init and the folder it runs in, where the run goes on when its stack fits. */
export interface InitHeadStart extends HeadStart {
  readonly dir: string;
  /** {@link initInputs} of the stack it inits. */
  readonly inputs: string;
  readonly init: Promise<TerraformRun>;
}

/** The example stack of each Promise, as its warm-up wrote main.tf.json. */
const examples = new WeakMap<PromiseDefinition, string>();

export function recordExample(def: PromiseDefinition, mainTfJson: string): void {
  examples.set(def, mainTfJson);
}

/** A fresh working folder for one run: the container starts empty anyway, and a local run must not reuse another's. */
export function workFolder(env: Readonly<Record<string, string | undefined>>, name: string): string {
  const base = env.KRATIX_CDKTF_WORK_DIR ?? tmpdir();
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, `kratix-cdktf-${name}-`));
}

/** Starts init on the Promise's example stack; none without a warm-up or when `skip` says why not. */
export function startInit(run: DeliveryBegin, dataDir: string): InitHeadStart | undefined {
  const example = examples.get(run.def);
  if (example === undefined) return undefined;
  const dir = workFolder(run.env, run.def.name);
  writeFileSync(join(dir, 'main.tf.json'), example);
  const init = terraform(
    {
      cwd: dir,
      env: { ...run.env, TF_DATA_DIR: join(dir, dataDir), TF_WORKSPACE: undefined },
      // Init sees no secret values: they are read after this.
      redact: redactor(run.env, []),
      log: run.log,
      ...(run.signal ? { signal: run.signal } : {}),
    },
    ['init', '-input=false', '-no-color'],
  );
  return {
    dir,
    inputs: initInputs(JSON.parse(example) as Record<string, unknown>),
    init,
    async dispose() {
      await init.catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * What `terraform init` reads from a configuration: the terraform block (backend, required
 * providers and version), each module's source and version, and the providers that resources,
 * data sources and provider blocks name. Two stacks with the same inputs init alike.
 */
export function initInputs(main: Record<string, unknown>): string {
  const section = (name: string) => (main[name] as Record<string, unknown> | undefined) ?? {};
  const providers = new Set(Object.keys(section('provider')));
  for (const name of ['resource', 'data', 'ephemeral']) for (const type of Object.keys(section(name))) providers.add(type.split('_')[0]!);
  const modules = Object.entries(section('module'))
    .map(([name, m]) => [name, (m as { source?: unknown }).source, (m as { version?: unknown }).version])
    .sort(([a], [b]) => String(a).localeCompare(String(b)));
  return JSON.stringify({ terraform: main.terraform, modules, providers: [...providers].sort() });
}
