#!/usr/bin/env bash
# A platform repository that depends on kratix-cdktf as a package, as the README's "Start a
# platform repository" sets one up: the package from `npm pack` (so exactly what would be
# published: lib/ built by the prepare script, bin/, no src/), the peers and tools from this
# checkout's node_modules (no registry needed), one Promise, a Promise test, the generic suite.
# Checks: synth writes generated/, synth --check is clean, tsc accepts the Promise against the
# package's declarations, vitest runs the Promise test and the generic suite. The real checkout
# is never modified.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/kratix-cdktf-consumer.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
say() { echo "consumer-check: $*"; }

say "packing kratix-cdktf"
tarball="$(cd "$repo" && npm pack --silent --pack-destination "$scratch" 2>/dev/null | tail -1)"
platform="$scratch/platform"
mkdir -p "$platform/node_modules/kratix-cdktf" "$platform/promises" "$platform/test"
tar xzf "$scratch/$tarball" -C "$platform/node_modules/kratix-cdktf" --strip-components=1
test ! -e "$platform/node_modules/kratix-cdktf/src" || { say "the package ships src/"; exit 1; }
for entry in "$repo"/node_modules/* "$repo"/node_modules/.bin; do
  name="$(basename "$entry")"
  [ "$name" = kratix-cdktf ] || ln -s "$entry" "$platform/node_modules/$name"
done

cd "$platform"
cat > package.json <<'JSON'
{ "name": "platform", "private": true, "type": "module", "kratix-cdktf": { "image": "ghcr.io/acme/platform-workflows" } }
JSON
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "target": "ES2022", "module": "ESNext", "moduleResolution": "Bundler",
  "strict": true, "skipLibCheck": true, "types": ["node"], "noEmit": true },
  "include": ["promises", "test"] }
JSON
printf "import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { server: { deps: { inline: ['kratix-cdktf'] } } } });\n" > vitest.config.ts
printf "import { testPromises } from 'kratix-cdktf/vitest';\ntestPromises();\n" > test/promises.test.ts
cp -r "$repo/test/fixtures/echo" promises/echo
cat > promises/echo/echo.test.ts <<'TS'
import { expect, test } from 'vitest';
import { exampleRequest, renderRequest, validateRequest } from 'kratix-cdktf/testing';
import echo from './index.js';

test('the example request renders a terraform_data resource', () => {
  const tf = renderRequest(echo, exampleRequest(import.meta.dirname));
  expect(tf.resource.terraform_data.echo.input.message).toBe('hello from the example');
  expect(validateRequest(echo, { spec: { message: 'x'.repeat(5000) } }).ok).toBe(false);
});
TS

cli="node node_modules/kratix-cdktf/bin/kratix-cdktf.js"
say "synth"; $cli synth
test -f generated/echo/promise.yaml || { say "synth wrote no promise.yaml"; exit 1; }
grep -q 'image: ghcr.io/acme/platform-workflows:echo-' generated/echo/promise.yaml
say "synth --check"; $cli synth --check
say "tsc"; node_modules/.bin/tsc -p .
say "vitest"; node_modules/.bin/vitest run
say "PASSED: synth, synth --check, tsc and vitest in a platform repository that installs the package"
