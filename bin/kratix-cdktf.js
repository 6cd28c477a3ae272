#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so Promises written in TypeScript load without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
