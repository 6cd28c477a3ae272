import { dependencyFiles } from '../artifacts/dependencies.js';
import { expandDependencies, type ResolvedManifests } from '../kratix/dependencies.js';
import type { PromiseDefinition } from '../promise/define-promise.js';
import { formatIssues } from '../schema/issue.js';
import type { WorkflowContext } from './context.js';
import { writeAllOrNothing } from './files.js';
import type { WorkflowLog } from './run.js';

/**
 * The Promise workflow, which Kratix runs only when the dependencies are delivered by workflow
 * (pipeline `deps`). On configure it writes every dependency to the output folder, one object
 * per file, all or nothing; Kratix sends them, as one Work, to every Destination the Promise
 * selects. On delete it does nothing: Kratix deletes the Works of the Promise's workflows when
 * the Promise goes, and the Destinations' GitOps tools then remove the objects.
 */
export function runPromiseWorkflow(def: PromiseDefinition, ctx: WorkflowContext, log: WorkflowLog, manifests: ResolvedManifests): number {
  if (ctx.action === 'delete') {
    log.info(`${def.name}: nothing to do; Kratix removes the dependencies' Work with the Promise`);
    return 0;
  }
  const objects = expandDependencies(def, manifests);
  if (!objects.ok) {
    // synth refuses these, so the image was built from code synth never accepted.
    log.error(formatIssues(`${def.name}: the dependencies cannot be written`, objects.issues));
    return 2;
  }
  const files = dependencyFiles(objects.value);
  writeAllOrNothing(ctx.outputDir, files);
  log.info(`${def.name}: wrote ${files.size} ${files.size === 1 ? 'dependency' : 'dependencies'}`);
  for (const name of files.keys()) log.info(`  wrote ${name}`);
  return 0;
}
