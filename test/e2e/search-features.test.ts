import { encodeCursor } from '../../src/search/pipeline/cursor';
import { autocutCount } from '../../src/search/pipeline/cuts';
import { generateCatalog, type ProductRecord } from '../../tools/synth/catalog';
import { renderVariants } from '../../tools/synth/render';
import { syntheticCatalog, toInput, type FixtureProduct } from '../support/catalog';
import { startTestServer, type TestServer } from '../support/server';

/**
 * The merchandising features end to end (real HTTP, the project's SigLIP, a real Elasticsearch), on the edge cases
 * where naive approaches fail: pages across equal scores, cursors of other queries, depth.
 */
const SEED = 8080;
const N = 60;
/** Seven products with the very same image as p-000005: equal vectors, equal scores. */
const TWINS = ['twin-g', 'twin-a', 'twin-f', 'twin-b', 'twin-e', 'twin-c', 'twin-d'];
/** Products 40-47 become styles of five variants each (the original plus four near-duplicate pictures). */
const STYLES = [40, 41, 42, 43, 44, 45, 46, 47];
/** A product with two images: p-000020's picture first, then p-000030's. */
const TWO_VIEWS = 'two-views';

type Stored = ProductRecord & { groupId: string };

const PAGE = `query($id: ID!, $first: Int!, $after: String) {
  similarProducts(id: $id, first: $first, after: $after) {
    __typename
    ... on ProductHits { hits { score similarity product { id } } pageInfo { hasNextPage endCursor } }
    ... on InvalidCursor { errorCode problem message }
    ... on PageDepthExceeded { errorCode maxDepth requestedDepth }
  }
}`;

