import { defineConfig } from 'vitest/config'

/** Options both projects share; the global setups are the root's, run once for both. */
const shared = { testTimeout: 20_000 }

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts', 'test/postgres-setup.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
    projects: [
      { test: { ...shared, name: 'weir', include: ['test/**/*.test.ts'] } },
      {
        // The engine suite again, on PostgreSQL (the store contract suite runs on both by itself).
        test: {
          ...shared,
          name: 'engine on postgresql',
          include: ['test/runtime/engine/**/*.test.ts'],
          // Its faults are libSQL's (a read-only file); PostgreSQL's outage has a test of its own.
          exclude: ['test/runtime/engine/storage-recovery.test.ts'],
          env: { WEIR_TEST_STORE: 'postgres' },
        },
      },
    ],
  },
})
