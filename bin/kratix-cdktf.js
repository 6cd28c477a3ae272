#!/usr/bin/env node
// The kratix-cdktf command. Promises are TypeScript, so everything runs under tsx, which loads
// them without a build step. Installed as a dependency, the command runs the package's compiled
// lib/; in a checkout of kratix-cdktf itself it runs src/, and `kratix-cdktf` imports in the
// checkout's Promises resolve to src/ as well (the "kratix-cdktf-source" export condition).
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { join, sep } from 'node:path';
import { register as registerTsx } from 'tsx/esm/api';

const root = join(import.meta.dirname, '..');
const checkout = !root.split(sep).includes('node_modules') && existsSync(join(root, 'src', 'cli', 'main.ts'));
registerTsx();
if (checkout) register('./source-condition.js', import.meta.url);
await import(checkout ? '../src/cli/main.ts' : '../lib/cli/main.js');
