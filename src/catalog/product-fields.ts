import { MAX_URL_LENGTH } from '../sources/limits';

/**
 * The one definition of a product's catalog fields. Everything else is derived from this table: the domain types
 * (catalog/product.ts), the GraphQL `Product`, `ProductInput` and `ProductFilterInput` with their bounds
 * (schema/), the Elasticsearch mapping, filters and keyword search (search/), the stored-document conversion and
 * the ingest normaliser. To add a field, add a row here and bump MAPPING_VERSION (README, "How to add a field").
 *
 * Never reorder rows: the ingest content hash is the JSON of the normalised product in this order, so a reordering
 * would make every replay an UPDATED. A new row may go anywhere; absent values do not enter the JSON.
 */

/** How a field's values behave: its TypeScript and GraphQL type, its normalisation and its value when absent. */
export type FieldKind =
  | 'id' // the catalog id: output ID, kept exactly as given
  | 'text' // free text: trimmed; empty means absent
  | 'keyword' // a short label matched exactly: trimmed; empty means absent
  | 'url' // a URL kept for clients: trimmed; empty means absent
  | 'number' // a decimal
  | 'version' // a whole number carried as a GraphQL Float (it may exceed Int's 32 bits)
  | 'boolean'
  | 'keywords' // a set of labels: trimmed, de-duplicated, sorted; [] when absent
  | 'attributes' // free-form key/value pairs: sorted by key; {} when absent
  | 'predictions' // labels the model read off the image, with their probability; set by the server, [] when absent
  | 'timestamp'; // ISO 8601, set by the server

/** One zero-shot label of a product's image (tagging/tagger.ts): set name, label, sigmoid probability. */
export interface PredictedAttribute {
  name: string;
  value: string;
  confidence: number;
}

/** The TypeScript value of each kind (catalog/product.ts maps the table through this). */
export interface KindValues {
  id: string;
  text: string;
  keyword: string;
  url: string;
  number: number;
  version: number;
  boolean: boolean;
  keywords: string[];
  attributes: Record<string, string>;
  predictions: PredictedAttribute[];
  timestamp: string;
}

/** What a client may send for the field on ingest, and the bounds the GraphQL input type enforces. */
export interface InputSpec {
  readonly required?: boolean;
  readonly description?: string;
  /** Applied when the client leaves the field out (shown in the schema). */
  readonly defaultValue?: boolean | number | string;
  readonly minLength?: number;
  /** Characters; for list kinds, per item. */
  readonly maxLength?: number;
  readonly maxItems?: number;
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
  readonly pattern?: { readonly regex: RegExp; readonly message: string };
  readonly upperCase?: boolean;
  /** Value to use when the client sent none, taken from the rest of the input (e.g. imageUrl from the first image's URL). */
  readonly fallback?: (input: FallbackSource) => string | undefined | null;
}

/**
 * How a field is counted in facets: the values it takes (`terms`), or how many products fall in each of a set of
 * numeric ranges (`ranges`, bounds from config). The GraphQL FacetField enum is derived: `BRAND`, `PRICE_RANGE`, …
 */
export type FacetKind = 'terms' | 'ranges';

/** What a fallback may read from the rest of an input. */
export interface FallbackSource {
  readonly id: string;
  /** The URL of the product's first image, when it was given by URL. */
  readonly firstImageUrl?: string | null;
}

/** How a field filters search results. The names are the arguments of ProductFilterInput. */
export type FilterSpec =
  | { readonly anyOf: string } // a list argument: the product's value (or one of its values) is any of these
  | { readonly range: readonly [min: string, max: string] } // inclusive bounds, either may be left out
  | { readonly is: string }; // an exact boolean

