import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';
import { RUN_CACHE_DIR } from './tests/support/runCache.js';
import { SlowFirstSequencer } from './tests/support/sequencer.js';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

/**
 * Integration suites whose rules live in the database: they run on both engines, their cases about
 * what the checks decide (checksCase) on SQLite only. (The crash suite runs on SQLite only: on
 * PostgreSQL the nodes suite kills a process mid-activation among three. The registration and
 * retention suite too: on PostgreSQL the fulfilment suite finds its records and sweeps a returned order.)
 */
const STATEFUL_SUITES = ['orders', 'cardCap', 'liveness', 'fulfilment', 'channels', 'engines', 'staff', 'review', 'handoff', 'campaigns', 'monitoring', 'cases'].map((name) => `tests/integration/${name}.test.ts`);
/**
 * Browser tests whose outcome does not rest on the page's face tracker keeping up with a moving face
 * (no live check, or one that fails whatever the tracker sees): they run beside the rest.
 */
const BESIDE_BROWSER = ['console', 'campaigns', 'agents', 'alerts', 'inAppBrowsers', 'autoCapture', 'courier', 'buyerGuidance'].map((name) => `tests/e2e/${name}.test.ts`);
/** Many processes on one database: PostgreSQL only. */
const POSTGRES_ONLY = ['tests/integration/nodes.test.ts'];

export default defineConfig({
  root: here('./web'),
  plugins: [vue()],
  resolve: {
    alias: { '@shared': here('./shared/src/index.ts') },
  },
  build: {
    outDir: here('./dist/web'),
    emptyOutDir: true,
    rollupOptions: {
      // The SPA, and embed.js for storefronts (a fixed name: agents put it in their pages).
      input: { index: here('./web/index.html'), embed: here('./web/embed.ts') },
      output: { entryFileNames: (chunk) => (chunk.name === 'embed' ? 'embed.js' : 'assets/[name]-[hash].js') },
    },
  },
  server: {
    proxy: { '/api': 'http://localhost:8080', '/models': 'http://localhost:8080' },
  },
  test: {
    root: here('.'),
    // Model loading and OCR on a 2-core machine: generous, and no test asserts on time.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // What test files compute about shared fixtures (where the face is in a photo), kept for the
    // run's other files: one folder per run, removed at its end (tests/support/runCache.ts).
    env: { TEST_RUN_CACHE: RUN_CACHE_DIR },
    setupFiles: ['tests/support/setupRunCache.ts'],
    globalSetup: ['tests/support/runCache.ts'],
    // Two files at a time (the default is one on two cores): much of a file's time is spent waiting
    // on servers, subprocesses and databases. The browser project still runs alone and in order.
    maxWorkers: 2,
    sequence: { sequencer: SlowFirstSequencer },
    projects: [
      { extends: true, test: { name: 'core', include: ['tests/**/*.test.ts'], exclude: ['tests/e2e/**', ...POSTGRES_ONLY], sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'browser-beside', include: BESIDE_BROWSER, sequence: { groupOrder: 0 } } },
      // The suites that keep state, again on PostgreSQL: a server of the run's own (or TEST_DATABASE_URL).
      {
        extends: true,
        test: {
          name: 'postgres',
          include: [...STATEFUL_SUITES, ...POSTGRES_ONLY],
          env: { TEST_ENGINE: 'postgres' },
          globalSetup: ['tests/support/postgresSetup.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      // The browser's face tracking paces the live check: the browser tests run after the rest, one at
      // a time, so that no other test's vision work starves the page's tracker.
      { extends: true, test: { name: 'browser', include: ['tests/e2e/**/*.test.ts'], exclude: BESIDE_BROWSER, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
