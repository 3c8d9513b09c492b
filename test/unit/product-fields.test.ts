import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { validate } from 'class-validator';
import { normaliseProduct, pickProduct, type ProductInput } from '../../src/catalog/product';
import { FIELD_NAMES, PRODUCT_FIELDS } from '../../src/catalog/product-fields';
import { AttributeInput, ImageInput, ProductFilterInput, ProductInputType, toProductInput } from '../../src/schema/inputs';
import { ProductType } from '../../src/schema/product.type';
import { indexMappings, MAPPING_VERSION } from '../../src/search/elasticsearch/index-mapping';
import { filterClauses, KEYWORD_FIELDS } from '../../src/search/elasticsearch/query-builder';

/**
 * The field table (src/catalog/product-fields.ts) is the one definition of a product's fields; these tests pin what is
 * derived from it, and fail when the stored form changes without the bookkeeping that change needs.
 */

const NOW = new Date('2025-01-02T03:04:05.000Z');
/** What type-graphql passes to class-validator for arguments. */
const TYPE_GRAPHQL_OPTIONS = { skipMissingProperties: true, forbidUnknownValues: false };

describe('the product field table', () => {
  it('pins the Elasticsearch mapping to MAPPING_VERSION: change a field, bump the version and this fingerprint', () => {
    const { properties } = indexMappings({ modelId: 'm', dims: 2 });
    const fingerprint = createHash('sha256').update(JSON.stringify(properties)).digest('hex').slice(0, 16);
    expect({ MAPPING_VERSION, fingerprint }).toEqual({ MAPPING_VERSION: 4, fingerprint: '5e63033c9ef57fce' });
  });

  it('maps every field, and only table fields plus the bookkeeping', () => {
    const names = Object.keys(indexMappings({ modelId: 'm', dims: 2 }).properties);
    expect(names).toEqual([...FIELD_NAMES, 'contentHash', 'modelId', 'attributeConflicts', 'tagsVersion', 'images']);
  });

  it('derives keyword search and filters from the table', () => {
    expect(KEYWORD_FIELDS).toEqual(['title^2', 'description']);
    expect(filterClauses({ brands: ['a'], inStock: false, maxPrice: 3, tags: [] })).toEqual([
      { terms: { brand: ['a'] } },
      { term: { inStock: false } },
      { range: { price: { lte: 3 } } },
    ]);
  });
});

describe('normaliseProduct', () => {
  const input: ProductInput = {
    id: ' p-1 ',
    title: '  Mug  ',
    description: '   ',
    brand: ' Acme ',
    currency: ' eur ',
    price: 12.5,
    tags: [' b', 'a', 'b', ''],
    attributes: { size: 'L', material: 'clay' },
    image: { url: ' https://cdn.example/p.jpg ' },
  };

  it('trims, defaults, de-duplicates and sorts, in table order', () => {
    const p = normaliseProduct(input, NOW);
    expect(Object.keys(p)).toEqual(FIELD_NAMES);
    expect(p).toStrictEqual({
      id: ' p-1 ',
      groupId: 'p-1',
      title: 'Mug',
      description: undefined,
      brand: 'Acme',
      category: undefined,
      color: undefined,
      price: 12.5,
      currency: 'EUR',
      inStock: true,
      tags: ['a', 'b'],
      attributes: { material: 'clay', size: 'L' },
      imageUrl: 'https://cdn.example/p.jpg',
      version: undefined,
      predictedAttributes: [],
      predictedTags: [],
      updatedAt: '2025-01-02T03:04:05.000Z',
    });
    expect(Object.keys(p.attributes)).toEqual(['material', 'size']);
  });

  it('defaults groupId to the id and imageUrl to the first image URL, and keeps explicit ones', () => {
    const several = { ...input, image: undefined, images: [{ base64: 'AAAA' }, { url: 'https://cdn.example/2.jpg' }] };
    expect(normaliseProduct(several, NOW)).toMatchObject({ groupId: 'p-1', imageUrl: undefined });
    const byUrl = { ...input, id: 'p-2', image: undefined, images: [{ url: 'https://cdn.example/1.jpg' }] };
    expect(normaliseProduct({ ...byUrl, groupId: ' style-9 ' }, NOW)).toMatchObject({ groupId: 'style-9', imageUrl: 'https://cdn.example/1.jpg' });
  });

  it('keeps an explicit imageUrl and inStock=false', () => {
    const p = normaliseProduct({ ...input, imageUrl: '/samples/p.jpg', inStock: false }, NOW);
    expect([p.imageUrl, p.inStock]).toEqual(['/samples/p.jpg', false]);
  });

  it('produces the JSON the ingest content hash was defined on (never reorder the table)', () => {
    // The hash covers the fields a client sets; what the server writes (updatedAt, predictions) is left out.
    const { updatedAt: _t, predictedAttributes: _a, predictedTags: _g, ...content } = normaliseProduct(input, NOW);
    expect(JSON.stringify(content)).toBe(
      '{"id":" p-1 ","groupId":"p-1","title":"Mug","brand":"Acme","price":12.5,"currency":"EUR","inStock":true,"tags":["a","b"],' +
        '"attributes":{"material":"clay","size":"L"},"imageUrl":"https://cdn.example/p.jpg"}',
    );
  });
});

