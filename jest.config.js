/**
 * Unit tests run in-process; integration and e2e tests need the Elasticsearch that scripts/test.sh starts. The slow
 * project holds what takes minutes; its fault drills run Elasticsearch nodes of their own (started and stopped by the
 * tests, never the shared one).
 */
const common = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/support/quiet-logs.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Inside the checkout (gitignored), not the system temp dir; it outlives a run so transforms stay cached.
  cacheDirectory: '<rootDir>/tmp/jest-cache',
  // tmp/ holds scratch copies of the checkout (and test temp dirs), never modules or tests; so does .stryker-tmp while
  // `npm run mutation` runs.
  modulePathIgnorePatterns: ['<rootDir>/tmp/', '<rootDir>/.stryker-tmp/'],
};

module.exports = {
  testTimeout: 60000,
  // The second reporter names anything a suite left open when the run ends (see the file for why it matters here).
  reporters: ['default', '<rootDir>/test/support/open-handles-reporter.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/src/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      // ONNX Runtime checks tensors with instanceof against the host realm's typed arrays.
      testEnvironment: '<rootDir>/test/support/native-typed-arrays.environment.js',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/e2e/**/*.test.ts'],
    },
    {
      ...common,
      // Minutes, not seconds (gigabyte feeds, memory ceilings, fault drills, the soak): `npm run test:slow`, and CI.
      // `npm test` skips it.
      displayName: 'slow',
      testEnvironment: '<rootDir>/test/support/native-typed-arrays.environment.js',
      testMatch: ['<rootDir>/test/slow/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'browser',
      // Real Chromium against the real server (scripts/browser.sh installs it; the build makes the web assets).
      testEnvironment: '<rootDir>/test/support/native-typed-arrays.environment.js',
      transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'test/browser/tsconfig.json' }] },
      testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
    },
  ],
};
