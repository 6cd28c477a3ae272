import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// `kratix-cdktf` imports resolve to this checkout's sources (package.json "exports").
const conditions = ['kratix-cdktf-source', ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/**/*.test.ts', 'promises/**/*.test.ts'],
    // Real Terraform and PostgreSQL runs take seconds, not milliseconds.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
