import type { ProjectConfig } from './project.js';

/**
 * The workflow image of one Promise: the project's image repository, tagged with the Promise's
 * name and the digest of its bundle, so `promise.yaml` changes exactly when the code its
 * container runs changes, and a change to one Promise leaves the others' images alone.
 */
export function workflowImage(config: ProjectConfig, promise: string, digest: string): string {
  return `${config.image}:${promise}-${digest}`;
}
