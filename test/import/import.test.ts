// `kratix-cdktf import`: a module written for the purpose (every case once), then real public
// modules (test/fixtures/modules/README.md), each imported into a temp platform repository with
// the command, synthesized and rendered with the command, and its schema read back. The module
// sources are registry addresses: nothing here downloads them.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { describe, expect, test } from 'vitest';
import { importModule } from '../../src/import/index.js';
import { requestApi } from '../../src/kratix/request.js';
import type { PromiseDefinition } from '../../src/promise/define-promise.js';
import type { StructuralSchema } from '../../src/schema/structural.js';
import { kratixCliVerdict } from '../helpers/kratix-cli-mapping.js';
import { cli, FIXTURES, makeProject, REPO } from '../helpers/project.js';

const MODULES = join(FIXTURES, 'modules');

async function imported(project: string, name: string): Promise<{ def: PromiseDefinition; spec: StructuralSchema }> {
  const mod = (await import(pathToFileURL(join(project, 'promises', name, 'index.ts')).href)) as { default: PromiseDefinition };
  const api = requestApi(mod.default);
  if (!api.ok) throw new Error(JSON.stringify(api.issues));
  return { def: mod.default, spec: api.value.spec };
}

describe('a module with every case once', () => {
  const project = makeProject([]);
  const run = cli(project, 'import', join(MODULES, 'edge'), '--name', 'edge', '--source', 'app.terraform.io/acme/edge/aws', '--version', '~> 1.2');
  const source = () => readFileSync(join(project, 'promises', 'edge', 'index.ts'), 'utf8');

  test('writes the Promise, its example request and its test, and says what became of each variable', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(readdirSync(join(project, 'promises', 'edge')).sort()).toEqual(['edge.test.ts', 'example-request.yaml', 'index.ts']);
    expect(run.stdout).toContain('  name: typed, 1 validation(s) translated');
    expect(run.stdout).toContain('  admin_password: typed, secretRef');
    expect(run.stdout).toContain('  extra: JSON text (any in the module), checked by the json-fields rule, default');
    expect(run.stdout).toContain('  pair: left out: tuple(...) has no structural schema');
    expect(run.stdout).toContain('  even: typed, default, 1 kept as a comment');
  });

  test('the schema keeps nested object types, optional() defaults, element types, descriptions and translated validations', async () => {
    const { spec } = await imported(project, 'edge');
    const p = spec.properties!;
    expect(spec.required).toEqual(['admin_password', 'name']);
    expect(p.name).toMatchObject({ type: 'string', pattern: '^[a-z][a-z0-9-]*$', maxLength: 40, description: 'Name of everything the module creates.' });
    expect(p.tier).toMatchObject({ type: 'string', enum: ['standard', 'premium'], default: 'standard' });
    expect(p.replicas).toMatchObject({ type: 'number', minimum: 1, maximum: 10, exclusiveMaximum: true, default: 2 });
    expect(p.zones).toMatchObject({ type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 3, default: ['a'] });
    expect(p.cidrs).toMatchObject({ type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } });
    expect(p.weights).toMatchObject({ type: 'object', additionalProperties: { type: 'number' } });
    expect(p.settings).toMatchObject({
      type: 'object',
      description: 'Feature settings.',
      required: ['labels'],
      properties: {
        enabled: { type: 'boolean', default: true },
        retention_days: { type: 'number', default: 7 },
        rules: { type: 'array', default: [], items: { type: 'object', required: ['id'], properties: { id: { type: 'string' }, days: { type: 'number' } } } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      },
    });
    expect(p['log-level']).toMatchObject({ type: 'string', enum: ['debug', 'info'] });
    // A sensitive string is a reference to a Secret, never a value in the request.
    expect(p.admin_password).toMatchObject({ type: 'object', required: ['name', 'key'], description: 'Admin password.' });
    // `any` is JSON text, which a rule checks and Terraform decodes for the module.
    expect(p.extra).toMatchObject({ type: 'string', default: '{}' });
    expect(Object.keys(p)).not.toContain('pair');
  });

  test('the README’s figures for it are what the import keeps', async () => {
    const r = await importModule(join(MODULES, 'edge'), { name: 'edge', source: 'x' });
    const figures = [
      r.variables.length,
      r.variables.filter((v) => v.imported === true).length,
      r.variables.filter((v) => v.enum).length,
      r.variables.reduce((n, v) => n + v.validations.translated, 0),
      r.variables.reduce((n, v) => n + v.validations.translated + v.validations.kept, 0),
    ];
    expect(figures).toEqual([13, 12, 2, 5, 6]);
    expect(readFileSync(join(REPO, 'README.md'), 'utf8')).toContain('11 of\nits 13 variables are fully typed');
  });

  test('what does not map is kept as a comment, as written', () => {
    expect(source()).toContain('// even: validation kept by the module, not translated: var.even % 2 == 0 (Must be even.)');
    expect(source()).toContain('// tokens: sensitive in the module, but not a string');
    expect(source()).toContain('// pair: not imported: tuple(...) has no structural schema');
  });

  test('synth takes it as it is, and its stack calls the module with every field and its outputs', () => {
    const synth = cli(project, 'synth');
    expect(synth.stderr).toBe('');
    expect(synth.status).toBe(0);
    const out = join(project, 'rendered');
    const render = cli(project, 'render', 'edge', join(project, 'promises', 'edge', 'example-request.yaml'), '--out', out);
    expect(render.status, render.stderr).toBe(0);
    const stack = renderedStack(out);
    expect(stack.module.module).toMatchObject({
      source: 'app.terraform.io/acme/edge/aws',
      version: '~> 1.2',
      name: 'example',
      tier: 'standard',
      replicas: 2,
      zones: ['a'],
      admin_password: expect.stringMatching(/^\$\{var\.secret_[0-9a-f]{12}\}$/),
    });
    expect(stack.module.module.extra).toBe('${jsondecode("{}")}');
    expect(stack.output.id.value).toBe('${module.module.id}');
    expect(stack.output.secret.sensitive).toBe(true);
  });

  test('a field typed any takes JSON text: what does not parse is refused by the rule, naming the field; what does is never evaluated', async () => {
    const { def } = await imported(project, 'edge');
    const rule = def.rules!.find((r) => r.name === 'json-fields')!;
    const check = (extra: string) =>
      rule.check({ request: { metadata: { name: 'x', namespace: 'y' }, spec: { extra }, labels: {} }, namespace: { name: 'y', labels: {} } } as never);
    expect(await check('{"a": [1, 2]}')).toEqual([]);
    expect(await check('{not json')).toEqual([expect.objectContaining({ path: 'spec.extra', message: expect.stringContaining('is not JSON') })]);
    const out = join(project, 'hostile');
    const request = join(project, 'hostile.yaml');
    const example = parseAllDocuments(readFileSync(join(project, 'promises', 'edge', 'example-request.yaml'), 'utf8'))[0]!.toJS();
    writeFileSync(request, JSON.stringify({ ...example, spec: { ...example.spec, extra: '{"k": "${file(\\"/etc/passwd\\")}"}' } }));
    expect(cli(project, 'render', 'edge', request, '--out', out).status).toBe(0);
    // The JSON reaches jsondecode as a literal: its ${...} is escaped, so Terraform never runs it.
    expect(renderedStack(out).module.module.extra).toBe('${jsondecode("{\\"k\\": \\"$${file(\\\\\\"/etc/passwd\\\\\\")}\\"}")}');
  });

  test('its own test passes', () => {
    vitestConfig(project);
    const vitest = spawnSync(join(REPO, 'node_modules', '.bin', 'vitest'), ['run', '--root', project, 'promises/edge'], { cwd: project, encoding: 'utf8' });
    expect(vitest.status, vitest.stdout + vitest.stderr).toBe(0);
  }, 120_000);
});

