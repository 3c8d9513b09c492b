import { z } from 'zod';
import { FIELD_NAMES, PRODUCT_FIELDS, type FieldName } from '../catalog/product-fields';

/**
 * The label file a shop tags its catalog with: sets of labels (colour, pattern, category, ...) and the prompt
 * templates that turn each label into text for the model's text tower. Pure parsing and validation; the tagger
 * (tagger.ts) embeds the prompts.
 *
 * A template names the label as `{label}` and may name an earlier set as `{<set>}`: that placeholder becomes the
 * image's best label of that set, so "red" is asked as "red mug" for a mug. Small SigLIP models score a bare colour
 * word poorly and a colour of a named object well, as they were trained on captions.
 */

const LabelSchema = z.union([
  z.string().min(1).max(100),
  z.strictObject({
    value: z.string().min(1).max(100),
    /** What the prompt says for this label, when it differs from the stored value. */
    prompt: z.string().min(1).max(200).optional(),
    /** Other spellings a catalog may state for this label ("gray" for "grey"); matched case-insensitively. */
    aliases: z.array(z.string().min(1).max(100)).max(50).optional(),
  }),
]);

const SetSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'lowercase letters, digits and _, starting with a letter'),
  /**
   * The catalog field that states this attribute, for attributeConflicts: a keyword field (`color`, `category`) or
   * `attributes.<key>`. Absent: the set only tags.
   */
  attribute: z.string().min(1).max(140).optional(),
  templates: z.array(z.string().min(1).max(200)).min(1).max(20),
  labels: z.array(LabelSchema).min(2).max(500),
  /** Overrides the file's threshold for this set. */
  threshold: z.number().gt(0).lt(1).optional(),
  /** False: the set only steers the prompts of later sets (e.g. a first guess at the object) and stores no labels. */
  store: z.boolean().default(true),
  /**
   * Logistic calibration of conflict confidence, fitted by `npm run calibrate-conflicts` on labelled products:
   * confidence = sigmoid(margin * (logit(best) - logit(stated)) + stated * logit(stated) + best * logit(best) + bias).
   * Without it the
   * confidence is 1 - P(stated label).
   */
  conflict: z
    .strictObject({ margin: z.number(), stated: z.number(), best: z.number().default(0), bias: z.number(), fit: z.string().max(500).optional() })
    .optional(),
});

export const LabelFileSchema = z.strictObject({
  $comment: z.string().optional(),
  /** A label is stored on a product when its probability reaches this. */
  threshold: z.number().gt(0).lt(1).default(0.5),
  /** A conflict is stored when the model's probability that the stated value is wrong reaches this (queries filter higher). */
  conflictFloor: z.number().gt(0).lt(1).default(0.5),
  sets: z.array(SetSchema).min(1).max(20),
});

export interface Label {
  value: string;
  prompt: string;
  /** Lower-cased value and aliases: the stated values that mean this label. */
  matches: string[];
}

/** Where a set's stated value lives on a product. */
export type AttributePath = { field: FieldName } | { attribute: string };

export interface LabelSet {
  name: string;
  attribute?: AttributePath;
  templates: string[];
  labels: Label[];
  threshold: number;
  store: boolean;
  conflict?: ConflictCalibration;
  /** The earlier sets its templates name, in the order they first appear. */
  dependsOn: string[];
}

export interface ConflictCalibration {
  margin: number;
  stated: number;
  best: number;
  bias: number;
}

export interface LabelSets {
  sets: LabelSet[];
  conflictFloor: number;
}

const PLACEHOLDER = /\{([a-z][a-z0-9_]*)\}/g;

/** Validates a parsed label file; every problem names the set and what is wrong. */
export function parseLabelFile(json: unknown): LabelSets {
  const file = LabelFileSchema.parse(json);
  const seen = new Set<string>();
  const sets = file.sets.map((s): LabelSet => {
    if (seen.has(s.name)) throw new Error(`label set "${s.name}" is defined twice`);
    const dependsOn: string[] = [];
    for (const t of s.templates) {
      if (!t.includes('{label}')) throw new Error(`label set "${s.name}": template "${t}" has no {label}`);
      for (const [, name] of t.matchAll(PLACEHOLDER)) {
        if (name === 'label' || dependsOn.includes(name)) continue;
        if (!seen.has(name)) throw new Error(`label set "${s.name}": template "${t}" names {${name}}, which is not an earlier set`);
        dependsOn.push(name);
      }
    }
    seen.add(s.name);
    const labels = s.labels.map((l): Label => {
      const { value, prompt, aliases } = typeof l === 'string' ? { value: l, prompt: undefined, aliases: [] } : l;
      return { value, prompt: prompt ?? value, matches: [...new Set([value, ...(aliases ?? [])].map((m) => m.trim().toLowerCase()))] };
    });
    const dup = labels.map((l) => l.value).find((v, i, all) => all.indexOf(v) !== i);
    if (dup) throw new Error(`label set "${s.name}": label "${dup}" appears twice`);
    return {
      name: s.name,
      ...(s.attribute ? { attribute: attributePath(s.name, s.attribute) } : {}),
      templates: s.templates,
      labels,
      threshold: s.threshold ?? file.threshold,
      store: s.store,
      ...(s.conflict ? { conflict: { margin: s.conflict.margin, stated: s.conflict.stated, best: s.conflict.best, bias: s.conflict.bias } } : {}),
      dependsOn,
    };
  });
  return { sets, conflictFloor: file.conflictFloor };
}

function attributePath(set: string, path: string): AttributePath {
  const attr = /^attributes\.(.+)$/.exec(path);
  if (attr) return { attribute: attr[1] };
  const field = FIELD_NAMES.find((f) => f === path);
  const kind = field && PRODUCT_FIELDS[field].kind;
  if (!field || (kind !== 'keyword' && kind !== 'text')) {
    throw new Error(`label set "${set}": attribute "${path}" is neither a keyword field of the product nor attributes.<key>`);
  }
  return { field };
}

/** A template filled with a label's prompt and the chosen labels of the sets it names. */
export function fillTemplate(template: string, label: Label, chosen: ReadonlyMap<string, Label>): string {
  return template.replace(PLACEHOLDER, (_m, name: string) => (name === 'label' ? label.prompt : chosen.get(name)!.prompt));
}

/** The stated value of a set's attribute on a product, lower-cased, or undefined when the product states none. */
export function statedValue(
  path: AttributePath,
  product: { readonly attributes: Readonly<Record<string, string>> } & Partial<Record<FieldName, unknown>>,
): string | undefined {
  const v = 'field' in path ? product[path.field] : product.attributes[path.attribute];
  return typeof v === 'string' && v.trim() !== '' ? v.trim().toLowerCase() : undefined;
}
