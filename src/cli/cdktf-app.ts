import { App } from '../terraform/cdktf.js';
import { buildRequestStack } from '../terraform/stack.js';
import { listPromises, loadPromise, parseExample, type ProjectConfig } from './project.js';

/**
 * The `app` of cdktf.json: one stack per Promise, built from its example request, so the cdktf
 * CLI (`cdktf synth`, `cdktf diff`) works on this repository. Nothing in the project needs it.
 */
export async function cdktfApp(config: ProjectConfig): Promise<void> {
  const app = new App({ stackTraces: false });
  for (const name of listPromises(config)) {
    const loaded = await loadPromise(config, name);
    buildRequestStack(app, loaded.definition, parseExample(loaded), { stackId: name });
  }
  app.synth();
}
