import { createHash } from 'node:crypto';
import type { AttributeConflict, PredictedAttribute, Product } from '../catalog/product';
import { AppError } from '../common/errors';
import type { Embedder } from '../embedding/embedder';
import { fillTemplate, statedValue, type Label, type LabelSet, type LabelSets } from './label-sets';
import { dot } from '../common/vectors';

/**
 * Zero-shot tagging with the model's own towers: every prompt of a label file goes through the text tower once, at
 * load; a product is then tagged from its stored image vector with a few dot products, as SigLIP was trained:
 * probability = sigmoid(scale * cos(image, prompt) + bias), one independent probability per label.
 */

/** What tagging adds to a stored product. */
export interface ProductTags {
  /** Labels whose probability reached their set's threshold, most confident first within a set, sets in file order. */
  predictedAttributes: PredictedAttribute[];
  /** The same labels as `set:value` keywords, which filter (and facet) like any keyword field. */
  predictedTags: string[];
  /** Sets whose stated catalog value the image contradicts, with the probability that the stated value is wrong. */
  attributeConflicts: AttributeConflict[];
  /** Which label file and model produced these tags; a product with another version is re-tagged. */
  tagsVersion: string;
}

export interface ProductTagger {
  readonly version: string;
  tag(imageVector: ArrayLike<number>, product: Product): ProductTags;
}

/** More prompts than this (labels x combinations of the sets a template names x templates) is refused at load. */
const MAX_PROMPTS = 20_000;

interface PreparedSet {
  set: LabelSet;
  /** Prompt vectors, [combination of the named sets' labels][label] -> unit vector (mean of the templates). */
  vectors: Float32Array[][];
  /** Label counts of the named sets, for the mixed-radix combination index. */
  radix: number[];
}

export class Tagger implements ProductTagger {
  private constructor(
    readonly version: string,
    private readonly prepared: PreparedSet[],
    private readonly logits: { scale: number; bias: number },
    private readonly conflictFloor: number,
  ) {}

  /** Embeds every prompt of the label sets with the model's text tower. */
  static async create(labels: LabelSets, embedder: Embedder): Promise<Tagger> {
    const logits = embedder.logits;
    if (!logits) {
      throw new AppError(
        'MODEL_LOAD_FAILED',
        `Tagging needs the model's learned logit_scale and logit_bias, and config.json of ${embedder.modelId} records neither; ` +
          'add "logit_scale" (log value) and "logit_bias" from the checkpoint to config.json, or leave LABELS_FILE unset',
      );
    }
    const byName = new Map(labels.sets.map((s) => [s.name, s]));
    const total = labels.sets.reduce(
      (n, s) => n + s.labels.length * s.templates.length * s.dependsOn.reduce((c, d) => c * byName.get(d)!.labels.length, 1),
      0,
    );
    if (total > MAX_PROMPTS) throw new AppError('MODEL_LOAD_FAILED', `The label file expands to ${total} prompts; at most ${MAX_PROMPTS}`);

    const cache = new Map<string, Promise<Float32Array>>();
    const gate = limiter(64);
    const embed = (text: string) => {
      if (!cache.has(text)) cache.set(text, gate(() => embedder.embedText(text)));
      return cache.get(text)!;
    };
    const prepared: PreparedSet[] = [];
    for (const set of labels.sets) {
      const deps = set.dependsOn.map((d) => byName.get(d)!);
      const radix = deps.map((d) => d.labels.length);
      const combos = radix.reduce((a, b) => a * b, 1);
      const vectors: Float32Array[][] = [];
      for (let c = 0; c < combos; c++) {
        const chosen = new Map<string, Label>(deps.map((d, i) => [d.name, d.labels[digit(c, radix, i)]]));
        vectors.push(await Promise.all(set.labels.map(async (label) => meanUnit(await Promise.all(set.templates.map((t) => embed(fillTemplate(t, label, chosen))))))));
      }
      prepared.push({ set, vectors, radix });
    }
    const version = createHash('sha256')
      .update(JSON.stringify({ labels, model: embedder.modelId, logits }))
      .digest('hex')
      .slice(0, 12);
    return new Tagger(version, prepared, logits, labels.conflictFloor);
  }

