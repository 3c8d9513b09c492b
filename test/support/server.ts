import * as path from 'node:path';
import { startServer, type RunningServer } from '../../src/app';
import { loadConfig, type AppConfig } from '../../src/config/config';
import { sha256Hex } from '../../src/server/auth';
import { ES_URL } from './es';

export const TEST_API_KEY = 'test-key-0123456789abcdef';
/** The project's own SigLIP by default; MODEL_DIR runs the same suites against another export. */
export const MODEL_DIR = path.resolve(__dirname, '../..', process.env.MODEL_DIR ?? 'models/siglip-tiny');

export function testConfig(env: Record<string, string> = {}): AppConfig {
  return loadConfig(
    {
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      ES_URL,
      ES_INDEX_ALIAS: `test-e2e-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
      MODEL_DIR,
      API_KEY_SHA256: sha256Hex(TEST_API_KEY),
      // The loopback fixture server is allowed explicitly; the SSRF guard stays on for everything else.
      IMAGE_FETCH_ALLOW_PRIVATE: '127.0.0.1/32',
      IMAGE_FETCH_TIMEOUT_MS: '3000',
      ...env,
    },
    path.resolve(__dirname, '../..'),
  );
}

export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  body: { data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

export interface TestServer extends RunningServer {
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, o?: { key?: string | null }): Promise<GqlResponse<T>>;
}

/** The real server (real model, real Elasticsearch, real HTTP on an ephemeral port), on a private alias. */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startServer(testConfig(env));
  const gql: TestServer['gql'] = async (query, variables, o = {}) => {
    const key = o.key === undefined ? TEST_API_KEY : o.key;
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, body: (await res.json()) as GqlResponse['body'] } as never;
  };
  const stop = server.stop;
  return Object.assign(server, {
    gql,
    async stop() {
      await server.services.index.dropAll();
      await stop();
    },
  });
}
