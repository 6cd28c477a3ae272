import { App } from 'cdktf';
import { parseRequest, requestApi } from '../kratix/request.js';
import { formatIssues } from '../schema/issue.js';
import { buildRequestStack } from '../terraform/stack.js';
import { listPromises, loadPromise, type ProjectConfig } from './project.js';

/**
 * The `app` of cdktf.json: one stack per Promise, built from its example request, so the cdktf
 * CLI (`cdktf synth`, `cdktf diff`) works on this repository. Nothing in the project needs it.
 */
export async function cdktfApp(config: ProjectConfig): Promise<void> {
  const app = new App({ stackTraces: false });
  for (const name of listPromises(config)) {
    const loaded = await loadPromise(config, name);
    const api = requestApi(loaded.definition);
    if (!api.ok) throw new Error(formatIssues(loaded.file, api.issues));
    const request = parseRequest(api.value, loaded.exampleRequest);
    if (!request.ok) throw new Error(formatIssues(`promises/${name}/example-request.yaml`, request.issues));
    buildRequestStack(app, loaded.definition, request.value, { stackId: name });
  }
  app.synth();
}
