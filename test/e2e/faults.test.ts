import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { ElasticsearchProductIndex } from '../../src/search/elasticsearch/elasticsearch.adapter';
import { ES_URL } from '../support/es';
import { MODEL_DIR, startTestServer, type TestServer } from '../support/server';
import { TcpProxy } from '../support/tcp-proxy';

const ROOT = path.resolve(__dirname, '../..');

describe('Elasticsearch going away while serving', () => {
  const es = new URL(ES_URL);
  const proxy = new TcpProxy({ host: es.hostname, port: Number(es.port || 9200) });
  let server: TestServer;

  beforeAll(async () => {
    await proxy.open();
    server = await startTestServer({ ES_URL: proxy.url, ES_MAX_RETRIES: '0', ES_REQUEST_TIMEOUT_MS: '3000' });
  });
  afterAll(async () => {
    proxy.up();
    await server?.stop();
    await proxy.close();
  });

  const ready = () => fetch(server.url.replace('/graphql', '/readyz'));
  const query = () => server.gql(`{ similarProducts(id: "p-1") { __typename } }`);

  it('fails with a masked, coded error, reports not ready, and recovers on its own', async () => {
    expect((await query()).body.data).toEqual({ similarProducts: { __typename: 'ProductNotFound' } });

    proxy.down();
    const down = await query();
    expect(down.body.errors).toHaveLength(1);
    expect(down.body.errors![0]).toMatchObject({
      message: 'The search backend is unavailable; retry shortly',
      extensions: { code: 'SEARCH_BACKEND_UNAVAILABLE' },
    });
    expect(JSON.stringify(down.body)).not.toMatch(/ECONN|socket|127\.0\.0\.1|stack/);
    await new Promise((r) => setTimeout(r, 1100)); // readiness is cached for a second
    expect((await ready()).status).toBe(503);

    proxy.up();
    await new Promise((r) => setTimeout(r, 1100));
    expect((await ready()).status).toBe(200);
    expect((await query()).body.data).toEqual({ similarProducts: { __typename: 'ProductNotFound' } });
  });
});

/** Boot failures must read as one clear paragraph and exit non-zero, never as a stack trace. */
function boot(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, TMPDIR: os.tmpdir(), NODE_ENV: 'test', PORT: '0', MODEL_DIR, ES_URL, ES_STARTUP_WAIT_MS: '0', ...env },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', () => child.kill());
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

function expectClearRefusal(r: { code: number | null; stderr: string }, pattern: RegExp) {
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/Cannot start/);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

describe('refusing to start', () => {
  it('when the index was built for another model or dimension', async () => {
    const alias = `test-mismatch-${process.pid}`;
    const other = ElasticsearchProductIndex.connect({ url: ES_URL, indexAlias: alias, requestTimeoutMs: 10_000, maxRetries: 0 });
    await other.ensureIndex({ modelId: 'some-other-model', dims: 3 });
    try {
      const r = await boot({ ES_INDEX_ALIAS: alias });
      expectClearRefusal(r, /3-d vectors of model "some-other-model".*MODEL_DIR/s);
    } finally {
      await other.dropAll();
      await other.close();
    }
  });

  it('when Elasticsearch is unreachable', async () => {
    expectClearRefusal(await boot({ ES_URL: 'http://127.0.0.1:9' }), /Elasticsearch is unreachable[\s\S]*npm run es:start/);
  });

  it('when the model folder is missing', async () => {
    expectClearRefusal(await boot({ MODEL_DIR: '/nonexistent/model' }), /MODEL_DIR|nonexistent/);
  });

  it('when the configuration is invalid', async () => {
    expectClearRefusal(await boot({ PORT: 'eighty' }), /PORT/);
  });
});
