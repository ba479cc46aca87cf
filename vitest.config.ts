import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    exclude: ['dist/**', 'node_modules/**'],
    // Compiles dist/ once for the e2e tests that spawn the CLI (they must not each rebuild it).
    globalSetup: ['tests/helpers/build-once.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // e2e suites spawn real processes; two cores are not enough for wide parallelism.
    maxWorkers: 2,
    // The default report, then one plain `N passed, N failed` closing line for CI.
    reporters: ['default', './tests/helpers/plain-summary-reporter.ts'],
  },
});
