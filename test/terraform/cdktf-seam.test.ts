import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { Construct, type IConstruct } from 'constructs';
import { afterAll, describe, expect, test } from 'vitest';
import { definePromise, Type, type PromiseDefinition, tofuController } from '../../src/index.js';
import { App, Aspects, NESTED_ASPECT_WARNING, stackToTerraform, type IAspect } from '../../src/terraform/cdktf.js';
import { buildRequestStack, sortKeys, synthRequest } from '../../src/terraform/stack.js';
import { validateRequest } from '../../src/testing/index.js';
import { SOURCE_REF } from '../helpers/widget.js';

// The seam rebuilds cdktf's internal aspect invocation on its public API. These tests pin what
// App.synth() does with aspects and check the seam does the same, so a cdktf or cdktn release
// that changes it fails here rather than in a tenant's stack.

type Taggable = IConstruct & { tags?: Record<string, string>; tagsInput?: Record<string, string> };
const isTaggable = (node: IConstruct): node is Taggable => 'tags' in node && 'tagsInput' in node;

/** The tagging aspect of cdktf's documentation: adds tags to every resource that takes them. */
class TagAll implements IAspect {
  constructor(private readonly tags: Record<string, string>) {}
  visit(node: IConstruct): void {
    if (isTaggable(node)) node.tags = { ...this.tags, ...node.tagsInput };
  }
}

/** Records which construct it visited, in order. */
class Trace implements IAspect {
  constructor(
    private readonly name: string,
    private readonly log: string[],
  ) {}
  visit(node: IConstruct): void {
    this.log.push(`${this.name} ${node.node.path}`);
  }
}

const api = { group: 'fixtures.example.com', version: 'v1', kind: 'Tagged' };

const tagged = definePromise({
  name: 'tagged',
  delivery: tofuController({ sourceRef: SOURCE_REF }),
  api,
  spec: Type.Object({ team: Type.String({ default: 'blue' }) }),
  stack(scope, { spec }) {
    new S3Bucket(scope, 'logs', { bucket: 'logs', tags: { purpose: 'logs' } });
    new S3Bucket(scope, 'plain', { bucket: 'plain' });
    const team = new Construct(scope, 'team');
    new S3Bucket(team, 'data', { bucket: 'team-data' });
    Aspects.of(scope).add(new TagAll({ 'managed-by': 'kratix', team: spec.team }));
    Aspects.of(team).add(new TagAll({ scope: 'team' }));
  },
});

// Every rule of cdktf's invocation at once: inheritance top-down, the same aspect on a scope and
// below it runs once per construct, constructs added by an aspect are visited, an aspect added
// by an aspect is not invoked where it was added (and warns once).
function traced(log: string[]): PromiseDefinition {
  return definePromise({
    name: 'traced',
    delivery: tofuController({ sourceRef: SOURCE_REF }),
    api: { ...api, kind: 'Traced' },
    spec: Type.Object({ unused: Type.Optional(Type.String()) }),
    stack(scope) {
      const shared = new Trace('shared', log);
      const outer = new Construct(scope, 'outer');
      const inner = new Construct(outer, 'inner');
      new S3Bucket(inner, 'b', { bucket: 'b' });
      Aspects.of(scope).add(new Trace('stack', log));
      Aspects.of(scope).add(shared);
      Aspects.of(inner).add(shared);
      Aspects.of(outer).add({
        visit(node) {
          log.push(`adder ${node.node.path}`);
          if (node === outer) {
            new S3Bucket(outer, 'added', { bucket: 'added' });
            Aspects.of(outer).add(new Trace('late', log));
            Aspects.of(inner).add(new Trace('late-inner', log));
          }
          // Neither invoked here nor inherited by b, and no second warning.
          if (node === inner) Aspects.of(inner).add(new Trace('late', log));
        },
      });
    },
  });
}

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function request(def: PromiseDefinition) {
  const parsed = validateRequest(def, {});
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
}

/** The stack as cdktf's own App.synth() writes it, with the warnings it records in the manifest. */
function cdktfSynth(def: PromiseDefinition) {
  const outdir = mkdtempSync(join(tmpdir(), 'kratix-cdktf-seam-'));
  outdirs.push(outdir);
  const app = new App({ outdir, stackTraces: false, skipValidation: true });
  buildRequestStack(app, def, request(def));
  app.synth();
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
  const stack = manifest.stacks.request;
  return {
    json: JSON.parse(readFileSync(join(outdir, stack.synthesizedStackPath), 'utf8')),
    warnings: (stack.annotations as { constructPath: string; message: string }[]).map((a) => `${a.constructPath}: ${a.message}`),
  };
}

/** The same stack through the seam, in memory. */
function seamSynth(def: PromiseDefinition) {
  const app = new App({ outdir: '/nonexistent', stackTraces: false, skipValidation: true });
  const { stack } = buildRequestStack(app, def, request(def));
  const json = stackToTerraform(stack);
  const warnings = stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.data === NESTED_ASPECT_WARNING).map((m) => `${c.node.path}: ${m.data}`));
  return { json, warnings };
}

const bucketsByName = (json: Record<string, any>) =>
  Object.fromEntries(
    Object.values(json.resource.aws_s3_bucket as Record<string, { bucket: string; tags?: Record<string, string> }>).map((b) => [b.bucket, b.tags]),
  );

