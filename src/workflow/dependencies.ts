import { dependencyFiles } from '../artifacts/dependencies.js';
import { promiseDependencies, type ResolvedManifests } from '../kratix/dependencies.js';
import { AUTHORS_INLINE_ENV, DEPENDENCIES_IMAGE_ENV, DEPENDENCIES_PULL_SECRETS_ENV } from '../kratix/pipeline.js';
import { toYaml } from '../artifacts/yaml.js';
import type { PromiseDefinition } from '../promise/define-promise.js';
import { formatIssues, type Result } from '../schema/issue.js';
import { type ManifestFiles, manifestFiles, promiseOf } from '../manifests/index.js';
import { decorationsOf } from '../decorate/index.js';
import { authorThrew } from '../terraform/errors.js';
import type { WorkflowContext } from './context.js';
import { writeAllOrNothing } from './files.js';
import type { WorkflowLog } from './run.js';

/**
 * The Promise workflow, which Kratix runs only when the dependencies are delivered by workflow
 * (pipeline `deps`), or when the delivery's own objects must go to fewer Destinations than the
 * Promise selects. On configure it writes them to the output folder, one object per file, all or
 * nothing; Kratix sends them, as one Work, to every Destination the Promise selects, and those in
 * the delivery's folder only where its `destinationLabels` also match. On delete it does nothing: Kratix deletes the Works of the Promise's workflows when
 * the Promise goes, and the Destinations' GitOps tools then remove the objects.
 */
export function runPromiseWorkflow(
  def: PromiseDefinition,
  ctx: WorkflowContext,
  log: WorkflowLog,
  manifests: ResolvedManifests,
  env: Readonly<Record<string, string | undefined>>,
): number {
  if (ctx.action === 'delete') {
    log.info(`${def.name}: nothing to do; Kratix removes the dependencies' Work with the Promise`);
    return 0;
  }
  const image = env[DEPENDENCIES_IMAGE_ENV] ?? '';
  const imagePullSecrets = (env[DEPENDENCIES_PULL_SECRETS_ENV] ?? '').split(',').filter(Boolean);
  const objects = promiseDependencies(def, { image, imagePullSecrets }, manifests);
  if (!objects.ok) {
    // synth refuses these, so the image was built from code synth never accepted.
    log.error(formatIssues(`${def.name}: the dependencies cannot be written`, objects.issues));
    return 2;
  }
  if (!image && objects.value.delivery.length) {
    // The Pipeline synth writes sets it; a hand-edited or older promise.yaml may not.
    log.error(
      `${def.name}: ${DEPENDENCIES_IMAGE_ENV} is not set, so the objects that run this image cannot be written; apply the promise.yaml that \`npm run synth\` writes`,
    );
    return 2;
  }
  const { all, author, delivery, narrowed } = objects.value;
  const authorsInline = env[AUTHORS_INLINE_ENV] === 'true';
  // The same choice renderPromise made: what spec.dependencies holds is not written again.
  const root = narrowed ? (authorsInline ? [] : author) : authorsInline ? [] : all;
  const files = new Map(dependencyFiles(root));
  const metadata = new Map<string, string>();
  if (narrowed) {
    for (const [name, text] of dependencyFiles(delivery)) files.set(`${narrowed.directory}/${name}`, text);
  }
  const selectors: { directory: string; matchLabels: Readonly<Record<string, string>> }[] = narrowed
    ? [{ directory: narrowed.directory, matchLabels: narrowed.matchLabels }]
    : [];
  const dependencies = files.size;
  const own = promiseManifestFiles(def, narrowed?.directory);
  if (own && !own.ok) {
    // Before anything is written: Kratix shows the failed pipeline on the Promise.
    log.error(formatIssues(`${def.name}: promiseManifests() cannot be written`, own.issues));
    return 1;
  }
  if (own) {
    for (const [name, text] of own.value.files) files.set(name, text);
    selectors.push(...own.value.selectors);
  }
  if (selectors.length) metadata.set('destination-selectors.yaml', toYaml(selectors));
  writeAllOrNothing(ctx.outputDir, files);
  if (metadata.size) writeAllOrNothing(ctx.metadataDir, metadata);
  log.info(
    `${def.name}: wrote ${dependencies} ${dependencies === 1 ? 'dependency' : 'dependencies'}${own ? ` and ${own.value.objects.length} object(s) of promiseManifests()` : ''}`,
  );
  for (const name of files.keys()) log.info(`  wrote ${name}`);
  if (narrowed) log.info(`  ${narrowed.directory}/ goes to Destinations labelled ${JSON.stringify(narrowed.matchLabels)}`);
  return 0;
}

// The author's promiseManifests(), laid out beside the dependencies: root files after theirs (a
// prefix of their own), groups in folders, none named like the delivery's folder.
export function promiseManifestFiles(def: PromiseDefinition, reserved: string | undefined): Result<ManifestFiles> | undefined {
  if (typeof def.promiseManifests !== 'function') return undefined;
  let items: unknown;
  try {
    items = def.promiseManifests();
  } catch (e) {
    return { ok: false, issues: [authorThrew('promiseManifests()', e)] };
  }
  const labels = decorationsOf(def.decorate, 'labels', { promise: promiseOf(def) });
  if (!labels.ok) return labels;
  const laid = manifestFiles(items, 'promiseManifests()', 'promise-', labels.value);
  if (!laid.ok || reserved === undefined) return laid;
  const clash = laid.value.selectors.some((s) => s.directory === reserved);
  return clash
    ? {
        ok: false,
        issues: [
          {
            path: 'promiseManifests()',
            message: `a group's directory is ${JSON.stringify(reserved)}, where kratix-cdktf writes the delivery's objects`,
            fix: 'name the directory differently',
          },
        ],
      }
    : laid;
}
