import * as path from 'node:path';
import { loadConfig } from '../../src/config/config';
import { AppError } from '../../src/common/errors';

const hash = 'a'.repeat(64);

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env, '/srv/app');
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('CONFIG_INVALID');
    return (e as Error).message;
  }
  throw new Error('expected loadConfig to fail');
}

describe('loadConfig', () => {
  it('has working defaults for a local run', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c.http.port).toBe(4000);
    expect(c.elasticsearch.nodes).toEqual(['http://127.0.0.1:9200']);
    expect([c.elasticsearch.shards, c.elasticsearch.replicas]).toEqual([1, 0]);
    expect(c.elasticsearch.indexAlias).toBe('products');
    expect(c.model.dir).toBe(path.resolve('/srv/app', 'models/siglip-tiny'));
    expect(c.graphql.introspection).toBe(true);
    expect(c.elasticsearch.auth).toBeUndefined();
  });

  it('gives in-flight requests 25 s to finish on shutdown, configurable and bounded', () => {
    expect(loadConfig({}, '/srv/app').http.shutdownTimeoutMs).toBe(25_000);
    expect(loadConfig({ SHUTDOWN_TIMEOUT_MS: '0' }, '/srv/app').http.shutdownTimeoutMs).toBe(0);
    expect(configError({ SHUTDOWN_TIMEOUT_MS: '-1' })).toMatch(/SHUTDOWN_TIMEOUT_MS/);
    expect(configError({ SHUTDOWN_TIMEOUT_MS: '600001' })).toMatch(/SHUTDOWN_TIMEOUT_MS/);
  });

  it('runs repeated queries compiled and builds int8 HNSW indices unless told otherwise', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c.graphql.jit).toBe(true);
    expect(c.elasticsearch.vectorIndexType).toBe('int8_hnsw');
    expect(loadConfig({ GRAPHQL_JIT: 'false', ES_VECTOR_INDEX_TYPE: 'bbq_hnsw' }, '/srv/app')).toMatchObject({
      graphql: { jit: false },
      elasticsearch: { vectorIndexType: 'bbq_hnsw' },
    });
    expect(configError({ ES_VECTOR_INDEX_TYPE: 'int2_hnsw' })).toMatch(/ES_VECTOR_INDEX_TYPE/);
  });

  it('rescores every kNN candidate with its float vector unless told otherwise, within Elasticsearch\'s bounds', () => {
    expect(loadConfig({}, '/srv/app').elasticsearch.knnOversample).toBe(1);
    expect(['0', '2.5', '10'].map((v) => loadConfig({ ES_KNN_OVERSAMPLE: v }, '/srv/app').elasticsearch.knnOversample)).toEqual([0, 2.5, 10]);
    for (const bad of ['0.5', '10.5', '-1', 'three']) expect(configError({ ES_KNN_OVERSAMPLE: bad })).toMatch(/ES_KNN_OVERSAMPLE/);
  });

  it('lets the vision tower\'s threads sleep between operators unless told to busy-wait', () => {
    expect(loadConfig({}, '/srv/app').model).toMatchObject({ threads: 2, visionSpinWait: false });
    expect(loadConfig({ MODEL_VISION_SPIN_WAIT: 'true' }, '/srv/app').model.visionSpinWait).toBe(true);
    expect(configError({ MODEL_VISION_SPIN_WAIT: 'sometimes' })).toMatch(/MODEL_VISION_SPIN_WAIT/);
  });

  it('names the variable and the problem', () => {
    expect(configError({ PORT: 'eighty' })).toMatch(/PORT/);
    expect(configError({ ES_URL: 'ftp://x' })).toMatch(/ES_URL/);
    expect(configError({ ES_INDEX_ALIAS: 'Products!' })).toMatch(/ES_INDEX_ALIAS/);
    expect(configError({ ES_USERNAME: 'elastic' })).toMatch(/ES_USERNAME and ES_PASSWORD/);
    expect(configError({ API_KEY_SHA256: 'not-a-hash' })).toMatch(/API_KEY_SHA256/);
  });

  it('refuses production without write keys and turns introspection off there', () => {
    expect(configError({ NODE_ENV: 'production' })).toMatch(/API_KEY_SHA256: required in production/);
    const c = loadConfig({ NODE_ENV: 'production', API_KEY_SHA256: hash }, '/srv/app');
    expect(c.graphql.introspection).toBe(false);
    expect(c.auth.apiKeySha256).toEqual([hash]);
  });

  it('reads Elasticsearch credentials and treats empty strings as unset', () => {
    expect(loadConfig({ ES_API_KEY: 'k' }).elasticsearch.auth).toEqual({ apiKey: 'k' });
    expect(loadConfig({ ES_USERNAME: 'u', ES_PASSWORD: 'p' }).elasticsearch.auth).toEqual({ username: 'u', password: 'p' });
    expect(loadConfig({ PORT: '' }).http.port).toBe(4000);
    expect(loadConfig({ IMAGE_FETCH_ALLOW_PRIVATE: '127.0.0.1/32, ::1/128' }).images.allowPrivateCidrs).toEqual([
      '127.0.0.1/32',
      '::1/128',
    ]);
    expect(loadConfig({}).images.allowedHosts).toEqual([]);
    expect(loadConfig({ IMAGE_FETCH_ALLOWED_HOSTS: 'cdn.shop.com, *.shopifycdn.com' }).images.allowedHosts).toEqual([
      'cdn.shop.com',
      '*.shopifycdn.com',
    ]);
  });

  it('takes every Elasticsearch node as a comma-separated ES_URL, and the index shape', () => {
    const c = loadConfig({ ES_URL: 'http://es1:9200, http://es2:9200,https://es3:9243', ES_INDEX_SHARDS: '2', ES_INDEX_REPLICAS: '1' });
    expect(c.elasticsearch.nodes).toEqual(['http://es1:9200', 'http://es2:9200', 'https://es3:9243']);
    expect([c.elasticsearch.shards, c.elasticsearch.replicas]).toEqual([2, 1]);
    expect(configError({ ES_URL: 'http://es1:9200,ftp://es2' })).toMatch(/ES_URL/);
    expect(configError({ ES_URL: ' , ' })).toMatch(/ES_URL: at least one http\(s\) URL/);
    expect(configError({ ES_INDEX_SHARDS: '0' })).toMatch(/ES_INDEX_SHARDS/);
    expect(configError({ ES_INDEX_REPLICAS: '-1' })).toMatch(/ES_INDEX_REPLICAS/);
  });

  it('takes a per-request deadline and bounds it', () => {
    expect(loadConfig({}).http.requestTimeoutMs).toBe(60_000);
    expect(loadConfig({ REQUEST_TIMEOUT_MS: '2500' }).http.requestTimeoutMs).toBe(2500);
    expect(configError({ REQUEST_TIMEOUT_MS: '50' })).toMatch(/REQUEST_TIMEOUT_MS/);
    expect(configError({ REQUEST_TIMEOUT_MS: 'soon' })).toMatch(/REQUEST_TIMEOUT_MS/);
  });
});