describe('aspects', () => {
  test('an aspect added on the stack tags every taggable resource in synthRequest output', () => {
    const buckets = bucketsByName(synthRequest(tagged, request(tagged)).json);
    expect(buckets.logs).toEqual({ 'managed-by': 'kratix', purpose: 'logs', team: 'blue' });
    expect(buckets.plain).toEqual({ 'managed-by': 'kratix', team: 'blue' });
  });

  test('an aspect added on a nested construct applies only below it', () => {
    const buckets = bucketsByName(synthRequest(tagged, request(tagged)).json);
    expect(buckets['team-data']).toEqual({ 'managed-by': 'kratix', scope: 'team', team: 'blue' });
    expect(buckets.logs).not.toHaveProperty('scope');
    expect(buckets.plain).not.toHaveProperty('scope');
  });

  test('synthRequest writes the same resources as cdktf App.synth()', () => {
    expect(synthRequest(tagged, request(tagged)).json.resource).toEqual(sortKeys(cdktfSynth(tagged).json.resource));
  });

  test('aspects run top-down, once per construct, also on constructs an aspect adds', () => {
    const log: string[] = [];
    const { json, warnings } = seamSynth(traced(log));
    expect(log).toEqual([
      'stack request',
      'shared request',
      'stack request/outer',
      'shared request/outer',
      'adder request/outer',
      'stack request/outer/inner',
      'shared request/outer/inner', // added on inner as well, still once
      'adder request/outer/inner',
      'late-inner request/outer/inner', // added to inner while outer was visited: inner reads it after
      'stack request/outer/inner/b',
      'shared request/outer/inner/b',
      'adder request/outer/inner/b',
      'late-inner request/outer/inner/b',
      'stack request/outer/added', // added by an aspect: visited, with the aspects of its scopes
      'shared request/outer/added',
      'adder request/outer/added',
      'stack request/backend', // the LocalBackend prepareStack() injects
      'shared request/backend',
    ]);
    expect(log.filter((line) => line.startsWith('late '))).toEqual([]);
    expect(warnings).toEqual([`request/outer: ${NESTED_ASPECT_WARNING}`]);
    expect(Object.keys((json.resource as any).aws_s3_bucket)).toHaveLength(2);
  });

  test('the seam invokes aspects exactly as cdktf App.synth() does: same visits, warnings, resources', () => {
    const ours: string[] = [];
    const theirs: string[] = [];
    const seam = seamSynth(traced(ours));
    const cdktf = cdktfSynth(traced(theirs));
    expect(ours).toEqual(theirs);
    expect(seam.warnings).toEqual(cdktf.warnings);
    expect(sortKeys(seam.json.resource)).toEqual(sortKeys(cdktf.json.resource));
  });
});

// Guard for the seam: the rest of src/ reaches cdktf only through src/terraform/cdktf.ts.
const SRC = join(import.meta.dirname, '..', '..', 'src');
const SEAM = 'terraform/cdktf.ts';
// Package names of CDK for Terraform and of its fork CDK Terrain, with their provider scopes.
const CDKTF_SPECIFIER = /^(?:cdkt[fn]|@cdkt[fn]\/[^/]+)(?:\/|$)/;

/** Every module specifier in TypeScript source: static, re-export, side-effect, dynamic, require. */
function importSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:\\'"`])\/\/.*$/gm, '$1');
  const patterns = [
    /\bfrom\s*(['"])([^'"]+)\1/g,
    /\bimport\s*(['"])([^'"]+)\1/g,
    /\bimport\s*\(\s*(['"`])([^'"`]+)\1/g,
    /\brequire\s*\(\s*(['"`])([^'"`]+)\1/g,
  ];
  return patterns.flatMap((re) => [...code.matchAll(re)].map((m) => m[2]!));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.[cm]?[jt]sx?$/.test(name) ? [path] : [];
  });
}

describe('the cdktf seam', () => {
  test('control: the specifier scan finds every form of import', () => {
    const source = [
      "import { App } from 'cdktf';",
      'import type { IAspect } from "cdktf";',
      "import {\n  invokeAspects,\n} from 'cdktf/lib/synthesize/synthesizer.js';",
      "export { Token } from 'cdktn';",
      "import 'cdktf/lib/side-effect.js';",
      "const m = await import('@cdktf/provider-aws/lib/s3-bucket');",
      'const r = require(`@cdktn/provider-aws`);',
      "// import { App } from 'not-a-real-import';",
      "import { Construct } from 'constructs';",
      "import { x } from './kratix-cdktf.js';",
    ].join('\n');
    expect(
      importSpecifiers(source)
        .filter((s) => CDKTF_SPECIFIER.test(s))
        .sort(),
    ).toEqual(
      [
        '@cdktf/provider-aws/lib/s3-bucket',
        '@cdktn/provider-aws',
        'cdktf',
        'cdktf',
        'cdktf/lib/side-effect.js',
        'cdktf/lib/synthesize/synthesizer.js',
        'cdktn',
      ].sort(),
    );
  });

  test('no module of src/ but the seam imports cdktf (or cdktn, or a provider package)', () => {
    const files = sourceFiles(SRC);
    expect(files.length).toBeGreaterThan(20);
    const offenders = files
      .filter((file) => relative(SRC, file).replaceAll('\\', '/') !== SEAM)
      .flatMap((file) =>
        importSpecifiers(readFileSync(file, 'utf8'))
          .filter((s) => CDKTF_SPECIFIER.test(s))
          .map((s) => `${relative(SRC, file)}: ${s}`),
      );
    expect(offenders).toEqual([]);
  });

  test('the seam imports the package root once, on one line: switching to cdktn changes that line', () => {
    const source = readFileSync(join(SRC, SEAM), 'utf8');
    expect(importSpecifiers(source).filter((s) => CDKTF_SPECIFIER.test(s))).toEqual([expect.stringMatching(/^cdkt[fn]$/)]);
    expect(source.split('\n').filter((line) => /(['"])cdkt[fn]\1/.test(line))).toHaveLength(1);
  });
});
