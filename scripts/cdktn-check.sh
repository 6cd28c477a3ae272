#!/usr/bin/env bash
# Builds, synthesizes and tests the example Promises against CDK Terrain (cdktn), the community
# fork of the archived cdktf, in a scratch copy of this repository: the proof that switching is
# the one-line change in src/terraform/cdktf.ts (plus the dependencies) and that it works.
# The checkout itself is never modified. KEEP_SCRATCH=1 keeps the scratch folder for a look.
set -euo pipefail

# Pinned versions. cdktn 0.24 and @cdktn/provider-aws 25.7 (AWS provider 6.66.0; cdktf's
# 21.22.1 had 6.25.0) peer on constructs >=10.6.0 <10.8.0, so constructs moves back to 10.7.
CDKTN_VERSION=0.24.0
CONSTRUCTS_VERSION=10.7.2
# Each @cdktf/provider-* dependency of package.json and what replaces it: a pinned @cdktn package,
# or "keep" where CDK Terrain publishes none on npm. @cdktn/provider-kubernetes does not exist on
# npm (only the Python cdktn-provider-kubernetes does), so a Promise on it (the tests' synth
# gates import one) keeps the archived @cdktf/provider-kubernetes bindings, whose `cdktf` peer is
# pointed at cdktn by an npm override: every construct class then comes from cdktn, and the
# Promise's own source is unchanged. @cdktf/hcl2json (HCL's parser, for `kratix-cdktf import`)
# depends on no cdktf package, so it is kept as well.
PROVIDERS='{
  "@cdktf/provider-aws": "@cdktn/provider-aws@25.7.0",
  "@cdktf/provider-kubernetes": "keep",
  "@cdktf/hcl2json": "keep"
}'

repo="$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/kratix-cdktn-check.XXXXXX")"
cleanup() { if [ "${KEEP_SCRATCH:-}" = 1 ]; then echo "cdktn-check: scratch copy kept in $scratch"; else rm -rf "$scratch"; fi; }
trap cleanup EXIT
step=setup
trap 'echo "cdktn-check: FAILED at step: $step (KEEP_SCRATCH=1 keeps the scratch copy)" >&2' ERR
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 NO_COLOR=1
started=$SECONDS
say() { echo "cdktn-check [$((SECONDS - started))s]: $*"; }

step='copy the repository'
# Tracked files plus untracked ones that are not ignored, as they are in the work tree (files
# deleted but not yet committed are skipped); node_modules, dist/ and the like are not copied.
(cd "$repo" && git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi; done |
  tar --null -T - -cf -) | tar -C "$scratch" -xf -
cd "$scratch"
say "copied $(find . -type f | wc -l) files to $scratch"

step='switch the seam to cdktn'
# The one-line change: the package name on the seam's import line.
seam=src/terraform/cdktf.ts
cp "$seam" "$scratch/.seam.orig"
# The line is `import { ... } from 'cdktf';`, or the `} from 'cdktf';` that ends it over several lines.
sed -i -E "s/^((import .*|\}) from )(['\"])cdktf\3;$/\1\3cdktn\3;/" "$seam"
changed="$(diff "$scratch/.seam.orig" "$seam" | grep -c '^[<>]' || true)"
rm "$scratch/.seam.orig"
if [ "$changed" != 2 ] || ! grep -qE "from (['\"])cdktn\1;" "$seam"; then
  echo "cdktn-check: expected exactly one import line from 'cdktf' in $seam; found a different shape" >&2
  exit 1
fi
say "$seam: $(grep -E "from (['\"])cdktn\1;" "$seam" | sed -E 's/^import \{.*\} from/import { ... } from/')"

step='rewrite imports in promises/ and test/'
# Import specifiers only: 'cdktf' and 'cdktf/...' become cdktn, '@cdktf/provider-X' becomes
# '@cdktn/provider-X' where one is pinned above. Nothing else in the Promises is touched (how they
# import kratix-cdktf itself, by relative path or package name, does not matter here).
node - "$PROVIDERS" <<'EOF'
const fs = require('node:fs');
const path = require('node:path');
const providers = JSON.parse(process.argv[2]);
const renamed = Object.keys(providers).filter((p) => providers[p] !== 'keep').map((p) => p.slice('@cdktf/'.length));
const spec = new RegExp(String.raw`(['"\x60])(?:cdktf(?=['"\x60/])|@cdktf/(${renamed.join('|')})(?=['"\x60/]))`, 'g');
const files = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : /\.[cm]?[jt]sx?$/.test(e.name) ? [path.join(dir, e.name)] : []));
let count = 0;
for (const file of [...files('promises'), ...files('test')]) {
  const before = fs.readFileSync(file, 'utf8');
  const after = before.replace(spec, (_, q, provider) => (provider ? `${q}@cdktn/${provider}` : `${q}cdktn`));
  if (after !== before) fs.writeFileSync(file, after), count++;
}
console.log(`cdktn-check: rewrote cdktf import specifiers in ${count} files under promises/ and test/`);
EOF

