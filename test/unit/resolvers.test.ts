import 'reflect-metadata';
import { graphql, Kind, parse, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { IngestStatus, SearchMode, type Product, type ScoredProduct } from '../../src/catalog/product';
import {
  AppError,
  ImageInputError,
  IndexingFailedError,
  InvalidInputError,
  ProductNotFoundError,
  StaleVersionError,
} from '../../src/common/errors';
import type { CatalogMapService } from '../../src/explore/catalog-map.service';
import type { IngestOutcome, IngestService } from '../../src/ingest/ingest.service';
import { createLoaders, type RequestContext } from '../../src/resolvers/context';
import { buildAppSchema } from '../../src/resolvers';
import { IngestResolver } from '../../src/resolvers/ingest.resolver';
import { ProductResolver } from '../../src/resolvers/product.resolver';
import { SearchResolver } from '../../src/resolvers/search.resolver';
import {
  ImageFetchFailed,
  ImageUndecodable,
  IndexingFailed,
  InvalidInput,
  ProductNotFound,
  StaleVersion,
} from '../../src/schema/error-results.type';
import { AttributeInput, ImageInput, ProductInputType } from '../../src/schema/inputs';
import {
  Attribute,
  DeleteSuccess,
  IngestSuccess,
  IngestSummary,
  ProductHit,
  ProductHits,
  ProductType,
  RecommendationsType,
} from '../../src/schema/product.type';
import { IngestProductsPayload } from '../../src/schema/results.union';
import type { DuplicatesService } from '../../src/duplicates/duplicates.service';
import type { Page, SearchService } from '../../src/search/search.service';

/**
 * The resolvers against recording fakes of the two services: what they pass down (page, filter, signal, defaults,
 * refresh) and how they map what comes back into the typed GraphQL results (class instances, attributes as key/value
 * pairs, expected errors as result members, faults rethrown).
 */

const product = (id: string, extra: Partial<Product> = {}): Product => ({
  id,
  groupId: id,
  title: `Product ${id}`,
  inStock: true,
  tags: [],
  attributes: {},
  updatedAt: '2025-01-01T00:00:00.000Z',
  ...extra,
});

/** A SearchService stand-in: answers from `next` (a value, or an error to throw) and records every call. */
class FakeSearch {
  readonly calls: { method: string; args: unknown[] }[] = [];
  next: unknown = [];

  private answer(method: string, args: unknown[]): Promise<never> {
    this.calls.push({ method, args });
    return this.next instanceof Error ? Promise.reject(this.next) : Promise.resolve(this.next as never);
  }
  similarProducts(id: string, page: Page) {
    return this.answer('similarProducts', [id, page]);
  }
  searchByText(q: string, mode: SearchMode, page: Page, signal?: AbortSignal) {
    return this.answer('searchByText', [q, mode, page, signal]);
  }
  searchByImage(image: unknown, page: Page, signal?: AbortSignal) {
    return this.answer('searchByImage', [image, page, signal]);
  }
  recommendations(productIds: string[], negativeIds: string[], page: Page) {
    return this.answer('recommendations', [productIds, negativeIds, page]);
  }
}

class FakeIngest {
  readonly calls: { method: string; args: unknown[] }[] = [];
  outcomes: IngestOutcome[] = [];
  deleteError: Error | undefined;

  async ingest(inputs: unknown[], o: unknown): Promise<IngestOutcome[]> {
    this.calls.push({ method: 'ingest', args: [inputs, o] });
    return this.outcomes;
  }
  async delete(id: string, o: unknown): Promise<void> {
    this.calls.push({ method: 'delete', args: [id, o] });
    if (this.deleteError) throw this.deleteError;
  }
}

const hit = (id: string, score: number, similarity?: number, extra: Partial<Product> = {}): ScoredProduct => ({
  product: product(id, extra),
  score,
  similarity,
});

function expectedHit(h: ScoredProduct): ProductHit {
  return Object.assign(new ProductHit(), {
    product: ProductType.from(h.product),
    score: h.score,
    similarity: h.similarity,
  });
}

const signal = new AbortController().signal;
const ctx = (o: Partial<RequestContext> = {}): RequestContext => ({
  loaders: createLoaders({ getMany: async () => new Map() }),
  auth: { canWrite: true },
  signal,
  ...o,
});

describe('IngestResolver', () => {
  const setup = () => {
    const ingest = new FakeIngest();
    return { ingest, resolver: new IngestResolver(ingest as unknown as IngestService) };
  };
  // The resolve info of the mutation's root field in `doc` (only what the resolvers read: its node and the fragments).
  const infoOf = (doc: string) => {
    const defs = parse(doc).definitions;
    const op = defs.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
    const fragments = Object.fromEntries(defs.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
    return { fieldNodes: [op.selectionSet.selections[0]], fragments } as never;
  };
  const withDuplicates = infoOf('mutation { ingestProduct(input: {}) { ... on IngestSuccess { status duplicates { relation } } } }');
  const summaryOnly = infoOf('mutation { ingestProducts(inputs: []) { summary { created } } }');
  const gqlInput = (id: string) =>
    Object.assign(new ProductInputType(), {
      id,
      title: 'Mug',
      tags: ['a'],
      attributes: [Object.assign(new AttributeInput(), { key: 'size', value: 'L' })],
      image: Object.assign(new ImageInput(), { base64: 'AAAA' }),
    });

  it('ingestProduct converts the input, passes refresh and the request signal through, and maps success', async () => {
    const { ingest, resolver } = setup();
    const stored = product('p1', { attributes: { size: 'L' } });
    ingest.outcomes = [{ ok: true, status: IngestStatus.CREATED, product: stored }];
    const out = await resolver.ingestProduct({ input: gqlInput('p1'), refresh: true } as never, ctx(), withDuplicates);
    const [inputs, options] = ingest.calls[0]!.args as [unknown[], { refresh: boolean; signal: AbortSignal }];
    expect(inputs).toEqual([expect.objectContaining({ id: 'p1', title: 'Mug', tags: ['a'], attributes: { size: 'L' }, image: { base64: 'AAAA' } })]);
    expect(options).toEqual({ refresh: true, signal, checkDuplicates: true });
    expect(options.signal).toBe(signal);
    expect(out).toBeInstanceOf(IngestSuccess);
    expect(out).toEqual(Object.assign(new IngestSuccess(), { status: IngestStatus.CREATED, product: ProductType.from(stored) }));
  });

  it('ingestProduct answers expected failures as typed results', async () => {
    const { ingest, resolver } = setup();
    ingest.outcomes = [{ ok: false, id: 'p1', error: new StaleVersionError('p1', 5, 4) }];
    const out = await resolver.ingestProduct({ input: gqlInput('p1') } as never, ctx(), withDuplicates);
    expect(out).toBeInstanceOf(StaleVersion);
    expect({ ...out }).toEqual({
      errorCode: 'STALE_VERSION',
      message: new StaleVersionError('p1', 5, 4).message,
      productId: 'p1',
      storedVersion: 5,
      givenVersion: 4,
    });
  });

  it('ingestProducts keeps one result per input, in order, and counts each outcome once', async () => {
    const { ingest, resolver } = setup();
    ingest.outcomes = [
      { ok: true, status: IngestStatus.CREATED, product: product('a') },
      { ok: true, status: IngestStatus.UPDATED, product: product('b') },
      { ok: true, status: IngestStatus.UPDATED, product: product('c') },
      { ok: true, status: IngestStatus.UNCHANGED, product: product('d') },
      { ok: false, id: 'e', error: new ImageInputError('IMAGE_UNDECODABLE', 'junk') },
      { ok: false, id: 'f', error: new IndexingFailedError('f', 'mapper_parsing_exception') },
      { ok: true, status: IngestStatus.UNCHANGED, product: product('g') },
      { ok: true, status: IngestStatus.UNCHANGED, product: product('h') },
    ];
    const inputs = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map(gqlInput);
    const out = await resolver.ingestProducts({ inputs, refresh: false } as never, ctx(), summaryOnly);
    expect(ingest.calls).toHaveLength(1);
    expect((ingest.calls[0]!.args[0] as { id: string }[]).map((i) => i.id)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    // The client did not ask for duplicates: the service is told to skip the check.
    expect(ingest.calls[0]!.args[1]).toEqual({ refresh: false, signal, checkDuplicates: false });
    expect(out).toBeInstanceOf(IngestProductsPayload);
    expect(out.summary).toEqual(Object.assign(new IngestSummary(), { created: 1, updated: 2, unchanged: 3, failed: 2 }));
    expect(out.summary).toBeInstanceOf(IngestSummary);
    expect(out.results.map((r) => r.constructor)).toEqual([
      IngestSuccess,
      IngestSuccess,
      IngestSuccess,
      IngestSuccess,
      ImageUndecodable,
      IndexingFailed,
      IngestSuccess,
      IngestSuccess,
    ]);
    expect(out.results.map((r) => ('status' in r ? r.status : r.errorCode))).toEqual([
      'CREATED',
      'UPDATED',
      'UPDATED',
      'UNCHANGED',
      'IMAGE_UNDECODABLE',
      'INDEXING_FAILED',
      'UNCHANGED',
      'UNCHANGED',
    ]);
  });

  it('ingestProducts rethrows an unexpected failure instead of reporting it', async () => {
    const { ingest, resolver } = setup();
    ingest.outcomes = [{ ok: false, id: 'x', error: new Error('bug') as never }];
    await expect(resolver.ingestProducts({ inputs: [gqlInput('x')] } as never, ctx(), summaryOnly)).rejects.toThrow('bug');
  });

  it('deleteProduct passes refresh through and answers DeleteSuccess or ProductNotFound', async () => {
    const { ingest, resolver } = setup();
    expect(await resolver.deleteProduct({ id: 'd', refresh: false })).toEqual(Object.assign(new DeleteSuccess(), { id: 'd' }));
    expect(await resolver.deleteProduct({ id: 'd', refresh: true })).toBeInstanceOf(DeleteSuccess);
    expect(ingest.calls).toEqual([
      { method: 'delete', args: ['d', { refresh: false }] },
      { method: 'delete', args: ['d', { refresh: true }] },
    ]);
    ingest.deleteError = new ProductNotFoundError('d');
    const missing = await resolver.deleteProduct({ id: 'd', refresh: false });
    expect(missing).toBeInstanceOf(ProductNotFound);
    expect({ ...missing }).toEqual({ errorCode: 'PRODUCT_NOT_FOUND', message: 'No product with id "d"', productId: 'd' });
    ingest.deleteError = new AppError('SEARCH_BACKEND_ERROR', 'shard failure');
    await expect(resolver.deleteProduct({ id: 'd', refresh: false })).rejects.toBe(ingest.deleteError);
  });
});

describe('ProductResolver and the per-request loader', () => {
  function reader(known: Product[]) {
    const calls: string[][] = [];
    return {
      calls,
      getMany: async (ids: readonly string[]) => {
        calls.push([...ids]);
        return new Map(known.filter((p) => ids.includes(p.id)).map((p) => [p.id, p]));
      },
    };
  }

  it('coalesces product and products lookups of one request into one read, in the order asked', async () => {
    const store = reader([product('a', { attributes: { k: 'v' } }), product('b')]);
    const context = ctx({ loaders: createLoaders(store) });
    const resolver = new ProductResolver({} as never);
    const [one, none, many] = await Promise.all([
      resolver.product({ id: 'a' }, context),
      resolver.product({ id: 'zz' }, context),
      resolver.products({ ids: ['b', 'nope', 'a'] }, context),
    ]);
    expect(store.calls).toEqual([['a', 'zz', 'b', 'nope']]);
    expect(one).toEqual(ProductType.from(product('a', { attributes: { k: 'v' } })));
    expect(one).toBeInstanceOf(ProductType);
    expect(none).toBeNull();
    expect(many).toEqual([ProductType.from(product('b')), null, ProductType.from(product('a', { attributes: { k: 'v' } }))]);
  });

  it('batches at most 1000 ids per read', async () => {
    const store = reader([]);
    const loaders = createLoaders(store);
    await loaders.product.loadMany(Array.from({ length: 1001 }, (_, i) => `id-${i}`));
    expect(store.calls.map((c) => c.length)).toEqual([1000, 1]);
  });

  it('products rethrows a failed read', async () => {
    const failing = { getMany: async () => Promise.reject(new AppError('SEARCH_BACKEND_UNAVAILABLE', 'down')) };
    await expect(new ProductResolver({} as never).products({ ids: ['a'] }, ctx({ loaders: createLoaders(failing) }))).rejects.toMatchObject({
      code: 'SEARCH_BACKEND_UNAVAILABLE',
    });
  });
});

describe('the registry, executed through GraphQL', () => {
  let schema: GraphQLSchema;
  const search = new FakeSearch();
  const ingest = new FakeIngest();

  beforeAll(async () => {
    schema = await buildAppSchema({
      services: {
        search: search as unknown as SearchService,
        ingest: ingest as unknown as IngestService,
        maps: {} as CatalogMapService,
        duplicates: {} as DuplicatesService,
        qa: {} as never,
        models: {} as never,
        merchandising: {} as never,
      },
    });
  });

  const run = (source: string, context: RequestContext = ctx()) => graphql({ schema, source, contextValue: context });

  it('resolves union members by their class', async () => {
    search.next = { hits: [hit('a', 0.9, 0.8)], pageInfo: { hasNextPage: false }, exhaustive: true, unknownIds: [], facets: [] };
    const ok = await run('{ similarProducts(id: "p", first: 1) { __typename ... on ProductHits { hits { score similarity product { id } } } } }');
    expect(ok).toEqual({ data: { similarProducts: { __typename: 'ProductHits', hits: [{ score: 0.9, similarity: 0.8, product: { id: 'a' } }] } } });
    search.next = new ProductNotFoundError('p');
    const missing = await run('{ similarProducts(id: "p") { __typename ... on ProductNotFound { productId errorCode } } }');
    expect(missing).toEqual({ data: { similarProducts: { __typename: 'ProductNotFound', productId: 'p', errorCode: 'PRODUCT_NOT_FOUND' } } });
  });

  it('asks for hit relations only when the query selects them, through fragments too', async () => {
    const pageOf = () => (search.calls.at(-1)!.args[1] as { relations?: boolean }).relations;
    search.next = { hits: [hit('a', 0.9, 0.8)], pageInfo: { hasNextPage: false }, exhaustive: true, unknownIds: [], facets: [] };
    await run('{ similarProducts(id: "p", first: 1) { ... on ProductHits { hits { product { id } } } } }');
    expect(pageOf()).toBe(false);
    search.next = { hits: [hit('a', 0.9, 0.8)], pageInfo: { hasNextPage: false }, exhaustive: true, unknownIds: [], facets: [] };
    await run('{ similarProducts(id: "p", first: 1) { ...H } } fragment H on ProductHits { hits { relation product { id } } }');
    expect(pageOf()).toBeUndefined();
  });

  it('lets writes through only with the WRITE role', async () => {
    const calls = ingest.calls.length;
    const denied = await run('mutation { deleteProduct(id: "x") { __typename } }', ctx({ auth: { canWrite: false } }));
    expect(denied.data).toBeNull();
    expect(denied.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHORIZED']);
    expect(ingest.calls).toHaveLength(calls);
    ingest.deleteError = undefined;
    const allowed = await run('mutation { deleteProduct(id: "x") { __typename } }');
    expect(allowed).toEqual({ data: { deleteProduct: { __typename: 'DeleteSuccess' } } });
  });

  it('reads need no role', async () => {
    const res = await run('{ product(id: "x") { id } }', ctx({ auth: { canWrite: false } }));
    expect(res).toEqual({ data: { product: null } });
  });
});