describe('search features end to end', () => {
  let server: TestServer;
  let catalog: FixtureProduct[];
  /** Every product ingested, as stored. */
  let ALL: Stored[];

  beforeAll(async () => {
    catalog = await syntheticCatalog(SEED, N);
    server = await startTestServer();
    const styleOf = (i: number) => (STYLES.includes(i) ? `style-${i}` : catalog[i]!.record.id);
    const items = generateCatalog(SEED, N);
    const variants = (
      await Promise.all(
        STYLES.map(async (i) =>
          (await renderVariants(items[i]!, catalog[i]!.jpeg, SEED)).map((v) => ({ record: { ...catalog[i]!.record, id: `${catalog[i]!.record.id}-${v.record.kind}` }, jpeg: v.data, groupId: `style-${i}` })),
        ),
      )
    ).flat();
    const inputs = [
      ...catalog.map((p, i) => toInput(p, { groupId: styleOf(i) })),
      ...TWINS.map((id) => toInput(catalog[5]!, { id })),
      ...variants.map((v) => toInput(v, { groupId: v.groupId })),
    ];
    ALL = [
      ...catalog.map((p, i) => ({ ...p.record, groupId: styleOf(i) })),
      ...TWINS.map((id) => ({ ...catalog[5]!.record, id, groupId: id })),
      ...variants.map((v) => ({ ...v.record, groupId: v.groupId })),
    ];
    const res = await server.gql(`mutation($i: [ProductInput!]!) { ingestProducts(inputs: $i, refresh: true) { summary { failed } } }`, { i: inputs });
    expect(res.body.data!.ingestProducts.summary.failed).toBe(0);
  });
  afterAll(async () => server?.stop());

  async function pagesOf(id: string, first: number): Promise<{ ids: string[][]; scores: number[] }> {
    const ids: string[][] = [];
    const scores: number[] = [];
    let after: string | null = null;
    for (let i = 0; i < 100; i++) {
      const res: { body: { data?: any } } = await server.gql(PAGE, { id, first, after });
      const page: any = res.body.data!.similarProducts;
      expect(page.__typename).toBe('ProductHits');
      ids.push(page.hits.map((h: any) => h.product.id));
      scores.push(...page.hits.map((h: any) => h.score));
      if (!page.pageInfo.hasNextPage) return { ids, scores };
      after = page.pageInfo.endCursor;
    }
    throw new Error('no last page');
  }

  describe('cursor pagination', () => {
    it('pages through equal scores in id order, never repeating or skipping a product', async () => {
      const { ids, scores } = await pagesOf('p-000005', 3);
      const flat = ids.flat();
      expect(flat.slice(0, 7).sort()).toEqual([...TWINS].sort());
      expect(new Set(flat).size).toBe(flat.length);
      // Every product but the seed, once.
      expect(flat.length).toBe(ALL.length - 1);
      // Score descending, equal scores by id. (int8 quantisation is per segment, so twins that landed in different
      // segments may score a hair apart; twins in one segment tie exactly, and there are ties.)
      const order = flat.map((id, i) => ({ id, score: scores[i]! }));
      expect(order).toEqual([...order].sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1)));
      expect(order.slice(0, 7).some((h, i) => i > 0 && h.score === order[i - 1]!.score)).toBe(true);
      // One request for all of it gives the very same order.
      const single = await server.gql(PAGE, { id: 'p-000005', first: 100 });
      expect(single.body.data!.similarProducts.hits.map((h: any) => h.product.id)).toEqual(flat);
    });

    it('answers a cursor of another query, an edited cursor and a page too deep with typed results', async () => {
      const first = await server.gql(PAGE, { id: 'p-000005', first: 2 });
      const cursor = first.body.data!.similarProducts.pageInfo.endCursor;
      const other = await server.gql(PAGE, { id: 'p-000006', first: 2, after: cursor });
      expect(other.body.data!.similarProducts).toMatchObject({ __typename: 'InvalidCursor', errorCode: 'INVALID_CURSOR', problem: 'OTHER_QUERY' });
      const edited = await server.gql(PAGE, { id: 'p-000005', first: 2, after: cursor.replace(/.$/, (c: string) => (c === '0' ? '1' : '0')) });
      expect(edited.body.data!.similarProducts).toMatchObject({ __typename: 'InvalidCursor', problem: 'MALFORMED' });
      const deep = encodeCursor({ kind: 'search', query: 'any', generation: 'any', offset: 990, anchor: 'x', at: 0 });
      const tooDeep = await server.gql(PAGE, { id: 'p-000005', first: 20, after: deep });
      expect(tooDeep.body.data!.similarProducts).toEqual({ __typename: 'PageDepthExceeded', errorCode: 'PAGE_DEPTH_EXCEEDED', maxDepth: 1000, requestedDepth: 1010 });
    });

    it('reports a bad cursor on searchByText as BAD_USER_INPUT carrying the errorCode', async () => {
      const res = await server.gql(`{ searchByText(q: "red mug", after: "nope") { hits { score } } }`);
      expect(res.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', errorCode: 'INVALID_CURSOR', problem: 'MALFORMED' });
    });

    it('pages searchByText in every mode without repeats', async () => {
      for (const mode of ['HYBRID', 'VECTOR', 'KEYWORD']) {
        const seen: string[] = [];
        let after: string | null = null;
        for (let i = 0; i < 30; i++) {
          const res: { body: { data?: any } } = await server.gql(
            `query($after: String) { searchByText(q: "striped mug", mode: ${mode}, first: 7, after: $after) { hits { product { id } } pageInfo { hasNextPage endCursor } } }`,
            { after },
          );
          const page: any = res.body.data!.searchByText;
          seen.push(...page.hits.map((h: any) => h.product.id));
          if (!page.pageInfo.hasNextPage) break;
          after = page.pageInfo.endCursor;
        }
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen.length).toBeGreaterThan(7);
      }
    });
  });

  describe('facets', () => {
    const FACETS = `query($id: ID!, $f: ProductFilterInput) {
      similarProducts(id: $id, first: 3, filters: $f, facets: [COLOR, CATEGORY, PRICE_RANGE, IN_STOCK]) {
        ... on ProductHits { hits { product { id color } } facets { field values { value count from to } } }
      }
    }`;
    const records = () => ALL;
    const countBy = <T>(items: T[], key: (t: T) => string) => {
      const m = new Map<string, number>();
      for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
      return [...m].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)).map(([value, count]) => ({ value, count }));
    };

    it('counts the kNN candidates under the filters, each facet ignoring only its own filter', async () => {
      const seed = catalog[1]!.record;
      const color = catalog[2]!.record.color;
      const res = await server.gql(FACETS, { id: seed.id, f: { colors: [color], maxPrice: 100 } });
      const r = res.body.data!.similarProducts;
      expect(r.hits.every((h: any) => h.product.color === color)).toBe(true);
      // Under 1,000 products, the candidate set is every product that passes the filters, minus the seed.
      const others = records().filter((p) => p.id !== seed.id);
      const byField = Object.fromEntries(r.facets.map((f: any) => [f.field, f.values]));
      expect(byField.COLOR.map(({ value, count }: any) => ({ value, count }))).toEqual(countBy(others.filter((p) => p.price <= 100), (p) => p.color));
      expect(byField.CATEGORY.map(({ value, count }: any) => ({ value, count }))).toEqual(
        countBy(others.filter((p) => p.price <= 100 && p.color === color), (p) => p.category),
      );
      const priced = others.filter((p) => p.color === color);
      const bucket = (lo: number | null, hi: number | null) => priced.filter((p) => (lo === null || p.price >= lo) && (hi === null || p.price < hi)).length;
      expect(byField.PRICE_RANGE).toEqual([
        { value: '*-10', count: bucket(null, 10), from: null, to: 10 },
        { value: '10-25', count: bucket(10, 25), from: 10, to: 25 },
        { value: '25-50', count: bucket(25, 50), from: 25, to: 50 },
        { value: '50-100', count: bucket(50, 100), from: 50, to: 100 },
        { value: '100-250', count: bucket(100, 250), from: 100, to: 250 },
        { value: '250-*', count: bucket(250, null), from: 250, to: null },
      ]);
      expect(byField.IN_STOCK.map(({ value, count }: any) => ({ value, count }))).toEqual(
        countBy(others.filter((p) => p.price <= 100 && p.color === color), (p) => String(p.inStock)),
      );
    });

    it('counts the same on every page and in every search mode that sees every product', async () => {
      const first = await server.gql(`{ searchByText(q: "striped", first: 2, facets: [BRAND]) { facets { values { value count } } pageInfo { endCursor } } }`);
      const next = await server.gql(`query($a: String) { searchByText(q: "striped", first: 2, after: $a, facets: [BRAND]) { facets { values { value count } } } }`, {
        a: first.body.data!.searchByText.pageInfo.endCursor,
      });
      expect(next.body.data!.searchByText.facets).toEqual(first.body.data!.searchByText.facets);
      // Hybrid: the kNN candidates are every product here, so the union counts the whole catalog.
      expect(first.body.data!.searchByText.facets[0].values).toEqual(countBy(records(), (p) => p.brand.toLowerCase()).slice(0, 20));
    });

    it('browse facets count every product under the filters', async () => {
      const res = await server.gql(`{ browseProducts(first: 1, filters: { inStock: true }, facets: [IN_STOCK, TAGS]) { ... on ProductList { totalCount facets { field values { value count } } } } }`);
      const r = res.body.data!.browseProducts;
      expect(r.facets[0]).toEqual({ field: 'IN_STOCK', values: countBy(records(), (p) => String(p.inStock)) });
      expect(r.facets[1].values).toEqual(countBy(records().filter((p) => p.inStock).flatMap((p) => p.tags), (t) => t).slice(0, 20));
    });

    it('refuses an unknown facet field before any work, naming the enum', async () => {
      const res = await server.gql(`{ similarProducts(id: "p-000001", facets: [MATERIAL]) { __typename } }`);
      expect(res.status).toBe(400);
      expect(res.body.errors![0]!.message).toMatch(/MATERIAL.*FacetField/);
      const asVariable = await server.gql(`query($f: [FacetField!]) { similarProducts(id: "p-000001", facets: $f) { __typename } }`, { f: ['MATERIAL'] });
      expect(asVariable.body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    });
  });

  describe('several images and groups', () => {
    it('finds a product by its best-matching image and says which one matched', async () => {
      const input = { ...toInput(catalog[20]!, { id: TWO_VIEWS }), image: undefined, images: [catalog[20]!, catalog[30]!].map((p) => ({ base64: p.jpeg.toString('base64') })) };
      const ingested = await server.gql(`mutation($p: ProductInput!) { ingestProduct(input: $p, refresh: true) { __typename ... on IngestSuccess { status } } }`, { p: input });
      expect(ingested.body.data!.ingestProduct).toEqual({ __typename: 'IngestSuccess', status: 'CREATED' });
      const again = await server.gql(`mutation($p: ProductInput!) { ingestProduct(input: $p) { ... on IngestSuccess { status } } }`, { p: input });
      expect(again.body.data!.ingestProduct.status).toBe('UNCHANGED');
      const res = await server.gql(`query($img: ImageInput!) { searchByImage(image: $img, first: 2) { ... on ProductHits { hits { similarity matchedImage { index url } product { id } } } } }`, {
        img: { base64: catalog[30]!.jpeg.toString('base64') },
      });
      const hits = res.body.data!.searchByImage.hits;
      expect(hits.map((h: any) => h.product.id).sort()).toEqual([catalog[30]!.record.id, TWO_VIEWS].sort());
      expect(hits.find((h: any) => h.product.id === TWO_VIEWS).matchedImage).toEqual({ index: 1, url: null });
      expect(hits.every((h: any) => h.similarity > 0.999)).toBe(true);
      await server.gql(`mutation { deleteProduct(id: "${TWO_VIEWS}", refresh: true) { __typename } }`);
    });

    it('refuses both image and images, and more than PRODUCT_MAX_IMAGES, as InvalidInput', async () => {
      const one = { base64: catalog[1]!.jpeg.toString('base64') };
      const INGEST = `mutation($p: ProductInput!) { ingestProduct(input: $p) { __typename ... on InvalidInput { field message } } }`;
      const both = await server.gql(INGEST, { p: { ...toInput(catalog[1]!, { id: 'bad-both' }), images: [one] } });
      expect(both.body.data!.ingestProduct).toEqual({ __typename: 'InvalidInput', field: 'images', message: 'Give exactly one of image (one image) or images (several)' });
      const nine = await server.gql(INGEST, { p: { ...toInput(catalog[1]!, { id: 'bad-nine' }), image: undefined, images: Array(9).fill(one) } });
      expect(nine.body.data!.ingestProduct).toEqual({ __typename: 'InvalidInput', field: 'images', message: 'A product has at most 8 images; 9 were given' });
    });

    it('collapses big groups to one product each, the best, with its group size', async () => {
      const seed = catalog[STYLES[0]!]!.record.id;
      const res = await server.gql(`query($id: ID!) { similarProducts(id: $id, first: 6, collapse: true) { ... on ProductHits { exhaustive hits { groupSize product { id groupId } } } } }`, { id: seed });
      const hits = res.body.data!.similarProducts.hits;
      expect(res.body.data!.similarProducts.exhaustive).toBe(true);
      const groups = hits.map((h: any) => h.product.groupId);
      expect(hits).toHaveLength(6);
      expect(new Set(groups).size).toBe(6);
      // The seed's own style comes first (its four other pictures), without the seed itself.
      expect(hits[0]).toMatchObject({ groupSize: 4, product: { groupId: `style-${STYLES[0]}` } });
      for (const h of hits) expect(h.groupSize).toBe(ALL.filter((p) => p.groupId === h.product.groupId && p.id !== seed).length);
      // Without collapsing, the first page is mostly that one style.
      const plain = await server.gql(`query($id: ID!) { similarProducts(id: $id, first: 6) { ... on ProductHits { hits { product { groupId } } } } }`, { id: seed });
      expect(new Set(plain.body.data!.similarProducts.hits.map((h: any) => h.product.groupId)).size).toBeLessThan(4);
    });
  });

  describe('exactly N', () => {
    it('fills the page after filters that only the farthest products pass, and says it is exhaustive', async () => {
      // The products farthest from the seed, by the model's own ranking: a naive top-k-then-filter would find none.
      const seed = catalog[3]!.record.id;
      const all = await server.gql(`query($id: ID!) { similarProducts(id: $id, first: 100) { ... on ProductHits { hits { product { id } } } } }`, { id: seed });
      const far = all.body.data!.similarProducts.hits.slice(-12).map((h: any) => h.product.id);
      const res = await server.gql(
        `query($id: ID!, $f: ProductFilterInput) { similarProducts(id: $id, first: 8, filters: $f) { ... on ProductHits { exhaustive hits { product { id } } pageInfo { hasNextPage } } } }`,
        { id: seed, f: { groupIds: far.map((id: string) => ALL.find((p) => p.id === id)!.groupId) } },
      );
      const r = res.body.data!.similarProducts;
      expect(r.hits).toHaveLength(8);
      expect(r.exhaustive).toBe(true);
      expect(r.pageInfo.hasNextPage).toBe(true);
      const wanted = new Set(far.map((id: string) => ALL.find((p) => p.id === id)!.groupId));
      for (const h of r.hits) expect(wanted.has(ALL.find((p) => p.id === h.product.id)!.groupId)).toBe(true);
    });
  });

  describe('ranking controls', () => {
    const SIMILAR = `query($id: ID!, $first: Int!, $d: Float, $min: Float, $cut: Int, $rules: MerchandisingRulesInput, $stored: Boolean, $f: ProductFilterInput, $collapse: Boolean) {
      similarProducts(id: $id, first: $first, diversity: $d, minSimilarity: $min, autocut: $cut, rules: $rules, useStoredRules: $stored, filters: $f, collapse: $collapse) {
        __typename
        ... on ProductHits { exhaustive hits { score similarity product { id brand groupId inStock } } pageInfo { hasNextPage } }
        ... on ContradictoryRules { errorCode message conflicts { kind productId position } }
      }
    }`;
    const run = async (v: Record<string, unknown>) => (await server.gql(SIMILAR, { first: 8, ...v })).body.data!.similarProducts;

    it('autocut cuts where the documented algorithm cuts the real score curve: after the twins and the next-nearest', async () => {
      const r = await run({ id: 'p-000005', first: 20, cut: 1 });
      const uncut = await run({ id: 'p-000005', first: 50 });
      const keep = autocutCount(uncut.hits.map((h: any) => h.score), 1);
      // Seven twins at 0.999, then 0.86, 0.75, 0.75, …: the curve falls fastest right after the eighth.
      expect(keep).toBe(8);
      expect(r.hits.map((h: any) => h.product.id)).toEqual(uncut.hits.slice(0, keep).map((h: any) => h.product.id));
      expect(r.hits.slice(0, 7).map((h: any) => h.product.id).sort()).toEqual([...TWINS].sort());
      expect(r.pageInfo.hasNextPage).toBe(false);
    });

    it('minSimilarity is a hard floor: every hit is at least that similar, and the page says it is complete', async () => {
      const r = await run({ id: catalog[9]!.record.id, first: 50, min: 0.8 });
      expect(r.hits.length).toBeGreaterThan(0);
      expect(r.hits.every((h: any) => h.similarity >= 0.8 - 1e-6)).toBe(true);
      const all = await run({ id: catalog[9]!.record.id, first: 100 });
      expect(r.hits.length).toBe(all.hits.filter((h: any) => h.similarity >= 0.8 - 1e-6).length);
      expect([r.exhaustive, r.pageInfo.hasNextPage]).toEqual([true, false]);
    });

    it('diversity spreads a strip over more styles than relevance alone', async () => {
      const seed = catalog[STYLES[1]!]!.record.id;
      const styles = (r: any) => new Set(r.hits.map((h: any) => h.product.groupId)).size;
      const plain = await run({ id: seed, first: 6 });
      const diverse = await run({ id: seed, first: 6, d: 0.7 });
      expect(styles(diverse)).toBeGreaterThan(styles(plain));
      expect(diverse.hits[0].product.id).toBe(plain.hits[0].product.id);
    });

    it('boosts and buries by brand and stock; a pin that is also hidden is refused as a contradiction', async () => {
      const seed = catalog[12]!.record.id;
      const brand = catalog[13]!.record.brand;
      const boosted = await run({ id: seed, rules: { boosts: [{ filters: { brands: [brand] }, weight: 1 }, { filters: { inStock: false }, weight: -1 }] } });
      const ofBrand = ALL.filter((p) => p.brand === brand && p.inStock && p.id !== seed).length;
      expect(boosted.hits.slice(0, Math.min(8, ofBrand)).every((h: any) => h.product.brand === brand && h.product.inStock)).toBe(true);
      const bad = await run({ id: seed, rules: { pins: [{ id: 'p-000001', position: 1 }], hides: ['p-000001'] } });
      expect(bad).toMatchObject({ __typename: 'ContradictoryRules', errorCode: 'CONTRADICTORY_RULES', conflicts: [{ kind: 'PINNED_AND_HIDDEN', productId: 'p-000001', position: null }] });
      const text = await server.gql(`{ searchByText(q: "mug", rules: { pins: [{ id: "a", position: 1 }, { id: "b", position: 1 }] }) { hits { score } } }`);
      expect(text.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', errorCode: 'CONTRADICTORY_RULES' });
    });

    it('stored rules: saved with a key, applied by category, resolved against the request (a hidden product is never pinned)', async () => {
      const seed = catalog[14]!.record;
      const SAVE = `mutation($r: MerchandisingRuleInput!) { saveMerchandisingRule(input: $r) {
        __typename ... on MerchandisingRule { id priority context { categories } pins { id position } hides }
        ... on ContradictoryRules { conflicts { kind position } } } }`;
      const plain = await run({ id: seed.id, f: { inStock: true } });
      const [first, second] = plain.hits.map((h: any) => h.product.id);
      const far = plain.hits[7].product.id;
      const rule = { id: 'mugs-1', priority: 5, context: { categories: [seed.category] }, pins: [{ id: far, position: 1 }], hides: [first] };
      expect((await server.gql(SAVE, { r: rule }, { key: null })).body.errors![0]!.extensions!.code).toBe('UNAUTHORIZED');
      const saved = await server.gql(SAVE, { r: rule });
      expect(saved.body.data!.saveMerchandisingRule).toMatchObject({ __typename: 'MerchandisingRule', id: 'mugs-1', pins: [{ id: far, position: 1 }], hides: [first] });
      const listed = await server.gql(`{ merchandisingRules { id enabled context { categories queries } updatedAt } }`);
      expect(listed.body.data!.merchandisingRules).toEqual([{ id: 'mugs-1', enabled: true, context: { categories: [seed.category], queries: [] }, updatedAt: expect.any(String) }]);
      const contradictory = await server.gql(SAVE, { r: { ...rule, id: 'bad', pins: [{ id: 'x', position: 2 }, { id: 'y', position: 2 }] } });
      expect(contradictory.body.data!.saveMerchandisingRule).toEqual({ __typename: 'ContradictoryRules', conflicts: [{ kind: 'POSITION_TAKEN', position: 2 }] });

      const organic = (await run({ id: seed.id, f: { inStock: true }, first: 12 })).hits.map((h: any) => h.product.id);
      const ruled = (await run({ id: seed.id, f: { inStock: true } })).hits.map((h: any) => h.product.id);
      expect(ruled).toEqual([far, ...organic.filter((id: string) => id !== first && id !== far)].slice(0, 8));
      // The request pins the hidden product to 2 (the stored hide wins: dropped) and another to 3; the stored pin
      // keeps position 1. The page stays full.
      const collide = (await run({ id: seed.id, f: { inStock: true }, rules: { pins: [{ id: first, position: 2 }, { id: second, position: 3 }] } })).hits.map(
        (h: any) => h.product.id,
      );
      const rest = organic.filter((id: string) => ![first, second, far].includes(id));
      expect(collide).toEqual([far, rest[0], second, ...rest.slice(1, 6)]);
      // Another category's request is untouched, and so is one that opts out.
      expect((await run({ id: seed.id, f: { inStock: true }, stored: false })).hits.map((h: any) => h.product.id)).toEqual(plain.hits.map((h: any) => h.product.id));

      const DELETE = `mutation { deleteMerchandisingRule(id: "mugs-1") { __typename ... on RuleNotFound { ruleId } } }`;
      expect((await server.gql(DELETE)).body.data!.deleteMerchandisingRule).toEqual({ __typename: 'DeleteSuccess' });
      expect((await server.gql(DELETE)).body.data!.deleteMerchandisingRule).toEqual({ __typename: 'RuleNotFound', ruleId: 'mugs-1' });
      expect((await run({ id: seed.id, f: { inStock: true } })).hits.map((h: any) => h.product.id)).toEqual(plain.hits.map((h: any) => h.product.id));
    });
  });

  describe('explain', () => {
    const EXPLAIN = `explain { vectorSimilarity vectorRank vectorRrfContribution keywordScore keywordRank keywordRrfContribution relevance
      boosts { rule { source ruleId } boostIndex weight contribution } pinnedBy { rule { source } position } mmrPenalty finalScore }`;

    it('breaks every hybrid hit down into its two sides, whose contributions add up to the score', async () => {
      const res = await server.gql(`{ searchByText(q: "striped mug", first: 10, explain: true) { hits { score similarity ${EXPLAIN} } } }`);
      const hits = res.body.data!.searchByText.hits;
      expect(hits).toHaveLength(10);
      for (const h of hits) {
        const e = h.explain;
        expect(e.finalScore).toBe(h.score);
        expect((e.vectorRrfContribution ?? 0) + (e.keywordRrfContribution ?? 0)).toBeCloseTo(h.score, 12);
        if (e.vectorRank !== null) expect(e.vectorRrfContribution).toBeCloseTo(1 / (60 + e.vectorRank), 12);
        if (e.keywordRank !== null) expect(e.keywordRrfContribution).toBeCloseTo(1 / (60 + e.keywordRank), 12);
        expect(e.vectorSimilarity).toBe(h.similarity);
      }
      expect(hits.some((h: any) => h.explain.vectorRank !== null && h.explain.keywordRank !== null)).toBe(true);
    });

    it('names the rule behind each boost and pin, and says which pins were dropped and what was hidden', async () => {
      const seed = catalog[16]!.record.id;
      const plain = (await server.gql(`query($id: ID!) { similarProducts(id: $id, first: 3) { ... on ProductHits { hits { product { id } } } } }`, { id: seed })).body
        .data!.similarProducts.hits.map((h: any) => h.product.id);
      const brand = catalog[17]!.record.brand;
      const pin = ['p-000002', 'p-000003'].find((id) => id !== plain[0] && id !== seed)!;
      const res = await server.gql(
        `query($id: ID!, $rules: MerchandisingRulesInput) { similarProducts(id: $id, first: 4, explain: true, diversity: 0.3, rules: $rules) {
          ... on ProductHits { hits { score product { id brand } ${EXPLAIN} }
            explanation { rulesApplied { source ruleId } hidden { productId rule { source } } droppedPins { productId position reason } } } } }`,
        { id: seed, rules: { boosts: [{ filters: { brands: [brand] }, weight: 0.2 }], pins: [{ id: pin, position: 2 }], hides: [plain[0]] } },
      );
      const r = res.body.data!.similarProducts;
      expect(r.hits[1]).toMatchObject({ product: { id: pin }, explain: { pinnedBy: { rule: { source: 'QUERY' }, position: 2 } } });
      for (const h of r.hits.filter((x: any) => x.product.brand === brand && !x.explain.pinnedBy)) {
        expect(h.explain.boosts).toEqual([{ rule: { source: 'QUERY', ruleId: null }, boostIndex: 0, weight: 0.2, contribution: 0.2 }]);
        expect(h.explain.finalScore).toBeCloseTo(h.explain.relevance + 0.2, 9);
      }
      expect(r.hits[0].explain.mmrPenalty).toBe(0);
      expect(r.hits.map((h: any) => h.product.id)).not.toContain(plain[0]);
      expect(r.explanation).toEqual({ rulesApplied: [{ source: 'QUERY', ruleId: null }], hidden: [{ productId: plain[0], rule: { source: 'QUERY' } }], droppedPins: [] });
    });
  });

  describe('browseProducts', () => {
    const BROWSE = `query($after: String, $sort: ProductSort!, $f: ProductFilterInput) {
      browseProducts(first: 25, after: $after, sort: $sort, filters: $f) {
        __typename ... on ProductList { totalCount products { id price } pageInfo { hasNextPage endCursor } }
        ... on InvalidCursor { problem }
      }
    }`;

    it('lists every product once, in price order, with the total count', async () => {
      const seen: { id: string; price: number }[] = [];
      let after: string | null = null;
      const totals = new Set<number>();
      for (let i = 0; i < 10; i++) {
        const res: { body: { data?: any } } = await server.gql(BROWSE, { after, sort: 'PRICE_ASC' });
        const page: any = res.body.data!.browseProducts;
        totals.add(page.totalCount);
        seen.push(...page.products);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect([...totals]).toEqual([ALL.length]);
      expect(seen.map((p) => p.id).sort()).toEqual(ALL.map((p) => p.id).sort());
      const prices = seen.map((p) => p.price);
      expect(prices).toEqual([...prices].sort((a, b) => a - b));
    });

    it('counts under filters, and refuses a cursor of another sort', async () => {
      const category = catalog[0]!.record.category;
      const res = await server.gql(BROWSE, { sort: 'TITLE_ASC', f: { categories: [category] } });
      const expected = ALL.filter((p) => p.category === category).length;
      expect(res.body.data!.browseProducts.totalCount).toBe(expected);
      const cursor = (await server.gql(BROWSE, { sort: 'ID_ASC' })).body.data!.browseProducts.pageInfo.endCursor;
      const wrong = await server.gql(BROWSE, { sort: 'ID_DESC', after: cursor });
      expect(wrong.body.data!.browseProducts).toEqual({ __typename: 'InvalidCursor', problem: 'OTHER_QUERY' });
    });
  });
});