  /** Per set, in file order: each label's logit (scale * cos + bias) and the best label, its prompts steered by earlier sets. */
  scores(imageVector: ArrayLike<number>): SetScores[] {
    const chosen = new Map<string, number>();
    return this.prepared.map(({ set, vectors, radix }) => {
      let combo = 0;
      set.dependsOn.forEach((d, i) => (combo = combo * radix[i] + chosen.get(d)!));
      const logits = vectors[combo].map((v) => this.logits.scale * dot(v, imageVector) + this.logits.bias);
      const best = logits.indexOf(Math.max(...logits));
      chosen.set(set.name, best);
      return { set, logits, best };
    });
  }

  tag(imageVector: ArrayLike<number>, product: Product): ProductTags {
    const predictedAttributes: PredictedAttribute[] = [];
    const attributeConflicts: AttributeConflict[] = [];
    for (const { set, logits, best } of this.scores(imageVector)) {
      if (set.store) predictedAttributes.push(...labelsAbove(set, logits.map(sigmoid)));
      const stated = statedIndex(set, product);
      // A stated value outside the label set cannot be judged; one the image agrees with best is no conflict.
      if (stated === undefined || stated === best) continue;
      const confidence = round(conflictConfidence(set, logits[stated], logits[best]));
      if (confidence >= this.conflictFloor) {
        attributeConflicts.push({ name: set.name, stated: set.labels[stated].value, predicted: set.labels[best].value, confidence });
      }
    }
    return {
      predictedAttributes,
      predictedTags: [...new Set(predictedAttributes.map((a) => `${a.name}:${a.value}`))].sort(),
      attributeConflicts,
      tagsVersion: this.version,
    };
  }
}

export interface SetScores {
  set: LabelSet;
  logits: number[];
  best: number;
}

/** The index of the label a product states for the set's attribute, when it states one of the set's labels. */
export function statedIndex(set: LabelSet, product: Product): number | undefined {
  if (!set.attribute) return undefined;
  const stated = statedValue(set.attribute, product);
  const i = stated === undefined ? -1 : set.labels.findIndex((l) => l.matches.includes(stated));
  return i < 0 ? undefined : i;
}

/** The set's labels at or above its threshold, most probable first. */
function labelsAbove(set: LabelSet, p: readonly number[]): PredictedAttribute[] {
  return set.labels
    .map((label, i) => ({ name: set.name, value: label.value, confidence: round(p[i]) }))
    .filter((_, i) => p[i] >= set.threshold)
    .sort((a, b) => b.confidence - a.confidence || a.value.localeCompare(b.value));
}

/**
 * How sure the model is that a stated label is wrong. Raw sigmoid probabilities are not comparable across label sets
 * (a small model gives a colour of a named object ~0.6 and an object ~0.99), so a set fitted by
 * `npm run calibrate-conflicts` maps the stated and best labels' logits through its logistic fit; an unfitted set falls back to 1 - P(stated).
 */
export function conflictConfidence(set: Pick<LabelSet, 'conflict'>, statedLogit: number, bestLogit: number): number {
  const c = set.conflict;
  if (!c) return 1 - sigmoid(statedLogit);
  return sigmoid(c.margin * (bestLogit - statedLogit) + c.stated * statedLogit + c.best * bestLogit + c.bias);
}

/** Runs at most `n` tasks at once, so the model's bounded queue never sees thousands of texts at a time. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= n) await new Promise<void>((r) => waiting.push(r));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/** The i-th digit of a mixed-radix number (most significant first). */
function digit(n: number, radix: readonly number[], i: number): number {
  let rest = n;
  for (let j = radix.length - 1; j > i; j--) rest = Math.floor(rest / radix[j]);
  return rest % radix[i];
}

function meanUnit(vs: readonly Float32Array[]): Float32Array {
  const m = new Float32Array(vs[0].length);
  for (const v of vs) for (let i = 0; i < m.length; i++) m[i] += v[i];
  const norm = Math.hypot(...m);
  for (let i = 0; i < m.length; i++) m[i] /= norm;
  return m;
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Four decimals: stored tags stay stable across float noise, and replays stay byte-identical. */
function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