describe('a module with what is hard to import', () => {
  test('its example passes its own checks, and it synthesizes, renders and passes its own test as it is', async () => {
    const project = makeProject([]);
    const run = cli(project, 'import', join(MODULES, 'awkward'), '--name', 'awkward', '--source', 'example.com/acme/awkward/aws');
    expect(run.status, run.stderr).toBe(0);
    const example = parseAllDocuments(readFileSync(join(project, 'promises', 'awkward', 'example-request.yaml'), 'utf8'))[0]!.toJS().spec;
    expect(example.account_id).toMatch(/^[0-9]{12}$/);
    expect(example.ratio).toBeLessThan(1);
    expect(example.half).toBeGreaterThan(0);
    expect(example.half).toBeLessThanOrEqual(0.5);
    expect(example.subnets).toEqual(['example-0']);
    expect(cli(project, 'synth').status).toBe(0);
    const { spec } = await imported(project, 'awkward');
    const p = spec.properties!;
    // Defaults as Terraform converts them; the secret's default stays with the module.
    expect(p.port!.default).toBe('8080');
    expect(p.settings!.default).toEqual({ b: 2 });
    expect(p.template!.default).toBe('${not_interpolated}');
    expect(p['constructor' as string]!.default).toBe('c');
    expect(spec.required).toEqual(expect.arrayContaining(['account_id', 'ratio', 'half', 'subnets', 'policy']));
    expect(spec.required).not.toContain('token');
    expect(p.subnets).toMatchObject({ minItems: 1 });
    expect(p.subnets).not.toHaveProperty('default');
    const source = readFileSync(join(project, 'promises', 'awkward', 'index.ts'), 'utf8');
    expect(source).toContain('// odd: validation kept by the module, not translated: var.odd % 2 == 1 (Must be odd. Even numbers are refused.)');
    expect(source).toContain("// subnets: the module's default [] fails its own validation: the request must set it");
    const render = cli(project, 'render', 'awkward', join(project, 'promises', 'awkward', 'example-request.yaml'), '--out', join(project, 'out'));
    expect(render.status, render.stderr).toBe(0);
    expect(renderedStack(join(project, 'out')).module.module).not.toHaveProperty('token');
    vitestConfig(project);
    const vitest = spawnSync(join(REPO, 'node_modules', '.bin', 'vitest'), ['run', 'promises/awkward'], { cwd: project, encoding: 'utf8' });
    expect(vitest.status, vitest.stdout + vitest.stderr).toBe(0);
  }, 120_000);

  test('a name that cannot be a kind, and a missing --source, are refused before anything is written', () => {
    const project = makeProject([]);
    expect(cli(project, 'import', join(MODULES, 'sqs'), '--name', '3scale', '--source', 'x/y/z').stderr).toMatch(
      /--name "3scale" must be lower-case letters, digits and "-", starting with a letter/,
    );
    expect(cli(project, 'import', join(MODULES, 'sqs'), '--name', 'queue').stderr).toMatch(/--source is required/);
    expect(readdirSync(join(project, 'promises'))).toEqual([]);
  });
});

