import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProjectConfig } from './project.js';

/**
 * The workflow image of one Promise: the project's image repository, tagged per Promise, so a
 * change to one Promise's workflow changes only that Promise's `promise.yaml`.
 */
export function workflowImage(config: ProjectConfig, promise: string): string {
  const pkg = JSON.parse(readFileSync(join(config.root, 'package.json'), 'utf8')) as { version?: string };
  return `${config.image}:${promise}-${pkg.version ?? '0.0.0'}`;
}
