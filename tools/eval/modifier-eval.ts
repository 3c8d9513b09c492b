/**
 * Does a discover text modifier work? On a synthetic catalog from a held-out seed, the last `queries` products are
 * kept out of the index and their pictures become queries: picture of a blue striped mug + modifier "red" should
 * rank a red mug above every blue mug. Negative modifiers get the same test from the same index: picture of a blue
 * striped mug + "without stripes" should rank a mug that is not striped above every striped mug, and + "without
 * blue" a mug that is not blue above every blue one. Runs through the product's own pipeline
 * (SearchService.discover, the real model, Elasticsearch) in a throwaway alias.
 */
import { createServices, type Services } from '../../src/app';
import type { AppConfig } from '../../src/config/config';
import { COLOR_NAMES, generateCatalog, type CatalogItem, type Pattern } from '../synth/catalog';
import { makeNoiseTiles, mapPool, renderProduct } from '../synth/render';
import { HELD_OUT_SEED } from './retrieval-eval';

export interface ModifierEvalOptions {
  seed?: number;
  /** Products generated; the last `queries` of them are held out as queries. */
  n: number;
  queries: number;
  /** Modifier weights to measure (0 = the picture alone, the baseline). */
  weights: readonly number[];
}

export interface ModifierReport {
  seed: number;
  indexed: number;
  /** Held-out products that had both a same-category product of their own colour and one of the target colour. */
  queries: number;
  /**
   * Per weight: share of queries whose best-ranked product of the query's category in the target colour comes
   * before the best-ranked one in the picture's own colour (within the first 100 hits; none in the target colour
   * counts as a failure), and share whose top hit is of the query's category and the target colour.
   */
  byWeight: { weight: number; targetAboveOriginal: number; top1Target: number }[];
  /** The negative modifiers: "without <the picture's own colour>" and "without <the picture's own pattern>". */
  without: Record<WithoutKind, WithoutReport>;
}

export type WithoutKind = 'colour' | 'pattern';

export interface WithoutReport {
  /** Held-out products whose category has indexed products both with and without the attribute. */
  queries: number;
  /**
   * Per weight: share of queries whose best-ranked product of the query's category without the attribute comes
   * before the best-ranked one with it (within the first 100 hits; none without it counts as a failure), and share
   * whose top hit is of the query's category and without the attribute.
   */
  byWeight: { weight: number; awayAboveOwn: number; top1Away: number }[];
}

/** How a shopper names a pattern they do not want; solid has no such word, so solid pictures are not asked. */
export const PATTERN_NOUN: Partial<Record<Pattern, string>> = { striped: 'stripes', dotted: 'dots', checked: 'checks', zigzag: 'zigzags' };

const DEPTH = 100;

/** The weights `npm run eval -- --modifiers` compares. */
export const MODIFIER_WEIGHTS = [0, 0.5, 1, 1.5, 2, 3] as const;

export async function evaluateModifiers(config: AppConfig, o: ModifierEvalOptions): Promise<ModifierReport> {
  const seed = o.seed ?? HELD_OUT_SEED;
  const items = generateCatalog(seed, o.n);
  const indexed = items.slice(0, o.n - o.queries);
  const held = items.slice(o.n - o.queries);
  const tiles = makeNoiseTiles(seed);
  const services = await createServices(config);
  try {
    const jpegs = await mapPool(items, 4, (item) => renderProduct(item, tiles));
    await ingestAll(services, indexed, jpegs);
    const has = new Set(indexed.map(({ record: r }) => `${r.category}/${r.color}`));
    const colourOf = new Map(indexed.map(({ record: r }) => [r.id, `${r.category}/${r.color}`]));

    // Each held-out product gets one target colour other than its own, rotating through the palette.
    const cases = held.flatMap(({ record: r }, i) => {
      const others = COLOR_NAMES.filter((c) => c !== r.color);
      const target = others[i % others.length]!;
      const ok = has.has(`${r.category}/${target}`) && has.has(`${r.category}/${r.color}`);
      return ok ? [{ image: jpegs[o.n - o.queries + i]!, original: `${r.category}/${r.color}`, target, want: `${r.category}/${target}` }] : [];
    });

    const ranked = async (image: Buffer, modifier: string, weight: number) =>
      (await services.search.discover({ image: { base64: image.toString('base64') }, modifier, modifierWeight: weight, first: DEPTH, useStoredRules: false }))
        .hits.map((h) => h.product.id);

    const byWeight = [];
    for (const weight of o.weights) {
      let above = 0;
      let top1 = 0;
      for (const c of cases) {
        const keys = (await ranked(c.image, c.target, weight)).map((id) => colourOf.get(id));
        const rankOf = (key: string) => (keys.includes(key) ? keys.indexOf(key) : Infinity);
        if (rankOf(c.want) < rankOf(c.original)) above++;
        if (keys[0] === c.want) top1++;
      }
      byWeight.push({ weight, targetAboveOriginal: above / cases.length, top1Target: top1 / cases.length });
    }

    const byId = new Map(indexed.map(({ record: r }) => [r.id, r]));
    const without = async (kind: WithoutKind): Promise<WithoutReport> => {
      const value = (r: CatalogItem['record']) => (kind === 'colour' ? r.color : r.pattern);
      const word = (r: CatalogItem['record']) => (kind === 'colour' ? r.color : PATTERN_NOUN[r.pattern]);
      const kinds = new Set(indexed.map(({ record: r }) => `${r.category}/${value(r)}`));
      const categoryValues = new Map<string, Set<string>>();
      for (const { record: r } of indexed) categoryValues.set(r.category, (categoryValues.get(r.category) ?? new Set()).add(value(r)));
      const asks = held.flatMap(({ record: r }, i) =>
        word(r) !== undefined && kinds.has(`${r.category}/${value(r)}`) && categoryValues.get(r.category)!.size > 1
          ? [{ image: jpegs[o.n - o.queries + i]!, category: r.category, own: value(r), modifier: `without ${word(r)}` }]
          : [],
      );
      const rows = [];
      for (const weight of o.weights) {
        let away = 0;
        let top1 = 0;
        for (const a of asks) {
          const all = (await ranked(a.image, a.modifier, weight)).map((id) => byId.get(id)!);
          const hits = all.filter((r) => r.category === a.category);
          const firstOwn = hits.findIndex((r) => value(r) === a.own);
          const firstAway = hits.findIndex((r) => value(r) !== a.own);
          if (firstAway >= 0 && (firstOwn < 0 || firstAway < firstOwn)) away++;
          if (all[0]?.category === a.category && value(all[0]) !== a.own) top1++;
        }
        rows.push({ weight, awayAboveOwn: away / asks.length, top1Away: top1 / asks.length });
      }
      return { queries: asks.length, byWeight: rows };
    };
    return { seed, indexed: indexed.length, queries: cases.length, byWeight, without: { colour: await without('colour'), pattern: await without('pattern') } };
  } finally {
    await services.index.dropAll();
    await services.close();
  }
}

async function ingestAll(services: Services, items: readonly CatalogItem[], jpegs: readonly Buffer[]): Promise<void> {
  for (let i = 0; i < items.length; i += 50) {
    const outcomes = await services.ingest.ingest(
      items.slice(i, i + 50).map(({ record: { image: _i, pattern: _p, ...r } }, j) => ({ ...r, image: { base64: jpegs[i + j]!.toString('base64') } })),
    );
    if (outcomes.some((x) => !x.ok)) throw new Error('modifier eval: ingest failed');
  }
  await services.index.refresh();
}
