import type { ImageRef } from '../sources/image-source';
import type { Relation } from './relation';
import type { HitExplanation } from './search-result';
import {
  FIELD_NAMES,
  PRODUCT_FIELDS,
  type FieldKind,
  type FieldName,
  type FieldSpec,
  type KindValues,
  type PredictedAttribute,
  type ProductFields,
} from './product-fields';

export type { PredictedAttribute } from './product-fields';

/**
 * Domain shapes shared by the search and ingest services, derived from the field table (product-fields.ts). They
 * carry no GraphQL or Elasticsearch types.
 */

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type NamesWhere<Condition> = { [K in FieldName]: ProductFields[K] extends Condition ? K : never }[FieldName];
type ValueOf<K extends FieldName> = KindValues[ProductFields[K]['kind']];
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** The names of the fields of one kind, e.g. FieldNamesOfKind<'attributes'>. */
export type FieldNamesOfKind<Kind extends FieldKind> = NamesWhere<{ kind: Kind }>;

type RequiredName = NamesWhere<{ required: true }>;
type InputName = Exclude<FieldName, NamesWhere<{ input: false }>>;
type RequiredInputName = NamesWhere<{ input: { required: true } }>;

/** A catalog product as stored and served. */
export type Product = Simplify<
  { [K in RequiredName]: ValueOf<K> } & { [K in Exclude<FieldName, RequiredName>]?: ValueOf<K> }
>;

/**
 * What a client sends to ingest a product: the catalog fields it may set, plus its images, given as exactly one of
 * `image` (one image) or `images` (several, the first being the product's own picture). The ingest service checks the
 * "exactly one" and the count.
 */
export type ProductInput = Simplify<
  { [K in RequiredInputName]: ValueOf<K> } & { [K in Exclude<InputName, RequiredInputName>]?: ValueOf<K> } & {
    image?: ImageRef | null;
    images?: readonly ImageRef[] | null;
  }
>;

/** The images of an input, whichever way they were given (both given: `images`; the service refuses that). */
export function inputImages(input: Pick<ProductInput, 'image' | 'images'>): readonly ImageRef[] {
  return input.images ?? (input.image ? [input.image] : []);
}

type ElementOf<V> = V extends readonly (infer E)[] ? E : V;
type FilterArgs<F, V> = F extends { anyOf: infer N extends string }
  ? { [P in N]?: ElementOf<V>[] }
  : F extends { range: readonly [infer Lo extends string, infer Hi extends string] }
    ? { [P in Lo | Hi]?: V }
    : F extends { is: infer N extends string }
      ? { [P in N]?: V }
      : never;

/** Search restrictions: every list is an any-of, and all given restrictions combine with AND. */
export type ProductFilter = Simplify<
  UnionToIntersection<
    { [K in FieldName]: ProductFields[K] extends { filter: infer F } ? FilterArgs<F, ValueOf<K>> : never }[FieldName]
  >
>;

/** One embedded image of a product. */
export interface StoredImage {
  vector: number[];
  /** SHA-256 of the image bytes the vector was computed from: unchanged bytes are never embedded again. */
  sha256: string;
  /** Where the bytes were fetched from, when given by URL (reindexing to a new model fetches it again). */
  url?: string;
  /**
   * That response's HTTP validators, so the next ingest of the same URL can ask "changed since?" (a 304 keeps this
   * vector without downloading anything).
   */
  etag?: string;
  lastModified?: string;
}

/** What is stored per product: the catalog fields plus the image vectors and the bookkeeping that makes ingest idempotent. */
export type ProductDocument = Product & {
  /** In the order given; the first is the product's own picture (the query of "more like this"). */
  images: StoredImage[];
  /** SHA-256 over the catalog fields and the images' SHA-256s: equal hashes mean a re-ingest would change nothing. */
  contentHash: string;
  modelId: string;
  /** Stated catalog values the image contradicts (catalog QA; tagging/tagger.ts). */
  attributeConflicts?: AttributeConflict[];
  /** The label file and model version that tagged this product; absent when tagging is off. */
  tagsVersion?: string;
};

