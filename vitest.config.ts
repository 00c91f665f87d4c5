import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // `import 'watershed/sdk'` inside this repository (a test, an example) resolves to the TypeScript
  // sources, not to dist/ (see the `watershed-source` condition in package.json's exports).
  ssr: { resolve: { conditions: ['watershed-source', ...defaultServerConditions] } },
  test: {
    include: ['test/**/*.test.ts', 'capability-matrix/**/*.test.ts'],
    globalSetup: ['test/kafka/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
