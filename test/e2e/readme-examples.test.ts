import { execFile } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, type OperationDefinitionNode } from 'graphql';
import { loadCatalog, QUICK_START, syntheticCatalog, type FixtureProduct } from '../support/catalog';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/server';
import { SEARCH_EXPECTATIONS } from './readme-search-examples';

/**
 * The README's examples, run as a new user runs them: against the quick-start catalog, over HTTP. Each example's
 * comment makes a claim; EXPECTATIONS below holds one check per comment (keyed by the comment's first line) that
 * tests the claim against the catalog records, not against the server's own answer. An example without a check,
 * or a check without an example, fails the suite, so editing either side means editing both.
 */
const ROOT = path.resolve(__dirname, '../..');

interface Example {
  /** The first comment line: the key into EXPECTATIONS. */
  title: string;
  query: string;
}

type Body = { data?: Record<string, any>; errors?: { message: string }[] };
interface Ctx {
  /** Runs this example's query (with the given variables) and returns the body, asserting HTTP 200 and no errors. */
  run(variables?: Record<string, unknown>): Promise<Record<string, any>>;
  /** Runs another query, for control measurements. */
  gql(query: string, variables?: Record<string, unknown>): Promise<Record<string, any>>;
  byId: Map<string, FixtureProduct['record']>;
  catalog: FixtureProduct[];
  /** Makes every write so far visible to searches, as the index's refresh interval does for a reader. */
  refresh(): Promise<void>;
}

