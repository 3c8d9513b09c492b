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
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { projects, ...jestTop } = require('./jest.config.js');
const { displayName: _unit, ...unitProject } = projects.find((/** @type {{displayName: string}} */ p) => p.displayName === 'unit');

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
      // The layering test reads src/ line by line; Stryker's instrumented copies are longer than any source file.
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/unit/architecture\\.test\\.ts$'],
    },
    enableFindRelatedTests: false,
  },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  coverageAnalysis: 'perTest',
  concurrency: 2,
  mutate: [
    'src/search/**/*.ts',
    '!src/search/elasticsearch/elasticsearch.adapter.ts',
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
};