step='switch package.json to cdktn'
node - "$PROVIDERS" "$CDKTN_VERSION" "$CONSTRUCTS_VERSION" <<'EOF'
const fs = require('node:fs');
const [providers, cdktn, constructs] = [JSON.parse(process.argv[2]), process.argv[3], process.argv[4]];
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
  const deps = pkg[field] ?? {};
  for (const name of Object.keys(deps)) {
    if (name === 'cdktf') (delete deps.cdktf), (deps.cdktn = cdktn);
    else if (name === 'constructs') deps.constructs = constructs;
    else if (name.startsWith('@cdktf/provider-')) {
      const to = providers[name];
      if (!to) throw new Error(`cdktn-check: no @cdktn version pinned for ${name}; add it to PROVIDERS in scripts/cdktn-check.sh`);
      if (to === 'keep') (pkg.overrides ??= {})[name] = { cdktf: `npm:cdktn@${cdktn}` };
      else {
        delete deps[name];
        const at = to.lastIndexOf('@');
        deps[to.slice(0, at)] = to.slice(at + 1);
      }
    }
  }
  if (pkg[field]) pkg[field] = Object.fromEntries(Object.entries(deps).sort(([a], [b]) => (a < b ? -1 : 1)));
}
fs.writeFileSync('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
const all = { ...pkg.dependencies, ...pkg.devDependencies };
console.log(`cdktn-check: package.json: ${Object.entries(all).filter(([n]) => /^(@cdkt[fn]\/|cdkt[fn]$|constructs$)/.test(n)).map(([n, v]) => `${n}@${v}`).join(', ')}`);
if (pkg.overrides) console.log(`cdktn-check: overrides: ${JSON.stringify(pkg.overrides)}`);
EOF

step='npm install'
install_started=$SECONDS
npm install --no-audit --no-fund 2>&1 | { grep -v '^npm warn EBADENGINE' || true; } | sed 's/^/  /'
# No cdktf left: a node_modules/cdktf, if any, must be cdktn installed under that name, and the
# only @cdktf packages are the provider bindings kept above.
node -e '
  const fs = require("node:fs");
  const name = (p) => { try { return require(`${process.cwd()}/node_modules/${p}/package.json`); } catch { return undefined; } };
  const cdktf = name("cdktf");
  if (cdktf && cdktf.name !== "cdktn") throw new Error(`node_modules/cdktf is ${cdktf.name}@${cdktf.version}, not cdktn`);
  const kept = Object.entries(JSON.parse(process.argv[1])).filter(([, to]) => to === "keep").map(([from]) => from);
  const scoped = fs.existsSync("node_modules/@cdktf") ? fs.readdirSync("node_modules/@cdktf").map((n) => `@cdktf/${n}`) : [];
  const stray = scoped.filter((n) => !kept.includes(n));
  if (stray.length > 0) throw new Error(`still installed: ${stray.join(", ")}`);
  const cdktn = name("cdktn"), aws = name("@cdktn/provider-aws");
  console.log(`cdktn-check: installed cdktn@${cdktn.version}, @cdktn/provider-aws@${aws.version}, constructs@${name("constructs").version}` +
    (cdktf ? `; node_modules/cdktf is cdktn@${cdktf.version} (the peer of the kept @cdktf provider bindings)` : ""));' "$PROVIDERS"
say "npm install took $((SECONDS - install_started))s; node_modules is $(du -sm node_modules | cut -f1) MB"

step='tsc --noEmit'
npx tsc --noEmit
say 'tsc --noEmit: no errors'

step='npm run synth'
npm run --silent synth 2>&1 | sed 's/^/  /'
# Image digests cover the bundled packages, so promise.yaml files differ from the checkout's.
differing="$(diff -rq "$repo/generated" generated | wc -l || true)"
say "synth: $differing files under generated/ differ from the checkout's (image tags)"

step='bundle each workflow, then run each bundle on its example request'
# The workflow bundles are what the containers run: each one, alone in an empty folder (no
# node_modules), must handle its Promise's example request as the configure workflow. Not
# `npm run build`: it also builds each bundle's V8 startup snapshot, and with cdktn 0.24 on
# Node 20 that crashes V8 (Check failed: handle_checker.CheckGlobalAndEternalHandles()); cdktn
# declares Node >= 22.11. Plain runs work; see the README's CDK Terrain section.
cat > .cdktn-bundle.ts <<'TS'
import { mkdirSync, writeFileSync } from 'node:fs';
import { bundleContainerScript } from './src/cli/bundle.ts';
import { listPromises, readConfig } from './src/cli/project.ts';
const config = readConfig(process.cwd());
for (const name of listPromises(config)) {
  mkdirSync(`dist/images/${name}/app`, { recursive: true });
  writeFileSync(`dist/images/${name}/app/workflow.cjs`, await bundleContainerScript(config, name));
}
TS
npx tsx --conditions=kratix-cdktf-source .cdktn-bundle.ts
node - <<'EOF'
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
// A stand-in for the platform cluster's API (there is none here), for rules that read the
// request's namespace: every Namespace exists, labelled environment=dev.
const api = http.createServer((req, res) => {
  const ns = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(req.url ?? '');
  if (!ns) return res.writeHead(404).end('{}');
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ metadata: { name: ns[1], labels: { environment: 'dev' } } }));
});
const run = (dir, env) =>
  new Promise((resolve) =>
    execFile(process.execPath, ['app/workflow.cjs'], { cwd: dir, env, encoding: 'utf8' }, (error, stdout, stderr) =>
      resolve({ status: error ? (error.code ?? 1) : 0, stdout, stderr }),
    ),
  );
