import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ProductDocument } from '../../src/catalog/product';
import { MAPPING_VERSION } from '../../src/search/elasticsearch/index-mapping';
import { syntheticCatalog } from '../support/catalog';
import { ES_URL, knn, testIndex } from '../support/es';
import { serveBytes, startFixtureServer, type FixtureServer } from '../support/fixture-server';
import { MODEL_DIR } from '../support/server';

/**
 * A model change: the alias serves an index built by another (3-d) model; `npm run reindex` re-embeds every product
 * from its imageUrl into a new index and swaps the alias only when every product made it.
 */
const ROOT = path.resolve(__dirname, '../..');

function reindex(alias: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/reindex.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, TMPDIR: os.tmpdir(), ES_URL, ES_INDEX_ALIAS: alias, MODEL_DIR, IMAGE_FETCH_ALLOW_PRIVATE: '127.0.0.1/32' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('reindex to a new model', () => {
  const index = testIndex('reindex');
  let cdn: FixtureServer;

  beforeAll(async () => {
    const catalog = await syntheticCatalog(77, 6);
    cdn = await startFixtureServer(Object.fromEntries(catalog.map((p) => [`/${p.record.id}.jpg`, serveBytes(p.jpeg)])));
    await index.ensureIndex({ modelId: 'old-model', dims: 3 });
    const docs: ProductDocument[] = catalog.map((p, i) => ({
      id: p.record.id,
      title: p.record.title,
      category: p.record.category,
      inStock: true,
      tags: [],
      attributes: {},
      imageUrl: i === 5 ? cdn.url('/gone.jpg') : cdn.url(`/${p.record.id}.jpg`),
      updatedAt: new Date().toISOString(),
      // The old model's vectors: arbitrary unit vectors, only there to be replaced.
      imageVector: [1, 0, 0],
      imageSha256: 'old',
      contentHash: 'old',
      modelId: 'old-model',
    }));
    expect(await index.bulkUpsert(docs, { refresh: true })).toEqual(docs.map((d) => ({ id: d.id, ok: true, created: true })));
  });

  afterAll(async () => {
    await index.dropAll();
    await index.close();
    await cdn.close();
  });

  it('keeps serving the old index when a product cannot be re-embedded', async () => {
    const r = await reindex(index.alias);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/1 products failed[\s\S]*alias not swapped/);
    expect((await index.describeAlias())!.identity).toEqual({ modelId: 'old-model', dims: 3 });
  });

  it('swaps the alias once every product is re-embedded', async () => {
    expect(await index.delete('p-000005', { refresh: true })).toBe(true);
    const r = await reindex(index.alias);
    expect(r.out).toMatch(/now serves/);
    expect(r.code).toBe(0);
    const now = await index.describeAlias();
    expect(now!.identity!.modelId).not.toBe('old-model');
    expect(now!.identity!.dims).toBeGreaterThan(3);
    const docs = await index.getDocuments(['p-000000', 'p-000004']);
    expect(docs.size).toBe(2);
    expect(docs.get('p-000000')!.imageVector).toHaveLength(now!.identity!.dims);
    const neighbours = await knn(index, docs.get('p-000000')!.imageVector, 1);
    expect(neighbours[0].product.id).toBe('p-000000');
  });

  it('rebuilds an index of the same model whose mapping is older than this server\'s, then has nothing to do', async () => {
    const before = (await index.describeAlias())!;
    // What an index created by the previous release looks like: same model, mapping version 1.
    const res = await fetch(`${ES_URL}/${before.index}/_mapping`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ _meta: { model_id: before.identity!.modelId, dims: before.identity!.dims, mapping_version: 1 } }),
    });
    expect(res.status).toBe(200);
    const r = await reindex(index.alias);
    expect([r.code, r.out]).toEqual([0, expect.stringMatching(/now serves/)]);
    const after = (await index.describeAlias())!;
    expect([after.index === before.index, after.identity, after.mappingVersion]).toEqual([false, before.identity, MAPPING_VERSION]);
    expect((await index.getDocuments(['p-000000', 'p-000004'])).size).toBe(2);
    const again = await reindex(index.alias);
    expect([again.code, again.out]).toEqual([0, expect.stringMatching(/nothing to do/)]);
  });
});