describe('pickProduct', () => {
  it('takes the table fields of a stored document and fills empty lists', () => {
    const p = pickProduct({ id: 'x', title: 'T', inStock: false, updatedAt: 'u', contentHash: 'h' } as never);
    expect(p).toStrictEqual({
      id: 'x',
      groupId: undefined,
      title: 'T',
      description: undefined,
      brand: undefined,
      category: undefined,
      color: undefined,
      price: undefined,
      currency: undefined,
      inStock: false,
      tags: [],
      attributes: {},
      imageUrl: undefined,
      version: undefined,
      predictedAttributes: [],
      predictedTags: [],
      updatedAt: 'u',
    });
  });
});

describe('GraphQL types from the table', () => {
  const image = () => Object.assign(new ImageInput(), { url: 'https://cdn.example/p.jpg' });
  const productInput = (extra: Record<string, unknown>) =>
    Object.assign(new ProductInputType(), { id: 'p1', title: 'Mug', image: image(), ...extra });
  const failures = async (o: object) =>
    (await validate(o, TYPE_GRAPHQL_OPTIONS)).map((e) => [e.property, Object.keys(e.constraints ?? {}).sort()]);

  it('accepts a valid input', async () => {
    expect(await failures(productInput({ price: 3, version: 7, tags: ['a'], currency: 'eur' }))).toEqual([]);
  });

  it.each([
    ['id', { id: '-bad' }, ['matches']],
    ['title', { title: '' }, ['minLength']],
    ['title', { title: 'x'.repeat(501) }, ['maxLength']],
    ['description', { description: 'x'.repeat(10_001) }, ['maxLength']],
    ['brand', { brand: 'x'.repeat(201) }, ['maxLength']],
    ['color', { color: 'x'.repeat(101) }, ['maxLength']],
    ['price', { price: -1 }, ['min']],
    ['price', { price: 1e13 }, ['max']],
    ['currency', { currency: 'EURO' }, ['matches']],
    ['tags', { tags: Array.from({ length: 101 }, (_, i) => `t${i}`) }, ['arrayMaxSize']],
    ['tags', { tags: ['x'.repeat(101)] }, ['maxLength']],
    ['imageUrl', { imageUrl: `https://x/${'a'.repeat(2048)}` }, ['maxLength']],
    ['version', { version: 1.5 }, ['isNumber']],
    ['version', { version: -1 }, ['min']],
    ['groupId', { groupId: 'g'.repeat(129) }, ['maxLength']],
    ['images', { images: [] }, ['arrayMinSize']],
    ['images', { images: Array.from({ length: 33 }, image) }, ['arrayMaxSize']],
  ])('bounds %s', async (property, extra, constraints) => {
    expect(await failures(productInput(extra))).toEqual([[property, constraints]]);
  });

  it('validates nested attributes', async () => {
    const out = await validate(productInput({ attributes: [Object.assign(new AttributeInput(), { key: '', value: 'v' })] }), TYPE_GRAPHQL_OPTIONS);
    expect(out.map((e) => e.property)).toEqual(['attributes']);
  });

  it('bounds the filter lists and ranges', async () => {
    const filter = (extra: Record<string, unknown>) => Object.assign(new ProductFilterInput(), extra);
    expect(await failures(filter({ brands: ['a'], minPrice: 0, maxPrice: 9, inStock: true }))).toEqual([]);
    expect(await failures(filter({ categories: Array.from({ length: 51 }, () => 'c') }))).toEqual([['categories', ['arrayMaxSize']]]);
    expect(await failures(filter({ colors: ['x'.repeat(101)] }))).toEqual([['colors', ['maxLength']]]);
    expect(await failures(filter({ minPrice: -1 }))).toEqual([['minPrice', ['min']]]);
  });

  it('converts between the domain and GraphQL shapes', () => {
    const input = productInput({ attributes: [{ key: 'size', value: 'L' }], tags: ['a'] });
    expect(toProductInput(input)).toMatchObject({ id: 'p1', attributes: { size: 'L' }, tags: ['a'], image: input.image });
    const out = ProductType.from(pickProduct({ id: 'p1', title: 'T', inStock: true, updatedAt: 'u', attributes: { a: '1' } }));
    expect(out).toBeInstanceOf(ProductType);
    expect(out).toMatchObject({ id: 'p1', tags: [], attributes: [{ key: 'a', value: '1' }] });
  });

  it('puts every input field of the table on ProductInput and every field on Product', () => {
    const inputs = FIELD_NAMES.filter((n) => PRODUCT_FIELDS[n].input !== false);
    expect(inputs).toEqual(FIELD_NAMES.filter((n) => !['updatedAt', 'predictedAttributes', 'predictedTags'].includes(n)));
  });
});