api.listen(0, '127.0.0.1', async () => {
  try {
    for (const name of fs.readdirSync('dist/images').sort()) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kratix-cdktn-bundle-'));
      try {
        fs.cpSync(path.join('dist/images', name, 'app'), path.join(dir, 'app'), { recursive: true });
        for (const sub of ['input', 'output', 'metadata']) fs.mkdirSync(path.join(dir, sub));
        fs.copyFileSync(path.join('promises', name, 'example-request.yaml'), path.join(dir, 'input', 'object.yaml'));
        const env = {
          PATH: process.env.PATH,
          KRATIX_WORKFLOW_TYPE: 'resource',
          KRATIX_WORKFLOW_ACTION: 'configure',
          KRATIX_CDKTF_KUBE_API: `http://127.0.0.1:${api.address().port}`,
          KRATIX_CDKTF_KUBE_TOKEN_FILE: '/nonexistent',
        };
        for (const sub of ['input', 'output', 'metadata']) env[`KRATIX_CDKTF_${sub.toUpperCase()}_DIR`] = path.join(dir, sub);
        const ran = await run(dir, env);
        const written = fs.readdirSync(path.join(dir, 'output'));
        if (ran.status !== 0 || written.length === 0) throw new Error(`the ${name} bundle failed (exit ${ran.status}):\n${ran.stderr}${ran.stdout}`);
        console.log(`cdktn-check: ${name} bundle: ${(fs.statSync(path.join(dir, 'app', 'workflow.cjs')).size / 1e6).toFixed(2)} MB, wrote ${written.join(', ')}`);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  } catch (e) {
    console.error(e.message);
    process.exitCode = 1;
  } finally {
    api.close();
  }
});
EOF

step='vitest: promises/ and test/terraform/'
results="$scratch/.vitest.json"
npx vitest run promises/ test/terraform/ --reporter=default --reporter=json --outputFile="$results"
summary="$(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`)' "$results")"

step=done
say "PASSED against cdktn@$CDKTN_VERSION, $(echo "$PROVIDERS" | node -e 'const p = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(Object.values(p).filter((v) => v !== "keep").join(", "))'): tsc, synth, build, tests $summary, in $((SECONDS - started))s"