/** A product whose stated attribute its image contradicts. */
export interface AttributeConflict {
  /** The label set, e.g. `color`. */
  name: string;
  /** The catalog's value, as the label set spells it. */
  stated: string;
  /** The label the image matches best. */
  predicted: string;
  /** The model's probability that the stated value is wrong: 1 - sigmoid probability of the stated label. */
  confidence: number;
}

/** The product's own vector: its first image's. */
export function primaryVector(d: Pick<ProductDocument, 'images'>): number[] {
  return d.images[0]?.vector ?? [];
}

export interface ScoredProduct {
  product: Product;
  /** Ranking score: the fused RRF score in hybrid mode, otherwise the engine's score. */
  score: number;
  /** Cosine similarity to the query vector when the hit came from the vector side. */
  similarity?: number;
  /** Which of the product's images matched the query best (vector side). */
  matchedImage?: MatchedImage;
  /** With collapsing: how many products of this hit's group pass the filters. */
  groupSize?: number;
  /** With `explain`: the score, stage by stage. */
  explain?: HitExplanation;
  /** How close the hit's image is to the query image (calibrated per model); only when the query is one image. */
  relation?: Relation;
}

export interface MatchedImage {
  /** 0-based position in the product's images. */
  index: number;
  url?: string;
}

/** What an ingest did with one product. */
export enum IngestStatus {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
  UNCHANGED = 'UNCHANGED',
}

/** How searchByText ranks. */
export enum SearchMode {
  HYBRID = 'HYBRID',
  VECTOR = 'VECTOR',
  KEYWORD = 'KEYWORD',
}

/** The value a list-like kind has when a stored document or an input leaves it out. */
const EMPTY: Partial<Record<FieldKind, () => unknown>> = {
  keywords: () => [],
  attributes: () => ({}),
  predictions: () => [],
};

function optionalTrim(v: string | undefined | null): string | undefined {
  return v === undefined || v === null ? undefined : v.trim() || undefined;
}

/** Per kind: the client's value as it is stored. `now` stamps timestamps. */
const NORMALISE: Record<FieldKind, (value: any, spec: FieldSpec, now: Date) => unknown> = {
  id: (v: string) => v,
  text: (v: string | undefined, spec) => (spec.required ? v!.trim() : optionalTrim(v)),
  keyword: (v: string | undefined) => optionalTrim(v),
  url: (v: string | undefined) => optionalTrim(v),
  number: (v: number | undefined | null) => v ?? undefined,
  version: (v: number | undefined | null) => v ?? undefined,
  boolean: (v: boolean | undefined | null, spec) => v ?? (spec.input ? spec.input.defaultValue : undefined),
  keywords: (v: string[] | undefined | null) => [...new Set((v ?? []).map((t) => t.trim()).filter(Boolean))].sort(),
  attributes: (v: Record<string, string> | undefined | null) =>
    Object.fromEntries(Object.entries(v ?? {}).sort(([a], [b]) => a.localeCompare(b))),
  predictions: (v: PredictedAttribute[] | undefined | null) => v ?? [],
  timestamp: (_v, _spec, now) => now.toISOString(),
};

/**
 * The stored form of an input: trimmed, defaulted, lists de-duplicated and sorted, keys in table order. The fixed
 * order and sorted lists make JSON of the result canonical, which the ingest content hash relies on.
 */
export function normaliseProduct(input: ProductInput, now = new Date()): Product {
  const out: Record<string, unknown> = {};
  const source = { id: input.id, firstImageUrl: inputImages(input)[0]?.url };
  for (const name of FIELD_NAMES) {
    const spec: FieldSpec = PRODUCT_FIELDS[name];
    const given = spec.input ? (input as Record<string, unknown>)[name] : undefined;
    let value = NORMALISE[spec.kind](given, spec, now);
    if (spec.input && spec.input.upperCase && typeof value === 'string') value = value.toUpperCase();
    if (value === undefined && spec.input && spec.input.fallback) value = optionalTrim(spec.input.fallback(source));
    out[name] = value;
  }
  return out as Product;
}

/** The catalog fields of a stored document (or of any object carrying them), with empty lists for absent ones. */
export function pickProduct(source: Partial<Record<FieldName, unknown>>): Product {
  const out: Record<string, unknown> = {};
  for (const name of FIELD_NAMES) out[name] = source[name] ?? EMPTY[PRODUCT_FIELDS[name].kind]?.();
  return out as Product;
}
