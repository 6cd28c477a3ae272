// terraform validate for many stacks at once, against the provider plugins of a filesystem
// mirror: for the generic suite (kratix-cdktf/vitest).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TerraformJson } from '../terraform/stack.js';

/** What `terraform validate` said of one stack. */
export interface Verdict {
  /** Why the stack could not be validated here. */
  readonly skip?: string;
  /** Terraform's error diagnostics for this stack, `summary: detail`. */
  readonly errors: readonly string[];
  /** For each resource type the stack uses, whether its provider schema has a `tags` argument. */
  readonly takesTags?: ReadonlyMap<string, boolean>;
}

// Validates the stacks in one working directory, one module each (`./<name>`), and sorts the
// diagnostics back to their stack by file name. A stack's variables (secrets) get empty values.
export function validateStacks(stacks: ReadonlyMap<string, TerraformJson>, mirror: string): Map<string, Verdict> {
  const verdicts = new Map<string, Verdict>();
  const dir = mkdtempSync(join(tmpdir(), 'kratix-cdktf-validate-'));
  try {
    const modules: Record<string, Record<string, unknown>> = {};
    for (const [name, json] of stacks) {
      const pinned = pinToMirror(json, mirror);
      if (typeof pinned === 'string') {
        verdicts.set(name, { skip: pinned, errors: [] });
        continue;
      }
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'main.tf.json'), JSON.stringify(pinned));
      const variables = Object.keys((json.variable ?? {}) as Record<string, unknown>);
      modules[name] = { source: `./${name}`, ...Object.fromEntries(variables.map((v) => [v, ''])) };
    }
    if (Object.keys(modules).length === 0) return verdicts;
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ module: modules }));
    const env = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: '/dev/null' };
    const init = spawnSync('terraform', ['init', '-input=false', '-no-color', '-backend=false', `-plugin-dir=${mirror}`], { cwd: dir, env, encoding: 'utf8' });
    const validate = init.status === 0 ? spawnSync('terraform', ['validate', '-no-color', '-json'], { cwd: dir, env, encoding: 'utf8' }) : undefined;
    const diagnostics = validate
      ? (JSON.parse(validate.stdout) as { diagnostics: { severity: string; summary: string; detail?: string; range?: { filename: string } }[] }).diagnostics
      : [{ severity: 'error', summary: 'terraform init failed', detail: init.stderr }];
    const schemas = init.status === 0 ? resourceSchemas(dir, env) : new Map<string, boolean>();
    for (const name of Object.keys(modules)) {
      const mine = diagnostics.filter((d) => d.severity === 'error' && (!d.range || d.range.filename.startsWith(`${name}/`)));
      const types = Object.keys((stacks.get(name)!.resource ?? {}) as Record<string, unknown>);
      const takesTags = new Map(types.filter((t) => schemas.has(t)).map((t) => [t, schemas.get(t)!]));
      verdicts.set(name, { errors: mine.map((d) => `${d.summary}: ${d.detail ?? ''}`), takesTags });
    }
    return verdicts;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Every resource type of the initialized providers, and whether its schema has a `tags` argument
// (not the computed `tags_all`). The AWS schema is tens of megabytes of JSON.
function resourceSchemas(dir: string, env: NodeJS.ProcessEnv): Map<string, boolean> {
  const shown = spawnSync('terraform', ['providers', 'schema', '-json'], { cwd: dir, env, encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
  if (shown.status !== 0) return new Map();
  type Schemas = {
    provider_schemas?: Record<
      string,
      { resource_schemas?: Record<string, { block?: { attributes?: Record<string, { computed?: boolean; optional?: boolean }> } }> }
    >;
  };
  const types = new Map<string, boolean>();
  for (const provider of Object.values((JSON.parse(shown.stdout) as Schemas).provider_schemas ?? {}))
    for (const [type, schema] of Object.entries(provider.resource_schemas ?? {})) {
      const tags = schema.block?.attributes?.tags;
      types.set(type, tags !== undefined && tags.optional === true);
    }
  return types;
}

// The stack with each provider's version set to the one in the mirror (validation needs the
// schema, not the exact release), or why it cannot be validated here.
export function pinToMirror(json: TerraformJson, mirror: string): TerraformJson | string {
  // A module from a registry or git needs `terraform init` to download it, which a mirror cannot give.
  const remote = Object.values((json.module ?? {}) as Record<string, { source?: string }>).find((m) => !/^\.\.?\//.test(m.source ?? './'));
  if (remote) return `the stack calls the module ${remote.source}, which terraform init downloads; validate it where its registry is reachable`;
  const terraform = (json.terraform ?? {}) as { required_providers?: Record<string, { source?: string; version?: string }> };
  const required = terraform.required_providers ?? {};
  const pinned: Record<string, { source: string; version: string }> = {};
  for (const [local, { source = local }] of Object.entries(required)) {
    const parts = source.split('/');
    const [host, namespace, type] =
      parts.length === 3 ? parts : parts.length === 2 ? ['registry.terraform.io', ...parts] : ['registry.terraform.io', 'hashicorp', source];
    const dir = join(mirror, host!, namespace!, type!);
    const versions = existsSync(dir) ? readdirSync(dir).sort((a, b) => a.localeCompare(b, 'en', { numeric: true })) : []; // 5.100.0 after 5.9.0
    if (versions.length === 0) return `no ${host}/${namespace}/${type} provider plugin in the mirror ${mirror}; terraform validate needs it`;
    pinned[local] = { source: `${host}/${namespace}/${type}`, version: versions[versions.length - 1]! };
  }
  return { ...json, terraform: { ...terraform, required_providers: pinned } };
}
