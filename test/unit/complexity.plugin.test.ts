import 'reflect-metadata';
import { getOperationAST, GraphQLError, parse, type GraphQLSchema } from 'graphql';
import { buildAppSchema } from '../../src/resolvers';
import { IMAGE_EMBED_COST, pageCost, TEXT_EMBED_COST } from '../../src/resolvers/cost';
import { complexityLimitPlugin } from '../../src/server/complexity.plugin';

/**
 * The query-cost limit on the real schema, through the plugin's own hook (the one Apollo calls after validation).
 * Costs are computed by hand from the field costs: a leaf is 1, an object field is 1 + its children, a page of hits is
 * base + first × child, and model inference adds TEXT_EMBED_COST / IMAGE_EMBED_COST.
 */

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildAppSchema();
});

/** Runs the plugin's didResolveOperation for one request; resolves to the GraphQLError it threw, or undefined. */
async function verdict(query: string, maxCost: number, variables?: Record<string, unknown>): Promise<GraphQLError | undefined> {
  const document = parse(query);
  const operation = getOperationAST(document) ?? undefined;
  const listener = await complexityLimitPlugin(schema, maxCost).requestDidStart!({} as never);
  try {
    await listener!.didResolveOperation!({ request: { query, variables }, document, operation } as never);
    return undefined;
  } catch (e) {
    if (e instanceof GraphQLError) return e;
    throw e;
  }
}

/** The exact cost, read from the refusal at maxCost 0. */
async function costOf(query: string, variables?: Record<string, unknown>): Promise<number> {
  const refused = await verdict(query, 0, variables);
  return refused?.extensions.cost as number;
}

describe('complexityLimitPlugin', () => {
  const TEXT_PAGE = '{ searchByText(q: "mug", first: 5) { hits { score } } }'; // 10 + 5 × (hits 1 + score 1)

  it('prices a page as base + first × child cost', async () => {
    expect(TEXT_EMBED_COST).toBe(10);
    expect(await costOf(TEXT_PAGE)).toBe(10 + 5 * 2);
    expect(await costOf('{ searchByText(q: "mug", first: 5) { hits { score similarity product { id title } } } }')).toBe(10 + 5 * (1 + 1 + 1 + 3));
    expect(await costOf('{ similarProducts(id: "p", first: 4) { ... on ProductHits { hits { score } } } }')).toBe(1 + 4 * 2);
    expect(await costOf('{ searchByImage(image: { url: "https://x/y.jpg" }, first: 2) { ... on ProductHits { hits { score } } } }')).toBe(
      IMAGE_EMBED_COST + 2 * 2,
    );
    expect(await costOf('{ recommendations(productIds: ["a"], first: 3) { unknownIds hits { score } } }')).toBe(1 + 3 * (1 + 2));
  });

  it('uses the default page size when first is left out, and prices an out-of-range page at the cap', async () => {
    expect(await costOf('{ searchByText(q: "mug") { hits { score } } }')).toBe(10 + 10 * 2);
    expect(await costOf('{ searchByText(q: "mug", first: 100000) { hits { score } } }')).toBe(10 + 100 * 2);
  });

  it('reads page sizes from variables and adds up aliases', async () => {
    const q = 'query($n: Int!) { a: searchByText(q: "mug", first: $n) { hits { score } } b: searchByText(q: "cup", first: 1) { hits { score } } }';
    expect(await costOf(q, { n: 7 })).toBe(10 + 7 * 2 + (10 + 1 * 2));
  });

  it('prices ingest by the images it embeds, and products by the ids asked', async () => {
    const inputs = Array.from({ length: 3 }, (_, i) => `{ id: "p${i}", title: "t", image: { base64: "AAAA" } }`).join(', ');
    expect(await costOf(`mutation { ingestProducts(inputs: [${inputs}]) { summary { failed } } }`)).toBe(3 * IMAGE_EMBED_COST);
    // A fixed cost adds the selection's cost (here __typename, 1); the bulk price stands alone.
    expect(await costOf('mutation { ingestProduct(input: { id: "p", title: "t", image: { base64: "AAAA" } }) { __typename } }')).toBe(
      IMAGE_EMBED_COST + 1,
    );
    expect(await costOf('mutation { deleteProduct(id: "p") { __typename } }')).toBe(1 + 1);
    expect(await costOf('{ products(ids: ["a", "b", "c"]) { id title } }')).toBe(3 * 2);
  });

  it('lets a query at the limit through and refuses one past it with a coded 400', async () => {
    const cost = 10 + 5 * 2;
    expect(await verdict(TEXT_PAGE, cost)).toBeUndefined();
    const refused = await verdict(TEXT_PAGE, cost - 1);
    expect(refused?.message).toBe(`Query cost ${cost} exceeds the limit of ${cost - 1}`);
    expect(refused?.extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', cost, maxCost: cost - 1, http: { status: 400 } });
  });

  it('leaves variables that do not coerce to execution (400 BAD_USER_INPUT), pricing nothing', async () => {
    const q = 'query($n: Int!) { searchByText(q: "mug", first: $n) { hits { score } } }';
    for (const n of [1.5, 2147483648, 'ten', null]) expect(await verdict(q, 0, { n })).toBeUndefined();
    expect(await verdict(q, 0, {})).toBeUndefined();
    expect(await verdict(q, 0, { n: 2 })).toBeInstanceOf(GraphQLError);
  });
});

describe('pageCost', () => {
  it('is base + min(first, 100) × child, with 10 as the default page', () => {
    expect(pageCost(3)({ args: { first: 4 }, childComplexity: 5 })).toBe(23);
    expect(pageCost(3)({ args: { first: 100 }, childComplexity: 2 })).toBe(203);
    expect(pageCost(3)({ args: { first: 101 }, childComplexity: 2 })).toBe(203);
    expect(pageCost(0)({ args: {}, childComplexity: 2 })).toBe(20);
  });
});
