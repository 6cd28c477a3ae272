// `kratix-cdktf import <module-dir> --name <promise>`: writes promises/<name>/ from a Terraform
// module, never over an existing folder, and prints what became of each variable.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { importModule } from '../import/index.js';
import { dns1035LabelProblem } from '../kratix/names.js';
import type { ProjectConfig } from './project.js';

export async function importCommand(config: ProjectConfig, args: string[], log: { info(l: string): void; error(l: string): void }): Promise<number> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(args);
  } catch (e) {
    log.error(
      `import: ${(e as Error).message}\nusage: kratix-cdktf import <module-dir> --name <promise> --source <module source> [--version <constraint>] [--group <api group>]`,
    );
    return 1;
  }
  const { dir, name, source, version, group } = parsed;
  // The name becomes the kind too (queue → Queue): it must start with a letter.
  const nameProblem = dns1035LabelProblem(name);
  if (nameProblem) {
    log.error(`import: --name ${JSON.stringify(name)} ${nameProblem}`);
    return 1;
  }
  const target = join(config.promisesDir, name);
  if (existsSync(target)) {
    log.error(`import: ${relative(config.root, target)} exists; nothing was written\n    fix: choose another --name, or move the folder away first`);
    return 1;
  }
  if (!existsSync(dir)) {
    log.error(`import: ${dir}: no such folder`);
    return 1;
  }
  let result: Awaited<ReturnType<typeof importModule>>;
  try {
    result = await importModule(dir, { name, source, ...(version ? { version } : {}), ...(group ? { group } : {}) });
  } catch (e) {
    log.error(`import: ${(e as Error).message}`);
    return 1;
  }
  // All or nothing: the files go into a staging folder, which becomes promises/<name> at once.
  const staging = `${target}.import-${process.pid}`;
  try {
    mkdirSync(staging, { recursive: true });
    for (const [file, text] of result.files) writeFileSync(join(staging, file), text);
    renameSync(staging, target);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    log.error(`import: could not write ${relative(config.root, target)}: ${(e as Error).message}`);
    return 1;
  }
  for (const file of result.files.keys()) log.info(`wrote ${relative(config.root, join(target, file))}`);
  for (const v of result.variables) {
    const what = [
      v.imported !== true ? `left out: ${v.imported}` : v.json ? 'JSON text (any in the module), checked by the json-fields rule' : 'typed',
      ...(v.secret ? ['secretRef'] : []),
      ...(v.enum ? ['enum'] : []),
      ...(v.default ? ['default'] : []),
      ...(v.validations.translated ? [`${v.validations.translated} validation(s) translated`] : []),
      ...(v.validations.kept ? [`${v.validations.kept} kept as a comment`] : []),
    ];
    log.info(`  ${v.name}: ${what.join(', ')}`);
  }
  log.info(`  outputs: ${result.outputs.join(', ') || '(none)'}`);
  if (!source)
    log.info('note: --source not given: the stack calls the module by its local path, which the workflow image does not have; give its registry or git source');
  log.info(`next: npm run synth -- ${name}`);
  return 0;
}

function parseOptions(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { name: { type: 'string' }, source: { type: 'string' }, version: { type: 'string' }, group: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new Error('expected one module folder');
  if (!values.name) throw new Error('--name is required');
  // The workflow image has no copy of the module folder: Terraform must fetch it from somewhere.
  if (!values.source) throw new Error('--source is required: where Terraform gets the module at run time (a registry address, or a git URL)');
  return { dir: resolve(positionals[0]!), name: values.name, source: values.source, version: values.version, group: values.group };
}