// The Terraform configuration a render wrote: tofu-controller's delivery carries it in a Secret.
function renderedStack(dir: string): any {
  for (const entry of readdirSync(join(dir, 'output'), { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    for (const doc of parseAllDocuments(readFileSync(join(dir, 'output', entry.name), 'utf8'))) {
      const object = doc.toJS() as { kind?: string; stringData?: Record<string, string> } | null;
      if (object?.kind === 'Secret' && object.stringData?.['main.tf.json']) return JSON.parse(object.stringData['main.tf.json']);
    }
  }
  throw new Error(`no stack under ${dir}/output`);
}

// A temp project's vitest config: `kratix-cdktf` resolves to this checkout's sources.
function vitestConfig(project: string): void {
  writeFileSync(
    join(project, 'vitest.config.ts'),
    "import { defineConfig } from 'vitest/config';\nconst conditions = ['kratix-cdktf-source', 'node', 'import', 'default'];\nexport default defineConfig({ resolve: { conditions }, ssr: { resolve: { conditions } }, test: { testTimeout: 120000 } });\n",
  );
}

const PUBLIC = [
  ['s3-bucket', 'terraform-aws-modules/s3-bucket/aws', '5.15.4'],
  ['rds', 'terraform-aws-modules/rds/aws', '7.2.0'],
  ['sqs', 'terraform-aws-modules/sqs/aws', '5.2.1'],
  ['null-label', 'cloudposse/label/null', '0.25.0'],
] as const;

describe.each(PUBLIC)('the public module %s', (folder, source, version) => {
  test('imports, synthesizes and renders as it is, keeping its types', async () => {
    const project = makeProject([]);
    const name = `imported-${folder}`;
    const run = cli(project, 'import', join(MODULES, folder), '--name', name, '--source', source, '--version', version);
    expect(run.status, run.stderr).toBe(0);
    const synth = cli(project, 'synth');
    expect(synth.status, synth.stderr).toBe(0);
    const render = cli(project, 'render', name, join(project, 'promises', name, 'example-request.yaml'), '--out', join(project, 'out'));
    expect(render.status, render.stderr).toBe(0);
    expect(renderedStack(join(project, 'out')).module.module.source).toBe(source);
    // Every variable the importer says it typed is in the CRD, with its default.
    const result = await importModule(join(MODULES, folder), { name, source });
    const { spec } = await imported(project, name);
    for (const v of result.variables.filter((x) => x.imported === true)) {
      expect(spec.properties, v.name).toHaveProperty([v.name]);
      if (v.default) expect(spec.properties![v.name]!.default, v.name).toBeDefined();
    }
    expect(result.variables.filter((v) => v.imported === true).length).toBeGreaterThan(10);
  });
});

test('an imported public module passes the generic Promise suite as it is', () => {
  const project = makeProject([]);
  expect(cli(project, 'import', join(MODULES, 'sqs'), '--name', 'queue', '--source', 'terraform-aws-modules/sqs/aws', '--version', '5.2.1').status).toBe(0);
  mkdirSync(join(project, 'test'));
  writeFileSync(join(project, 'test', 'promises.test.ts'), "import { testPromises } from 'kratix-cdktf/vitest';\ntestPromises();\n");
  vitestConfig(project);
  const vitest = spawnSync(join(REPO, 'node_modules', '.bin', 'vitest'), ['run'], { cwd: project, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  expect(vitest.status, vitest.stdout + vitest.stderr).toBe(0);
  // The module's own test and the generic suite, none failed.
  expect(vitest.stdout).toMatch(/Test Files\s+2 passed/);
}, 180_000);

describe('bad input', () => {
  test.each([
    ['no module folder', ['import', '/nonexistent-module', '--name', 'x', '--source', 'x/y/z'], /import: \/nonexistent-module: no such folder/],
    ['no --name', ['import', join(MODULES, 'sqs'), '--source', 'x/y/z'], /--name is required/],
    [
      'a name that is no DNS label',
      ['import', join(MODULES, 'sqs'), '--name', 'My_Queue', '--source', 'x/y/z'],
      /--name "My_Queue" must be lower-case letters/,
    ],
    ['a folder with no .tf files', ['import', join(MODULES), '--name', 'x', '--source', 'x/y/z'], /no \.tf files/],
  ])('%s: a clear error, and nothing written', (_, args, message) => {
    const project = makeProject([]);
    const run = cli(project, ...args);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(join(project, 'promises'))).toEqual([]);
  });

  test('HCL that does not parse is named by file, and nothing is written', () => {
    const project = makeProject([]);
    const dir = join(project, 'broken');
    mkdirSync(dir);
    writeFileSync(join(dir, 'variables.tf'), 'variable "x" {\n  type = string\n');
    const run = cli(project, 'import', dir, '--name', 'broken', '--source', 'x/y/z');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('broken/variables.tf: not valid HCL');
    expect(existsSync(join(project, 'promises', 'broken'))).toBe(false);
  });

  test('an existing Promise folder is never written over', () => {
    const project = makeProject(['echo']);
    const before = readFileSync(join(project, 'promises', 'echo', 'index.ts'), 'utf8');
    const run = cli(project, 'import', join(MODULES, 'sqs'), '--name', 'echo', '--source', 'x/y/z');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('promises/echo exists; nothing was written');
    expect(readFileSync(join(project, 'promises', 'echo', 'index.ts'), 'utf8')).toBe(before);
  });
});

// The README's table, computed: per module, what the import keeps against what the kratix CLI's
// documented mapping keeps of the same variables.
test('the README’s comparison table is what the import and the kratix CLI keep of each module', async () => {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  for (const [folder, source] of PUBLIC) {
    const result = await importModule(join(MODULES, folder), { name: 'x', source });
    const blocks = variableBlocks(join(MODULES, folder, 'variables.tf'));
    const ours = {
      variables: result.variables.length,
      typed: result.variables.filter((v) => v.imported === true && !v.json).length,
      json: result.variables.filter((v) => v.json).length,
      enums: result.variables.filter((v) => v.enum).length,
      defaults: result.variables.filter((v) => v.default && v.imported === true).length,
      validations: result.variables.reduce((n, v) => n + v.validations.translated, 0),
      allValidations: result.variables.reduce((n, v) => n + v.validations.translated + v.validations.kept, 0),
      secrets: result.variables.filter((v) => v.secret).length,
      required: result.variables.filter((v) => v.required && v.imported === true).length,
    };
    const theirs = blocks.map((b) => kratixCliVerdict(b.type, b.default));
    const row = `| \`${source}\` | ${ours.variables} | ${ours.typed} / ${theirs.filter((t) => t.fullType).length} (${theirs.filter((t) => t.kept).length} kept) | ${ours.json} | ${ours.required} / 0 | ${ours.enums} / 0 | ${ours.defaults} / ${theirs.filter((t) => t.default).length} | ${ours.validations} of ${ours.allValidations} / 0 | ${ours.secrets} / 0 |`;
    expect(readme).toContain(row);
  }
});

// Each variable's type expression and default, as Terraform reads them (for the kratix CLI's side).
function variableBlocks(file: string): { type?: string; default?: unknown }[] {
  const script = `import('@cdktf/hcl2json').then(async (h) => { const j = await h.parse('v.tf', require('fs').readFileSync(${JSON.stringify(file)}, 'utf8')); process.stdout.write(JSON.stringify(j.variable)); })`;
  const json = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: REPO, encoding: 'utf8' })) as Record<
    string,
    [{ type?: string; default?: unknown }]
  >;
  return Object.values(json).map(([b]) => ({
    ...(typeof b.type === 'string' ? { type: b.type.replace(/^\$\{|\}$/g, '') } : {}),
    ...('default' in b ? { default: b.default } : {}),
  }));
}
