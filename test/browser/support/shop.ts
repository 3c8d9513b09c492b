import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { syntheticCatalog, toInput, type FixtureProduct } from '../../support/catalog';
import { startTestServer, type TestServer } from '../../support/server';

/**
 * The real server (model, Elasticsearch, HTTP) with a synthetic catalog whose images it serves at /samples/, as the
 * quick start does, and the built web assets (scripts/test.sh runs `npm run build:web` before browser tests).
 */
const ROOT = path.resolve(__dirname, '../../..');
export const WEB_DIR = path.join(ROOT, 'dist/public');

export interface Shop {
  server: TestServer;
  /** http://127.0.0.1:port */
  base: string;
  catalog: FixtureProduct[];
  imagePath(id: string): string;
  stop(): Promise<void>;
}

export async function startShop(o: { seed: number; n: number; env?: Record<string, string> }): Promise<Shop> {
  if (!existsSync(path.join(WEB_DIR, 'widgets/v1/widgets.js')) || !existsSync(path.join(WEB_DIR, 'explorer/explorer.js'))) {
    execFileSync('npx', ['tsx', 'scripts/build-web.ts'], { cwd: ROOT, stdio: 'ignore' });
  }
  const catalog = await syntheticCatalog(o.seed, o.n);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shop-catalog-'));
  mkdirSync(path.join(dir, 'images'));
  for (const p of catalog) writeFileSync(path.join(dir, 'images', `${p.record.id}.jpg`), p.jpeg);
  const server = await startTestServer({ SAMPLE_CATALOG_DIR: dir, WEB_DIR, ...o.env });
  for (let i = 0; i < catalog.length; i += 50) {
    const res = await server.gql(`mutation($inputs: [ProductInput!]!) { ingestProducts(inputs: $inputs, refresh: true) { summary { failed } } }`, {
      inputs: catalog.slice(i, i + 50).map((p) => toInput(p, { imageUrl: `/samples/images/${p.record.id}.jpg` })),
    });
    if (res.body.data?.ingestProducts.summary.failed !== 0) throw new Error(`ingest failed: ${JSON.stringify(res.body)}`);
  }
  return {
    server,
    base: server.url.replace(/\/graphql$/, ''),
    catalog,
    imagePath: (id) => path.join(dir, 'images', `${id}.jpg`),
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
