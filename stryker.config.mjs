// @ts-check
/**
 * Mutation testing of the unit project (`npm run mutation`; not part of `npm test`, it takes a while).
 *
 * - Only the unit tests run: they are in-process and deterministic, so a surviving mutant means a missing assertion,
 *   never a flaky network. The Elasticsearch adapter is not mutated: its behaviour needs a real cluster and is covered
 *   by the integration tests, which are too slow to run once per mutant.
 * - The machine has two shared cores: at most two workers, and coverage per test so each mutant runs only the tests
 *   that reach it.
 * - Full runs by default. `npm run mutation -- --incremental` reuses the last results for unchanged code and tests,
 *   which is quick while writing tests, but it reuses stale verdicts for module-level constants and for tests driven
 *   by data files (the SSRF corpus, the Pillow fixtures): measure the scores the README records with a full run.
 * - Reports go to reports/mutation (git-ignored): index.html, mutation.json, and the per-file table on stdout.
 * - One module at a time: `--mutate <file>` mutates only it, but the initial run is still the whole unit project.
 *   STRYKER_TESTS (test files, space-separated) narrows every run to those files; give it the unit tests that import
 *   the module (`npx jest --selectProjects unit --listTests --findRelatedTests <file>`), the only ones that can kill
 *   its mutants, and the score is the same in a fraction of the time (scripts/mutation-module.sh does both).
 */
import { createRequire } from 'node:module';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { projects, ...jestTop } = require('./jest.config.js');
const { displayName: _unit, ...unitProject } = projects.find((/** @type {{displayName: string}} */ p) => p.displayName === 'unit');
// Relative to the checkout: Stryker runs the tests in a sandbox copy of it, whose <rootDir> is elsewhere.
const here = fileURLToPath(new URL('.', import.meta.url));
const only = (process.env['STRYKER_TESTS'] ?? '').split(/\s+/).filter(Boolean).map((f) => relative(here, f));

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    // The unit project, flattened: Stryker's jest runner instruments the top-level test environment only.
    config: {
      ...jestTop,
      ...unitProject,
      projects: undefined,
      ...(only.length > 0 ? { testMatch: only.map((f) => `<rootDir>/${f}`) } : {}),
      // The layering test reads src/ line by line; Stryker's instrumented copies are longer than any source file.
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/unit/architecture\\.test\\.ts$'],
    },
    enableFindRelatedTests: false,
  },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  // Stryker prepends `// @ts-nocheck` to every file this matches; the generated WebAssembly module is compared byte
  // for byte with a rebuild (pil-resize.test.ts), so it keeps its text. It holds one string constant: nothing to check.
  disableTypeChecks: '{test,src}/**/!(*.wasm).{js,ts}',
  coverageAnalysis: 'perTest',
  concurrency: 2,
  mutate: [
    'src/search/**/*.ts',
    '!src/search/elasticsearch/elasticsearch.adapter.ts',
    // The adapter's parts that only send requests: like the adapter, they need a real cluster (integration tests).
    '!src/search/elasticsearch/{connection,transport,retrying,generation,rule-store,shadow-store,tag-store}.ts',
    'src/common/vectors.ts',
    'src/sources/address-policy.ts',
    'src/embedding/tokenizer.ts',
    'src/embedding/pixels/pil-resize.ts',
    'src/embedding/micro-batcher.ts',
    'src/server/mask-error.ts',
    'src/ingest/ingest.service.ts',
  ],
  incremental: false,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
  timeoutMS: 10000,
  // The initial run is the whole unit project with per-test coverage: minutes on a busy two-core machine.
  dryRunTimeoutMinutes: 30,
};
