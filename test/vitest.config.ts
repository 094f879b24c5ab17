import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    // The production build, once, before any test file: the tests that start the service or the CLI
    // as child processes run dist/ (what `npm start` runs), and test/build/build.test.ts checks it.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Proving is CPU-bound and the reference machine has 2 cores.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    // Test files share their worker process (two of them), so the curve engine, parsed keys,
    // witness calculators and the module graph are built once per worker instead of once per file
    // (the suite's CPU 428 -> 294 s here). Each file still makes its own apps, stores and data
    // directories and restores what it stubs; the module-level memos are built to be shared
    // (artifact bytes by hash, shape checks per artifact store, the bn128 engine, rebuilt after any
    // termination: src/verifier/curve.ts). A test that needs a fresh process does not belong here.
    isolate: false,
    reporters: ['default'],
  },
});
