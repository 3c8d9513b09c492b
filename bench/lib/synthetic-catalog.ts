import { createHash } from 'node:crypto';
import type { ProductDocument } from '../../src/catalog/product';
import type { EmbeddingService } from '../../src/embedding/embedding.service';
import { mulberry32 } from '../../src/common/random';
import type { ProductRecord } from '../../tools/synth/catalog';
import { syntheticCatalog } from '../../test/support/catalog';
import { mapPool } from '../../tools/synth/render';

/**
 * Documents for the query benchmark at any scale, with vectors derived from real ones.
 *
 * 1. `seeds` products of the synthetic catalog (seed SEED_CATALOG) are rendered and embedded with the real model's
 *    image tower, exactly as ingest would embed them.
 * 2. Document i draws, from its own PRNG (mulberry32 of a hash of i, so any document can be recomputed alone):
 *    a base seed a (uniform), a partner seed b of the same category (uniform among them), a mixing weight
 *    w ~ U(0, 0.35), and Gaussian noise n with n_j ~ N(0, (0.35/√D)²), i.e. ‖n‖ ≈ 0.35. Its vector is
 *    v = ((1 − w)·s_a + w·s_b + n) / ‖(1 − w)·s_a + w·s_b + n‖: a cloud of near-variants around every real product,
 *    leaning toward its category, as a large catalog has. With siglip-tiny and 300 seeds the cosine of a document to
 *    its base is 0.94 at the median (0.90 at the 5th, 0.95 at the 95th percentile), while two real products of one
 *    category have a median cosine of 0.74.
 * 3. Its catalog fields are the base product's (category, colour, brand, tags, attributes, description), with the
 *    title numbered, the price scaled by U(0.8, 1.25) and inStock true with probability 0.85.
 * 4. Its groupId is its base seed and i mod GROUPS_PER_SEED: styles of about docs / (seeds · 48) near-variants of one
 *    real product (about 7 at 100k docs and 300 seeds), so collapsing has real groups to fold.
 *
 * The vectors are not embeddings of any image: they only give Elasticsearch realistic geometry to index and search.
 */

export const SEED_CATALOG = 4242;
export const GENERATOR = 'bv2'; // part of every id: a change to the recipe above must change it

export interface SeedSet {
  records: ProductRecord[];
  vectors: Float32Array[];
  byCategory: Map<string, number[]>;
  dims: number;
  modelId: string;
}

export async function embedSeeds(embedder: EmbeddingService, count: number): Promise<SeedSet> {
  const catalog = await syntheticCatalog(SEED_CATALOG, count);
  // A bounded pool: the decode admission gate sheds anything past its queue (IMAGE_QUEUE_MAX) as OVERLOADED.
  const vectors = await mapPool(catalog, 16, (p) => embedder.embedImage(p.jpeg));
  const byCategory = new Map<string, number[]>();
  catalog.forEach((p, i) => byCategory.set(p.record.category, [...(byCategory.get(p.record.category) ?? []), i]));
  return { records: catalog.map((p) => p.record), vectors, byCategory, dims: embedder.dims, modelId: embedder.modelId };
}

/** Groups per base seed (step 4 above). */
export const GROUPS_PER_SEED = 48;

export const docId = (i: number): string => `${GENERATOR}-${String(i).padStart(7, '0')}`;

function docRng(i: number): () => number {
  const h = createHash('sha256').update(`${GENERATOR}:${i}`).digest();
  return mulberry32(h.readUInt32LE(0));
}

function gaussian(rng: () => number): number {
  // Box–Muller; 1 − u keeps the log argument in (0, 1].
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

export interface DocMeta {
  base: number;
  category: string;
  inStock: boolean;
}

/** The cheap part of document i (for choosing queries and their filters without building the vector). */
export function docMeta(seeds: SeedSet, i: number): DocMeta {
  const rng = docRng(i);
  const base = Math.floor(rng() * seeds.records.length);
  return { base, category: seeds.records[base]!.category, inStock: docRng(i + 0x9e3779b9)() < 0.85 };
}

export function syntheticDoc(seeds: SeedSet, i: number): ProductDocument {
  const rng = docRng(i);
  const base = Math.floor(rng() * seeds.records.length);
  const rec = seeds.records[base]!;
  const mates = seeds.byCategory.get(rec.category)!;
  const partner = mates[Math.floor(rng() * mates.length)]!;
  const w = 0.35 * rng();
  const sigma = 0.35 / Math.sqrt(seeds.dims);
  const a = seeds.vectors[base]!;
  const b = seeds.vectors[partner]!;
  const v = new Array<number>(seeds.dims);
  let norm = 0;
  for (let j = 0; j < seeds.dims; j++) {
    const x = (1 - w) * a[j]! + w * b[j]! + sigma * gaussian(rng);
    v[j] = x;
    norm += x * x;
  }
  norm = Math.sqrt(norm);
  for (let j = 0; j < seeds.dims; j++) v[j] = Math.fround(v[j]! / norm);
  const id = docId(i);
  const price = Math.round(rec.price * (0.8 + 0.45 * rng()) * 100) / 100;
  return {
    id,
    title: `${rec.title} ${i}`,
    description: rec.description,
    brand: rec.brand,
    category: rec.category,
    color: rec.color,
    price,
    currency: rec.currency,
    inStock: docRng(i + 0x9e3779b9)() < 0.85,
    tags: rec.tags,
    attributes: rec.attributes,
    groupId: `${GENERATOR}-g${base}-${i % GROUPS_PER_SEED}`,
    imageUrl: `https://cdn.example.com/bench/${id}.jpg`,
    updatedAt: '2026-01-01T00:00:00.000Z',
    // Bookkeeping fields only (ingest's idempotence); no vector is derived from them.
    images: [{ vector: Array.from(v), sha256: createHash('sha256').update(`image:${id}`).digest('hex') }],
    contentHash: createHash('sha256').update(`content:${id}`).digest('hex'),
    modelId: seeds.modelId,
  };
}
