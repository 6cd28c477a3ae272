import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// `npm run test:browser`: the tests that need Debian's chromium, which `npm test` leaves out.
const conditions = ['kratix-cdktf-source', ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: { include: ['test/browser/**/*.test.ts'], testTimeout: 180_000 },
});