export interface FieldSpec {
  readonly kind: FieldKind;
  /** Present on every stored product (the normaliser fills defaults). Non-null in the GraphQL output type. */
  readonly required?: boolean;
  /** GraphQL description on the output type. */
  readonly description?: string;
  /** False for fields only the server writes. */
  readonly input: InputSpec | false;
  readonly filter?: FilterSpec;
  /** Keyword (BM25) search weight; fields without it are not searched by keywords. */
  readonly search?: { readonly boost: number };
  /** Search results can count this field's values (facets); a facet's own filter never narrows its counts. */
  readonly facet?: FacetKind;
  /** The catalog can be browsed in this field's order; `by` is the Elasticsearch field that sorts (e.g. a keyword subfield). */
  readonly sort?: { readonly by: string };
  /** The Elasticsearch mapping of the field. */
  readonly es: { readonly type: string } & Readonly<Record<string, unknown>>;
}

/** Bounds of every any-of filter list (ProductFilterInput). */
export const LIST_FILTER_BOUNDS = { maxItems: 50, maxLength: 100 } as const;

/** Product ids are document ids; a longer one could never have been stored. */
export const MAX_ID_LENGTH = 128;

/** The hard cap of images per product in the GraphQL input; PRODUCT_MAX_IMAGES (config) sets the working limit below it. */
export const MAX_IMAGES_PER_PRODUCT = 32;

