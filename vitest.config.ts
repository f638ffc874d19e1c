import { defineConfig } from 'vitest/config';

// Two projects: everything that runs in-process, in parallel; and the tests that go through
// pcscd and vpcd, one file at a time, because a vpcd slot holds one virtual card.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.pcsc.test.ts', 'node_modules/**'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'pcsc',
          include: ['test/**/*.pcsc.test.ts'],
          globalSetup: ['test/support/pcscd.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
