import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadEmbedder } from '../../src/app';
import type { ProductDocument } from '../../src/catalog/product';
import { FIELD_NAMES, PRODUCT_FIELDS } from '../../src/catalog/product-fields';
import { MAPPING_VERSION, slugifyModelId } from '../../src/search/elasticsearch/index-mapping';
import { syntheticCatalog, toInput } from '../support/catalog';
import { ES_URL, knn, testIndex } from '../support/es';
import { serveBytes, startFixtureServer, type FixtureServer } from '../support/fixture-server';
import { MODEL_DIR, startTestServer, testConfig } from '../support/server';

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
      groupId: p.record.id,
      imageUrl: i === 5 ? cdn.url('/gone.jpg') : cdn.url(`/${p.record.id}.jpg`),
      updatedAt: new Date().toISOString(),
      // The old model's vectors: arbitrary unit vectors, only there to be replaced. Inline images have no URL; the
      // first one is fetched again from imageUrl.
      images: [{ vector: [1, 0, 0], sha256: 'old' }],
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
    expect(docs.get('p-000000')!.images[0]!.vector).toHaveLength(now!.identity!.dims);
    const neighbours = await knn(index, docs.get('p-000000')!.images[0]!.vector, 1);
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

/**
 * A mapping change (MAPPING_VERSION 2 -> 4: tags (3), then several images per product and groupId (4)): the alias serves a version-2 index
 * of the same model (one top-level vector, its fetch bookkeeping beside it). The server refuses it and says to
 * reindex; `npm run reindex` copies every document with its vector and bookkeeping into a version-4 index (nothing
 * fetched or embedded), after which the server serves it and a replay of the catalog input is UNCHANGED.
 */
describe('reindex to a new mapping version', () => {
  const index = testIndex('remap');
  let catalog: Awaited<ReturnType<typeof syntheticCatalog>>;
  let modelId: string;
  const DIMS = 128;

  beforeAll(async () => {
    catalog = await syntheticCatalog(78, 4);
    const embedder = await loadEmbedder(testConfig());
    modelId = embedder.modelId;
    await embedder.close();
    // A version-2 index, as the server before this change created it: one top-level vector per product.
    const legacy = `${index.alias}--${slugifyModelId(modelId)}--${DIMS}d--m2`;
    const { groupId: _g, ...v1Fields } = Object.fromEntries(FIELD_NAMES.map((f) => [f, PRODUCT_FIELDS[f].es]));
    await es('PUT', `/${legacy}`, {
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      aliases: { [index.alias]: { is_write_index: true } },
      mappings: {
        dynamic: 'strict',
        _meta: { model_id: modelId, dims: DIMS, mapping_version: 2 },
        properties: {
          ...v1Fields,
          imageSha256: { type: 'keyword' },
          contentHash: { type: 'keyword' },
          modelId: { type: 'keyword' },
          imageSourceUrl: { type: 'keyword', index: false, doc_values: false },
          imageEtag: { type: 'keyword', index: false, doc_values: false },
          imageLastModified: { type: 'keyword', index: false, doc_values: false },
          image_vector: { type: 'dense_vector', dims: DIMS, index: true, similarity: 'dot_product', index_options: { type: 'int8_hnsw' } },
        },
      },
    });
    const lines = catalog.flatMap((p, i) => {
      const { image: _i, pattern: _p, ...r } = p.record;
      const vector = Array.from({ length: DIMS }, (_, j) => (j === i ? 1 : 0));
      const fetched = i === 2 ? { imageSourceUrl: 'https://cdn.example/p2.jpg', imageEtag: '"e2"' } : {};
      const source = { ...r, updatedAt: '2025-06-01T00:00:00.000Z', imageSha256: createHash('sha256').update(p.jpeg).digest('hex'), contentHash: 'v2', modelId, image_vector: vector, ...fetched };
      return [JSON.stringify({ index: { _index: legacy, _id: r.id } }), JSON.stringify(source)];
    });
    await es('POST', '/_bulk?refresh=true', `${lines.join('\n')}\n`);
  });

  afterAll(async () => {
    await index.dropAll();
    await index.close();
  });

  it('refuses to serve the old mapping and names the fix', async () => {
    const err = await index.ensureIndex({ modelId, dims: DIMS }).catch((e) => e);
    expect(err.code).toBe('INDEX_MAPPING_OUTDATED');
    expect(err.message).toMatch(/mapping version 2.*mapping version 4.*npm run reindex/s);
  });

  it('copies every document with its vector, then serves it; a replay of the input is UNCHANGED', async () => {
    const r = await reindex(index.alias);
    expect(r.out).toMatch(/4 products copied into .*--m4--/);
    expect(r.code).toBe(0);
    const now = (await index.describeAlias())!;
    expect([now.identity, now.mappingVersion]).toEqual([{ modelId, dims: DIMS }, 4]);
    const docs = await index.getDocuments(catalog.map((p) => p.record.id));
    const first = docs.get(catalog[1]!.record.id)!;
    expect(first.groupId).toBe(catalog[1]!.record.id);
    expect(first.updatedAt).toBe('2025-06-01T00:00:00.000Z');
    expect(first.images.map((i) => i.vector.indexOf(1))).toEqual([1]);
    // The fetch bookkeeping moved beside the vector it describes.
    expect(docs.get(catalog[2]!.record.id)!.images[0]).toMatchObject({ url: 'https://cdn.example/p2.jpg', etag: '"e2"' });

    const server = await startTestServer({ ES_INDEX_ALIAS: index.alias });
    try {
      const res = await server.gql(`mutation($i: [ProductInput!]!) { ingestProducts(inputs: $i) { summary { created updated unchanged failed } } }`, {
        i: catalog.map((p) => toInput(p)),
      });
      expect(res.body.data!.ingestProducts.summary).toEqual({ created: 0, updated: 0, unchanged: 4, failed: 0 });
    } finally {
      await server.stop().catch(() => undefined);
    }
  });
});

async function es(method: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${ES_URL}${path}`, {
    method,
    headers: { 'content-type': typeof body === 'string' ? 'application/x-ndjson' : 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok || /"errors":true/.test(text)) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
}
