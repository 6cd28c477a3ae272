import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// `kratix-cdktf` imports resolve to this checkout's sources (package.json "exports").
const conditions = ['kratix-cdktf-source', ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/**/*.test.ts', 'promises/**/*.test.ts'],
    // Vitest's default on 2 cores is one worker, but most of this suite's time is spent waiting
    // on child processes (terraform, PostgreSQL, node --build-snapshot): three files at a time
    // keep both cores busy. Measured here on 2 cores: 102 s with 3 workers, 121 s with 4.
    maxWorkers: 3,
    // Files share a worker's loaded modules (cdktf, providers, esbuild) instead of loading them
    // again each; no test relies on a fresh module state (temp projects get fresh paths).
    isolate: false,
    // Real Terraform and PostgreSQL runs take seconds, not milliseconds.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
