import 'reflect-metadata';
import { ApolloServer } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { AppError, ProductNotFoundError } from '../../src/common/errors';
import type { ScoredProduct } from '../../src/catalog/product';
import type { SearchResult } from '../../src/catalog/search-result';
import { buildAppSchema } from '../../src/resolvers';
import { jitExecutorGateway } from '../../src/server/jit-executor';
import { maskError } from '../../src/server/mask-error';

const compileQuery = jest.fn<void, [string, boolean]>();

const SIMILAR = `query Similar($id: ID!, $first: Int!) {
  similarProducts(id: $id, first: $first) {
    __typename
    ... on ProductHits { hits { similarity score product { id title price currency tags attributes { key value } } } }
    ... on ProductNotFound { productId message }
  }
}`;

function hits(n: number): ScoredProduct[] {
  return Array.from({ length: n }, (_, i) => ({
    product: {
      id: `p${i}`,
      groupId: `p${i}`,
      title: `Product ${i}`,
      price: 10 + i,
      currency: 'EUR',
      imageUrl: `https://cdn.example.com/${i}.jpg`,
      tags: ['a', 'b'],
      inStock: true,
      attributes: { material: 'wool' },
      updatedAt: '2026-01-01T00:00:00.000Z',
    },
    score: 0.9 - i / 100,
    similarity: 0.8 - i / 100,
  }));
}

/** The search service as the resolver sees it: answers by id, so every outcome is one request away. */
const search = {
  async similarProducts(id: string, page: { first: number }): Promise<SearchResult> {
    if (id === 'missing') throw new ProductNotFoundError(id);
    if (id === 'broken') throw new AppError('SEARCH_BACKEND_UNAVAILABLE', 'connect ECONNREFUSED 10.0.0.7:9200');
    return { hits: hits(page.first), pageInfo: { hasNextPage: false }, exhaustive: true, unknownIds: [], facets: [] };
  },
};

let schema: GraphQLSchema;
const servers: ApolloServer[] = [];

async function server(withJit: boolean): Promise<ApolloServer> {
  const s = new ApolloServer({
    ...(withJit ? { gateway: jitExecutorGateway(schema, { compileAfter: 2, onCompile: compileQuery }) } : { schema }),
    formatError: maskError,
    includeStacktraceInErrorResponses: false,
  });
  await s.start();
  servers.push(s);
  return s;
}

async function run(s: ApolloServer, query: string, variables: Record<string, unknown>) {
  const r = await s.executeOperation({ query, variables }, { contextValue: { loaders: {}, auth: { canWrite: false } } });
  return { status: r.http.status ?? 200, body: r.body.kind === 'single' ? r.body.singleResult : undefined };
}

beforeAll(async () => {
  schema = await buildAppSchema({
    services: { search: search as never, ingest: {} as never, maps: {} as never, duplicates: {} as never, qa: {} as never, models: {} as never, merchandising: {} as never },
  });
});
afterAll(() => Promise.all(servers.map((s) => s.stop())));
beforeEach(() => compileQuery.mockClear());

describe('JIT executor', () => {
  it('answers exactly what graphql-js answers, before and after it compiles the document', async () => {
    const [reference, compiled] = [await server(false), await server(true)];
    for (const variables of [
      { id: 'p1', first: 3 },
      { id: 'missing', first: 3 },
      { id: 'broken', first: 3 },
      { id: 'p1', first: 12 },
      { id: 'missing', first: 1 },
      { id: 'broken', first: 1 },
      { id: 'p2', first: 0 }, // argument bounds (class-validator) fail inside the resolver
    ]) {
      expect(await run(compiled, SIMILAR, variables)).toEqual(await run(reference, SIMILAR, variables));
    }
    expect(compileQuery).toHaveBeenCalledTimes(1);
    expect(compileQuery).toHaveBeenCalledWith('', true); // one operation, sent without operationName
  });

  it('compiles a query on its third execution, once; never a mutation or an introspection query', async () => {
    const s = await server(true);
    await run(s, SIMILAR, { id: 'p1', first: 2 });
    await run(s, SIMILAR, { id: 'p1', first: 2 });
    expect(compileQuery).not.toHaveBeenCalled();
    for (let i = 0; i < 5; i++) await run(s, SIMILAR, { id: 'p1', first: 2 });
    expect(compileQuery).toHaveBeenCalledTimes(1);

    const introspection = '{ __schema { queryType { name } } }';
    for (let i = 0; i < 4; i++) expect((await run(s, introspection, {})).body?.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const mutation = 'mutation { deleteProduct(id: "x") { __typename } }';
    for (let i = 0; i < 4; i++) expect((await run(s, mutation, {})).body?.errors?.[0]?.extensions?.code).toBe('UNAUTHORIZED');
    expect(compileQuery).toHaveBeenCalledTimes(1);
  });

  it('answers variables that do not coerce with graphql-js words and a 400 once the document is compiled', async () => {
    const [reference, compiled] = [await server(false), await server(true)];
    for (let i = 0; i < 3; i++) await run(compiled, SIMILAR, { id: 'p1', first: 2 });
    expect(compileQuery).toHaveBeenCalledTimes(1);
    for (const variables of [{ id: 'p1', first: 'ten' }, { id: 'p1' }, { id: null, first: 2 }, { id: 'p1', first: 1.5 }]) {
      const got = await run(compiled, SIMILAR, variables);
      expect(got).toEqual(await run(reference, SIMILAR, variables));
      expect(got.status).toBe(400);
      expect(got.body?.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });
});

describe('synchronous type resolution', () => {
  it('names the union member of a class instance at once, not through a promise', async () => {
    const { ProductHits } = await import('../../src/schema/product.type');
    const { ProductNotFound } = await import('../../src/schema/error-results.type');
    const union = schema.getType('SimilarProductsResult') as import('graphql').GraphQLUnionType;
    const resolve = (v: unknown) => union.resolveType!(v, {}, {} as never, union);
    expect(resolve(ProductHits.from({ hits: [], pageInfo: { hasNextPage: false }, exhaustive: true, unknownIds: [], facets: [] }))).toBe('ProductHits');
    expect(resolve(Object.assign(new ProductNotFound(), { id: 'x', message: 'm' }))).toBe('ProductNotFound');
  });
});