export const PRODUCT_FIELDS = {
  id: {
    kind: 'id',
    required: true,
    description: 'Your catalog id (the document id in the index).',
    sort: { by: 'id' },
    input: {
      required: true,
      description: 'Your catalog id. Ingesting the same id again updates the product.',
      pattern: {
        regex: new RegExp(`^[A-Za-z0-9][A-Za-z0-9._:\\-/]{0,${MAX_ID_LENGTH - 1}}$`),
        message: `id must be 1-${MAX_ID_LENGTH} characters of letters, digits and . _ : - /, starting with a letter or digit`,
      },
    },
    es: { type: 'keyword' },
  },
  groupId: {
    kind: 'keyword',
    required: true,
    description: 'The group (style, parent product) this product is a variant of; its own id when it has none.',
    input: {
      description: 'Variants of one style share a groupId, so `collapse: true` shows one product per group. Defaults to id.',
      maxLength: MAX_ID_LENGTH,
      fallback: (input) => input.id,
    },
    filter: { anyOf: 'groupIds' },
    es: { type: 'keyword' },
  },
  title: {
    kind: 'text',
    required: true,
    description: 'Product name; keyword search weighs it twice the description.',
    input: { required: true, description: 'Product name (1-500 characters), searched by keywords.', minLength: 1, maxLength: 500 },
    search: { boost: 2 },
    sort: { by: 'title.raw' },
    es: { type: 'text', fields: { raw: { type: 'keyword', ignore_above: 512 } } },
  },
  description: {
    kind: 'text',
    description: 'Long description, searched by keywords.',
    input: { description: 'Long description (up to 10,000 characters), searched by keywords.', maxLength: 10_000 },
    search: { boost: 1 },
    es: { type: 'text' },
  },
  brand: {
    kind: 'keyword',
    description: 'Brand as ingested; filters and facets match it case-insensitively.',
    input: { description: 'Brand (up to 200 characters).', maxLength: 200 },
    filter: { anyOf: 'brands' },
    facet: 'terms',
    es: { type: 'keyword', normalizer: 'lowercase' },
  },
  category: {
    kind: 'keyword',
    description: 'Category as ingested; filters, facets and stored rules match it case-insensitively.',
    input: { description: 'Category (up to 200 characters), e.g. "mug".', maxLength: 200 },
    filter: { anyOf: 'categories' },
    facet: 'terms',
    es: { type: 'keyword', normalizer: 'lowercase' },
  },
  color: {
    kind: 'keyword',
    description: 'Main colour as ingested; filters and facets match it case-insensitively.',
    input: { description: 'Main colour (up to 100 characters), e.g. "red".', maxLength: 100 },
    filter: { anyOf: 'colors' },
    facet: 'terms',
    es: { type: 'keyword', normalizer: 'lowercase' },
  },
  price: {
    kind: 'number',
    description: 'Price in `currency`; filters by range, facets by the PRICE_RANGE buckets, sorts.',
    input: { description: 'Price in `currency` (0 or more).', min: 0, max: 1e12 },
    filter: { range: ['minPrice', 'maxPrice'] },
    facet: 'ranges',
    sort: { by: 'price' },
    es: { type: 'double' },
  },
  currency: {
    kind: 'keyword',
    description: 'ISO 4217 code',
    input: { description: 'ISO 4217 code, e.g. "USD" (upper-cased on ingest).', pattern: { regex: /^[A-Za-z]{3}$/, message: 'currency must be an ISO 4217 code' }, upperCase: true },
    es: { type: 'keyword' },
  },
  inStock: {
    kind: 'boolean',
    required: true,
    description: 'Whether the product can be bought now; filterable, and a common boost or bury rule.',
    input: { description: 'Whether the product can be bought now.', defaultValue: true },
    filter: { is: 'inStock' },
    facet: 'terms',
    es: { type: 'boolean' },
  },
  tags: {
    kind: 'keywords',
    required: true,
    description: 'Free-form labels; filters and facets match them case-insensitively.',
    input: { description: 'Free-form labels (up to 100, each up to 100 characters).', maxItems: 100, maxLength: 100 },
    filter: { anyOf: 'tags' },
    facet: 'terms',
    es: { type: 'keyword', normalizer: 'lowercase' },
  },
  attributes: {
    kind: 'attributes',
    required: true,
    description: 'Other catalog attributes (material, size, …), stored and returned as given.',
    input: { description: 'Other catalog attributes as key/value pairs (up to 100).', maxItems: 100 },
    es: { type: 'flattened' },
  },
  imageUrl: {
    kind: 'url',
    description: "Where storefronts load the product's picture from.",
    input: {
      description: "Where storefronts load the product's picture from; defaults to the first image's URL.",
      maxLength: MAX_URL_LENGTH,
      fallback: (input) => input.firstImageUrl,
    },
    es: { type: 'keyword', index: false },
  },
  version: {
    kind: 'version',
    description: 'Caller-supplied catalog version, if any.',
    input: {
      description: 'Monotonic catalog version (e.g. updatedAt in ms). An older version never overwrites a newer one.',
      integer: true,
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
    },
    es: { type: 'long' },
  },
  predictedAttributes: {
    kind: 'predictions',
    description:
      'Labels read off the image by the model (zero-shot, against the label file: colour, pattern, category, ...), ' +
      'each with its probability; only those at or above the label set\'s threshold.',
    input: false,
    // Read back with the product, never searched: predictedTags is the searchable form.
    es: { type: 'object', enabled: false },
  },
  predictedTags: {
    kind: 'keywords',
    description: 'predictedAttributes as `name:value` keywords (e.g. `color:red`), for filters and facets.',
    input: false,
    filter: { anyOf: 'predictedTags' },
    facet: 'terms',
    es: { type: 'keyword' },
  },
  updatedAt: {
    kind: 'timestamp',
    required: true,
    description: 'When this product was last written (ISO 8601).',
    input: false,
    sort: { by: 'updatedAt' },
    es: { type: 'date' },
  },
} as const satisfies Record<string, FieldSpec>;

export type ProductFields = typeof PRODUCT_FIELDS;
export type FieldName = keyof ProductFields;

/** The field names in table order (the order of the content hash). */
export const FIELD_NAMES = Object.keys(PRODUCT_FIELDS) as FieldName[];

export function fieldSpec(name: FieldName): FieldSpec {
  return PRODUCT_FIELDS[name];
}

/** The filter arguments a field's filter spec declares (a facet's "own" filter, which its counts ignore). */
export function filterArguments(name: FieldName): string[] {
  const filter: FilterSpec | undefined = fieldSpec(name).filter;
  if (!filter) return [];
  return 'anyOf' in filter ? [filter.anyOf] : 'range' in filter ? [...filter.range] : [filter.is];
}

/** The fields that facet, in table order. */
export const FACET_FIELDS = FIELD_NAMES.filter((name) => fieldSpec(name).facet !== undefined);