/** Extracts every example of every ```graphql block: blank-line separated, each a comment followed by one operation. */
function readmeExamples(markdown: string): Example[] {
  const blocks = [...markdown.matchAll(/^```graphql\n([\s\S]*?)^```/gm)].map((m) => m[1]);
  return blocks.flatMap((block) =>
    block
      .split(/\n\s*\n(?=#)/)
      .map((chunk) => chunk.trim())
      .filter(Boolean)
      .map((chunk) => {
        const lines = chunk.split('\n');
        const comment = lines.filter((l) => l.startsWith('#'));
        return { title: comment[0]?.replace(/^#\s*/, '') ?? '', query: lines.slice(comment.length).join('\n') };
      }),
  );
}

const hitIds = (hits: { product: { id: string } }[]) => hits.map((h) => h.product.id);
const nonIncreasing = (xs: number[]) => xs.every((x, i) => i === 0 || xs[i - 1] >= x);

const EXPECTATIONS: Record<string, (c: Ctx) => Promise<void>> = {
  'More like this for p-000042 (black dotted sunglasses): 8 other sunglasses, in stock, at most 150, nearest first':
    async (c) => {
      expect(c.byId.get('p-000042')).toMatchObject({ category: 'sunglasses', color: 'black', pattern: 'dotted' });
      const hits = (await c.run()).similarProducts.hits;
      const eligible = (id: string) => {
        const r = c.byId.get(id)!;
        return r.category === 'sunglasses' && r.inStock && r.price <= 150;
      };
      expect(hits).toHaveLength(8);
      expect(hitIds(hits).filter(eligible)).toEqual(hitIds(hits));
      expect(hitIds(hits)).not.toContain('p-000042');
      expect(nonIncreasing(hits.map((h: { similarity: number }) => h.similarity))).toBe(true);
      // "Nearest first" among the eligible: the same as ranking everything and filtering afterwards.
      const all = await c.gql(`{ similarProducts(id: "p-000042", first: 100) { ... on ProductHits { hits { product { id } } } } }`);
      expect(hitIds(hits)).toEqual(hitIds(all.similarProducts.hits).filter(eligible).slice(0, 8));
      // The price cap removes a nearer pair of sunglasses, so the filter is doing work here.
      expect(hitIds(all.similarProducts.hits).filter((id) => !eligible(id) && c.byId.get(id)!.category === 'sunglasses').length).toBeGreaterThan(0);
    },

  "Text to image, fused with keyword search, within one brand: Sundial's two red t-shirts come first": async (c) => {
    const redSundialTees = c.catalog
      .map((p) => p.record)
      .filter((r) => r.brand === 'Sundial' && r.color === 'red' && r.category === 't-shirt')
      .map((r) => r.id);
    expect(redSundialTees).toHaveLength(2);
    const hits = (await c.run()).searchByText.hits;
    expect(hits).toHaveLength(5);
    expect(hitIds(hits).slice(0, 2).sort()).toEqual(redSundialTees.sort());
    expect(hits.map((h: { product: { brand: string } }) => h.product.brand)).toEqual(Array(5).fill('Sundial'));
  },

  'Because you viewed two sneakers (p-000001, p-000007) and dismissed p-000207, the sneaker that would otherwise':
    async (c) => {
      const viewed = ['p-000001', 'p-000007'];
      expect(viewed.map((id) => c.byId.get(id)!.category)).toEqual(['sneaker', 'sneaker']);
      expect(c.byId.get('p-000207')!.category).toBe('sneaker');
      expect(c.byId.has('p-999999')).toBe(false);
      const without = await c.gql(
        `{ recommendations(productIds: ["p-000001", "p-000007"], first: 6) { hits { product { id } } } }`,
      );
      expect(hitIds(without.recommendations.hits)[0]).toBe('p-000207');

      const r = (await c.run()).recommendations;
      expect(r.unknownIds).toEqual(['p-999999']);
      expect(r.hits).toHaveLength(6);
      expect(r.hits.map((h: { product: { category: string } }) => h.product.category)).toEqual(Array(6).fill('sneaker'));
      for (const id of [...viewed, 'p-000207']) expect(hitIds(r.hits)).not.toContain(id);
    },

  'Visual search from a photo sent inline (variables: { "photo": "<base64 of a JPEG, PNG or WebP>" }):': async (c) => {
    const photo = c.catalog.find((p) => p.record.id === 'p-000042')!.jpeg.toString('base64');
    const r = (await c.run({ photo })).searchByImage;
    expect(r.__typename).toBe('ProductHits');
    expect(r.hits).toHaveLength(5);
    expect(r.hits[0].product.id).toBe('p-000042');
    expect(r.hits[0].similarity).toBeGreaterThan(0.9995); // "1.0" to the displayed precision; 0.99984 measured
  },

  'Visual search from a photo URL: the server fetches it behind an SSRF guard, so a loopback or private address': async (
    c,
  ) => {
    expect((await c.run()).searchByImage).toEqual({
      __typename: 'ImageUrlForbidden',
      errorCode: 'IMAGE_URL_FORBIDDEN',
      message: 'Image URL refused: URL points to a forbidden address',
    });
  },

  'Ingest (needs `Authorization: Bearer <key>` when API_KEY_SHA256 is set): creates sku-123, status CREATED;': async (c) => {
    const first = (await c.run()).ingestProduct;
    expect(first).toMatchObject({ __typename: 'IngestSuccess', status: 'CREATED', product: { id: 'sku-123' } });
    const again = (await c.run()).ingestProduct;
    expect(again).toEqual({ ...first, status: 'UNCHANGED' });
  },

  'Duplicate clusters: the quick-start catalog holds no copied photos, so there are none at DUPLICATE level': async (c) => {
    expect(new Set(c.catalog.map((p) => p.record.id)).size).toBe(c.catalog.length);
    expect((await c.run()).duplicateClusters).toEqual({
      __typename: 'DuplicateClusters',
      totalCount: 0,
      pageInfo: { hasNextPage: false, endCursor: null },
      clusters: [],
    });
  },
  'Delete it again: DeleteSuccess; a second time, ProductNotFound': async (c) => {
    expect((await c.run()).deleteProduct).toEqual({ __typename: 'DeleteSuccess', id: 'sku-123' });
    expect((await c.run()).deleteProduct).toEqual({ __typename: 'ProductNotFound', message: 'No product with id "sku-123"' });
    // A reader of the next examples (25 mugs in the catalog) comes more than a refresh interval later; the test
    // does not wait for one. Without this, an idle index under load still counted the deleted mug.
    await c.refresh();
  },
  ...SEARCH_EXPECTATIONS,
};

describe('README examples on the quick-start catalog', () => {
  const examples = readmeExamplesFromDisk();
  let server: TestServer;
  let catalog: FixtureProduct[];
  let byId: Map<string, FixtureProduct['record']>;

  beforeAll(async () => {
    // No private-address allowance: the README's SSRF example must see what a default server does.
    server = await startTestServer({ IMAGE_FETCH_ALLOW_PRIVATE: '' });
    catalog = await syntheticCatalog(QUICK_START.seed, QUICK_START.n);
    byId = new Map(catalog.map((p) => [p.record.id, p.record]));
    await loadCatalog(server.services, catalog);
  }, 120_000);
  afterAll(() => server?.stop());

  it('uses the catalog scripts/start.sh loads', async () => {
    const start = await fs.readFile(path.join(ROOT, 'scripts/start.sh'), 'utf8');
    expect(start).toContain(`SAMPLE_SEED="\${SAMPLE_SEED:-${QUICK_START.seed}}"`);
    expect(start).toContain(`SAMPLE_SIZE="\${SAMPLE_SIZE:-${QUICK_START.n}}"`);
  });

  it('has one check per example and one example per check', () => {
    expect(examples.length).toBeGreaterThanOrEqual(7);
    expect(examples.map((e) => e.title).sort()).toEqual(Object.keys(EXPECTATIONS).sort());
    for (const e of examples) {
      const ops = parse(e.query).definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
      expect(ops).toHaveLength(1);
    }
  });

  it.each(examples.map((e) => [e.title, e] as const))('%s', async (_title, example) => {
    const gql = async (query: string, variables?: Record<string, unknown>) => {
      const res = await server.gql(query, variables, { key: TEST_API_KEY });
      const body = res.body as Body;
      expect({ status: res.status, errors: body.errors }).toEqual({ status: 200, errors: undefined });
      return body.data!;
    };
    const check = EXPECTATIONS[example.title];
    expect(check).toBeDefined();
    await check({
      run: (variables) => gql(example.query, variables),
      gql,
      byId,
      catalog,
      refresh: () => server.services.index.refresh(),
    });
  });

  it('the shell example prints the inline-photo search, p-000042 first', async () => {
    const readme = await fs.readFile(path.join(ROOT, 'README.md'), 'utf8');
    const shell = [...readme.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((m) => m[1]).find((b) => b.includes('searchByImage'));
    expect(shell).toContain('http://127.0.0.1:4000/graphql');
    // Run it from a folder laid out like a checkout after `npm start`, against this server.
    const cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'readme-sh-'));
    try {
      await fs.mkdir(path.join(cwd, '.data/sample-catalog/images'), { recursive: true });
      const photo = catalog.find((p) => p.record.id === 'p-000042')!.jpeg;
      await fs.writeFile(path.join(cwd, '.data/sample-catalog/images/p-000042.jpg'), photo);
      const script = shell!.replace('http://127.0.0.1:4000/graphql', server.url);
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile('bash', ['-euo', 'pipefail', '-c', script], { cwd }, (e, out) => (e ? reject(e) : resolve(out))),
      );
      const hits = JSON.parse(stdout).data.searchByImage.hits;
      expect(hits).toHaveLength(5);
      expect(hits[0].product.id).toBe('p-000042');
    } finally {
      await fs.rm(cwd, { recursive: true, force: true });
    }
  });
});

function readmeExamplesFromDisk(): Example[] {
  // Synchronous so that it.each can enumerate the examples when the suite is collected.
  return readmeExamples(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
}
