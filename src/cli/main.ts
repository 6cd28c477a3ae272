import { parseArgs } from 'node:util';
import { megabytes } from './errors.js';
import { readConfig } from './project.js';
import { synth } from './synth.js';

const USAGE = `usage: kratix-cdktf <command> [options]

commands:
  synth [name...] [--check] [--since <git-ref>]
                              compile Promises in promises/ into generated/; refuse an API change
                              that can break stored requests, unless acceptBreakingChanges names it
                              --check: write nothing; exit 1 listing stale, missing or extra files
                              --since: compare the API with generated/ at that revision (CI: origin/main)
  build [name...]             bundle each Promise's workflow into dist/images/<name>/ for docker build
  render <promise> <request.yaml> --out <dir> [--action configure|delete] [--apply]
                              run a Promise's workflow for one request locally, as Kratix would;
                              for apply-mode Promises, write the Terraform configuration and
                              commands to <dir>/terraform/ and run nothing
                              --apply: run terraform for real (apply-mode Promises only)
  approve <resource>/<name> --plan <digest> [-n <namespace>]
                              approve the plan a request waits for (status.approval), with kubectl:
                              annotates the request and asks Kratix to run its workflow again
  import <module-dir> --name <promise> --source <s> [--version <v>] [--group <g>]
                              write promises/<name>/ from a Terraform module: a typed schema from its
                              variables (nested types, optional() defaults, validations), a stack
                              that calls the module, its outputs, an example request and a test
  cdktf-app                   (for cdktf.json) synthesize each Promise's example request as a stack
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const root = process.cwd();
  switch (command) {
    case 'synth': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { check: { type: 'boolean', default: false }, since: { type: 'string' } },
      });
      const report = await synth(readConfig(root), { names: positionals, check: values.check, ...(values.since ? { since: values.since } : {}) });
      if (report.errors.length > 0) {
        console.error(report.errors.join('\n\n'));
        console.error(`\nsynth failed; generated/ was left as it was`);
        return 1;
      }
      for (const line of report.changes) console.log(line);
      for (const line of report.notes) console.log(line);
      for (const [name, bytes] of report.bundleBytes) console.log(`  ${name}: workflow bundle ${megabytes(bytes, 2)}`);
      if (values.check) {
        if (report.changes.length > 0) {
          console.error(`generated/ is out of date (${report.changes.length} files); run \`npm run synth\` and commit the result`);
          return 1;
        }
        console.log(`generated/ is up to date (${report.compiled.length} Promises)`);
      } else {
        console.log(`synthesized ${report.compiled.length} Promises, ${report.changes.length} files changed`);
      }
      return 0;
    }
    case 'import': {
      const { importCommand } = await import('./import.js');
      return importCommand(readConfig(root), rest, { info: (l) => console.log(l), error: (l) => console.error(l) });
    }
    case 'render': {
      const { parseRenderArgs, render } = await import('./render.js');
      const parsed = parseRenderArgs(rest);
      if (!parsed.ok) {
        console.error(`${parsed.message}\n\n${USAGE}`);
        return 1;
      }
      return render(readConfig(root), parsed.value, { info: (l) => console.log(l), error: (l) => console.error(l) });
    }
    case 'build': {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
      const { buildImages } = await import('./build.js');
      const config = readConfig(root);
      for (const built of await buildImages(config, positionals)) {
        console.log(`built dist/images/${built.promise} for ${built.image} (workflow.cjs ${megabytes(built.bytes, 2)})`);
      }
      return 0;
    }
    case 'approve': {
      const { approve, parseApproveArgs } = await import('./approve.js');
      const parsed = parseApproveArgs(rest);
      if (!parsed.ok) {
        console.error(`${parsed.message}\n\n${USAGE}`);
        return 1;
      }
      return approve(parsed.value, process.env, { info: (l) => console.log(l), error: (l) => console.error(l) });
    }
    case 'cdktf-app': {
      const { cdktfApp } = await import('./cdktf-app.js');
      await cdktfApp(readConfig(root));
      return 0;
    }
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      console.log(USAGE);
      return command === undefined ? 1 : 0;
    default:
      console.error(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(2);
  },
);