describe('loadConfig: browser-facing settings', () => {
  it('defaults: no CORS origins, 60 s persisted-query max-age, pages on outside production only', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c.web).toEqual({ dir: path.resolve('/srv/app', 'dist/public'), pages: true, corsAllowedOrigins: [], persistedQueryMaxAgeS: 60 });
    expect(loadConfig({ NODE_ENV: 'production', API_KEY_SHA256: hash }, '/srv/app').web.pages).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', API_KEY_SHA256: hash, WEB_PAGES: 'true' }, '/srv/app').web.pages).toBe(true);
  });

  it('takes CORS origins and refuses anything that is not an origin', () => {
    expect(loadConfig({ CORS_ALLOWED_ORIGINS: 'https://shop.example.com, http://127.0.0.1:8080/' }, '/srv/app').web.corsAllowedOrigins).toEqual([
      'https://shop.example.com',
      'http://127.0.0.1:8080',
    ]);
    expect(configError({ CORS_ALLOWED_ORIGINS: 'https://shop.example.com/path' })).toMatch(/CORS_ALLOWED_ORIGINS: "https:\/\/shop.example.com\/path" is not an origin/);
    expect(configError({ CORS_ALLOWED_ORIGINS: '*' })).toMatch(/CORS_ALLOWED_ORIGINS/);
    expect(configError({ PERSISTED_QUERY_MAX_AGE_S: '-1' })).toMatch(/PERSISTED_QUERY_MAX_AGE_S/);
  });
});
