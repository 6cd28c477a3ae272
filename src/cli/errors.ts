// Every message the CLI produces about a Promise's workflow bundle, kept together so the wording
// is reviewed in one place. Paths are `promises/<name>/<file>:<line>`.
import type { Issue } from '../schema/issue.js';

/** Bytes as megabytes with `digits` decimals, as every CLI message shows sizes. */
export const megabytes = (bytes: number, digits = 1) => `${(bytes / 1e6).toFixed(digits)} MB`;

export const providerPackageRoot = (where: string, specifier: string, bytes: number, imports: readonly string[]): Issue => ({
  path: where,
  message: `imports ${specifier} from its package root, which bundles every resource of the provider: the workflow bundle measures ${megabytes(bytes)}, and synth and each container start load all of it`,
  fix: imports.length
    ? imports.map((line) => `import ${line}`).join('; ')
    : `import each class from its submodule, e.g. import { DbInstance } from '${specifier}/lib/db-instance'`,
});

export const overBudget = (name: string, bytes: number, budget: number): Issue => ({
  path: `promises/${name}`,
  message: `the workflow bundle measures ${megabytes(bytes)}, over the budget of ${megabytes(budget)}`,
  fix: 'import provider classes from their submodules (@cdktf/provider-aws/lib/<resource>), or raise "bundleBudget" (bytes) under "kratix-cdktf" in package.json',
});

export const emptyImportMeta = (where: string): Issue => ({
  path: where,
  message:
    'uses import.meta, which is empty in the workflow container: the Promise runs there as one CommonJS script with no files beside it, so a path built from it points nowhere',
  fix: 'keep data in TypeScript (or import a .json file), or list manifest files in dependencies; never read files relative to the module at run time',
});

export const moduleDirectory = (where: string, name: string): Issue => ({
  path: where,
  message: `uses ${name}, which in the workflow container is the folder of the bundled script, not of this file: files read relative to it are not there`,
  fix: 'keep data in TypeScript (or import a .json file), or list manifest files in dependencies; never read files relative to the module at run time',
});

export const computedImport = (where: string, text: string): Issue => ({
  path: where,
  message: `${text}: the container has no node_modules, so a module named at run time cannot be loaded`,
  fix: 'import the module with a static import statement so it is bundled',
});

export const bundlerWarning = (where: string, text: string): Issue => ({
  path: where,
  message: `the bundler warns: ${text}`,
  fix: 'change the code so it bundles without warnings; the container runs only the bundle',
});

export const bundlerError = (where: string, text: string): Issue => ({ path: where, message: text });

export const noDefaultExport = (file: string): Issue => ({
  path: file,
  message: 'the default export is not a Promise definition',
  fix: 'export default definePromise({ ... })',
});
