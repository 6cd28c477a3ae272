import { relative } from 'node:path';
import { defaultServerConditions } from 'vite';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

// The files that wait on real Terraform, PostgreSQL, esbuild and node processes take 10-30 s each,
// the rest well under 5 s. Vitest runs the longest first when it has timings from an earlier run,
// and the largest first when it has none (a fresh clone, CI), which left the generic Promise
// suite, a small file, running alone at the end. These run first, in this order, either way.
const SLOW = ['test/promises.test.ts', 'test/delivery/apply-locks', 'test/cli/synth', 'test/cli/', 'test/delivery/apply', 'test/workflow/large-requests'];

class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = SLOW.findIndex((prefix) => relative(import.meta.dirname, f.moduleId).startsWith(prefix));
      return i < 0 ? SLOW.length : i;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b)); // stable: ties keep Vitest's order
  }
}

// `kratix-cdktf` imports resolve to this checkout's sources (package.json "exports").
const conditions = ['kratix-cdktf-source', ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/**/*.test.ts', 'promises/**/*.test.ts'],
    // They need Debian's chromium: `npm run test:browser` (vitest.browser.config.ts), which .ci/run runs.
    exclude: ['test/browser/**', '**/node_modules/**'],
    // Vitest's default on 2 cores is one worker, but most of this suite's time is spent waiting
    // on child processes (terraform, PostgreSQL, node --build-snapshot): three files at a time
    // keep both cores busy. Measured on 2 cores from a fresh clone: 78 s with 2 workers, 77 s
    // with 3, 82 s with 4; esbuild then takes a third of the CPU, terraform an eighth.
    maxWorkers: 3,
    sequence: { sequencer: SlowFirst },
    // Files share a worker's loaded modules (cdktf, providers, esbuild) instead of loading them
    // again each; no test relies on a fresh module state (temp projects get fresh paths).
    isolate: false,
    // Real Terraform and PostgreSQL runs take seconds, not milliseconds.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
