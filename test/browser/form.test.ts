// The Software Template's spec page rendered as Backstage renders it, in headless Chromium, and
// saved as docs/backstage-form.png for the README. Outside `npm test` (it needs Debian's chromium):
// `npm run test:browser`, which .ci/run runs. The page is the Promise named by
// KRATIX_CDKTF_FORM_PROMISE, else postgres, else the first one generated/ holds.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { expect, test } from 'vitest';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOT = join(ROOT, 'docs', 'backstage-form.png');

function chosenPromise(): string {
  const generated = join(ROOT, 'generated');
  const names = readdirSync(generated).filter((n) => existsSync(join(generated, n, 'backstage', 'template.yaml')));
  const wanted = process.env.KRATIX_CDKTF_FORM_PROMISE ?? 'postgres';
  const name = names.includes(wanted) ? wanted : names[0];
  if (!name) throw new Error('generated/ holds no Backstage template: run npm run synth');
  return name;
}

// Backstage's scaffolder moves each `ui:` key of a step's schema into the form's uiSchema,
// following properties and items (not map values), before it hands both to react-jsonschema-form.
function extractUi(schema: any): { schema: any; uiSchema: any } {
  const uiSchema: any = {};
  const walk = (node: any, ui: any) => {
    if (node === null || typeof node !== 'object') return;
    for (const key of Object.keys(node))
      if (key.startsWith('ui:')) {
        ui[key] = node[key];
        delete node[key];
      }
    for (const [name, child] of Object.entries(node.properties ?? {})) walk(child, (ui[name] = {}));
    if (node.items && typeof node.items === 'object') walk(node.items, (ui.items = {}));
  };
  const copy = structuredClone(schema);
  walk(copy, uiSchema);
  return { schema: copy, uiSchema };
}

function chromium(args: string[]): string {
  const profile = mkdtempSync(join(tmpdir(), 'kratix-cdktf-chromium-'));
  // The flags that keep Chromium off the network this machine does not have (docs of the machine).
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--hide-scrollbars',
    `--user-data-dir=${profile}`,
    '--virtual-time-budget=15000',
  ];
  return execFileSync(CHROMIUM, [...flags, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
}

test('the spec page shows every field with its label, default and description, and the checks the platform adds', async () => {
  const name = chosenPromise();
  const template = parse(readFileSync(join(ROOT, 'generated', name, 'backstage', 'template.yaml'), 'utf8'));
  const page = template.spec.parameters[1];
  const { schema, uiSchema } = extractUi(page);
  const dir = mkdtempSync(join(tmpdir(), 'kratix-cdktf-form-'));
  const bundled = await build({
    entryPoints: [join(import.meta.dirname, 'form-page.mjs')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    minify: true,
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const data = JSON.stringify({
    title: template.metadata.title,
    description: template.metadata.description,
    steps: [...template.spec.parameters.map((p: any) => p.title), 'Review'],
    active: 1,
    schema,
    uiSchema,
  }).replaceAll('<', '\\u003c');
  const html = [
    '<!doctype html><html><head><meta charset="utf-8"><title>form</title>',
    // Backstage renders descriptions as Markdown: keep their line breaks at least.
    '<style>body{margin:0;background:#fff}.MuiTypography-subtitle2,.MuiFormHelperText-root{white-space:pre-line}</style>',
    '</head><body><div id="root"></div>',
    `<script>window.__PAGE__=${data}</script>`,
    `<script>${bundled.outputFiles[0]!.text.replaceAll('</script', '<\\/script')}</script>`,
    '</body></html>',
  ].join('\n');
  const file = join(dir, 'form.html');
  writeFileSync(file, html);

  const dom = chromium(['--dump-dom', `file://${file}`]);
  const height = Number(/data-height="(\d+)"/.exec(dom)?.[1]);
  expect(height, 'the page did not render (no data-height)').toBeGreaterThan(200);
  const text = dom.replace(/<[^>]+>/g, '\n');
  // Every field's label and description, as a requester reads them.
  const fields = Object.entries(schema.properties.spec.properties as Record<string, any>);
  for (const [key, field] of fields) {
    expect(text, `label of ${key}`).toContain(field.title);
    if (field.description) expect(text, `description of ${key}`).toContain(field.description);
  }
  // Defaults are in the inputs: text and numbers as values, enums as the selected option's label.
  for (const [key, field] of fields) {
    if (field.default === undefined || typeof field.default === 'object') continue;
    if (field.enum) {
      const label = uiSchema.spec[key]?.['ui:enumNames']?.[field.enum.indexOf(field.default)] ?? String(field.default);
      expect(text, `selected option of ${key}`).toContain(label);
    } else if (typeof field.default === 'boolean') {
      const box = new RegExp(`<input[^>]*id="root_spec_${key}"[^>]*>`).exec(dom)?.[0] ?? '';
      expect(box, `checkbox of ${key}`).toMatch(/type="checkbox"/);
      expect(/checked/.test(box) || dom.includes(`id="root_spec_${key}" checked`), `checkbox of ${key} checked`).toBe(field.default);
    } else
      expect(dom, `value of ${key}`).toMatch(
        new RegExp(
          `id="root_spec_${key}"[^>]*value="${String(field.default).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"|value="${String(field.default).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*id="root_spec_${key}"`,
        ),
      );
  }
  if (page.description.includes('The platform also checks')) expect(text).toContain('The platform also checks, after you submit:');

  mkdirSync(join(ROOT, 'docs'), { recursive: true });
  chromium([`--screenshot=${SCREENSHOT}`, `--window-size=1100,${Math.min(height + 40, 6000)}`, `file://${file}`]);
  const png = readFileSync(SCREENSHOT);
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  expect(png.readUInt32BE(20), 'screenshot height').toBeGreaterThan(200);
}, 180_000);
