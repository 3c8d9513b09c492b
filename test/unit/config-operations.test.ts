import { loadConfig } from '../../src/config/config';

const hash = 'a'.repeat(64);
const load = (env: Record<string, string>) => loadConfig(env, '/srv/app');
const failure = (env: Record<string, string>) => {
  try {
    load(env);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected loadConfig to fail');
};

describe('operations settings', () => {
  it('limits rates outside tests, with budgets that hold the costliest request', () => {
    expect(load({}).rateLimit).toEqual({ enabled: true, windowS: 60, anonymousPoints: 300, keyPoints: 3000, writePoints: 600, costPerPoint: 100 });
    expect(load({ NODE_ENV: 'test' }).rateLimit.enabled).toBe(false);
    expect(failure({ RATE_LIMIT_ANONYMOUS_POINTS: '50' })).toMatch(/RATE_LIMIT_ANONYMOUS_POINTS: 50 is below 51/);
    expect(failure({ RATE_LIMIT_WRITE_POINTS: '5', GRAPHQL_MAX_COST: '1000' })).toMatch(/RATE_LIMIT_WRITE_POINTS: 5 is below 11/);
    expect(load({ RATE_LIMIT_ENABLED: 'false', RATE_LIMIT_ANONYMOUS_POINTS: '5' }).rateLimit.anonymousPoints).toBe(5);
  });

  it('reads TRUST_PROXY as a hop count, true meaning one', () => {
    expect([undefined, 'false', 'true', '2'].map((v) => load(v === undefined ? {} : { TRUST_PROXY: v }).http.trustProxyHops)).toEqual([0, 0, 1, 2]);
    expect(failure({ TRUST_PROXY: 'yes please' })).toMatch(/TRUST_PROXY/);
  });

  it('turns readiness off 5 s before closing in production only, and inside the shutdown deadline', () => {
    expect(load({}).http.shutdownUnreadyDelayMs).toBe(0);
    expect(load({ NODE_ENV: 'production', API_KEY_SHA256: hash }).http.shutdownUnreadyDelayMs).toBe(5000);
    expect(load({ NODE_ENV: 'production', API_KEY_SHA256: hash, SHUTDOWN_TIMEOUT_MS: '4000' }).http.shutdownUnreadyDelayMs).toBe(2000);
    expect(failure({ SHUTDOWN_UNREADY_DELAY_MS: '30000' })).toMatch(/SHUTDOWN_UNREADY_DELAY_MS: 30000 leaves no time to drain/);
  });

  it('serves no metrics unless told where, and takes metrics keys as digests', () => {
    expect(load({}).metrics).toEqual({ port: undefined, host: '127.0.0.1', apiKeySha256: [] });
    expect(load({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0', METRICS_API_KEY_SHA256: hash.toUpperCase() }).metrics).toEqual({
      port: 9464,
      host: '0.0.0.0',
      apiKeySha256: [hash],
    });
    expect(failure({ METRICS_API_KEY_SHA256: 'secret' })).toMatch(/METRICS_API_KEY_SHA256: each entry must be a 64-character hex/);
  });

  it('takes pino log levels', () => {
    expect(load({}).log.level).toBe('info');
    expect(load({ LOG_LEVEL: 'debug' }).log.level).toBe('debug');
    expect(failure({ LOG_LEVEL: 'verbose' })).toMatch(/LOG_LEVEL/);
  });
});
