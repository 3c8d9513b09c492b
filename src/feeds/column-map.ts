/**
 * Which feed column feeds which field: each format's defaults (a profile) plus the user's `--map field=column`.
 * Column names are compared loosely ("Image Link" = "image_link" = "imageLink").
 */
import { looseName } from './mappers/values';

/** What a column can be mapped to; `attributes.<name>` is accepted too. */
export const FIELD_TARGETS = [
  'id',
  'title',
  'description',
  'brand',
  'category',
  'color',
  'price',
  'currency',
  'availability',
  'tags',
  'image',
  'images',
  'additional_images',
  'group_id',
  'link',
  'version',
  'attributes',
] as const;
export type FieldTarget = (typeof FIELD_TARGETS)[number];

/** Without these a row cannot become a product (`image` is also met by an `images` column). */
export const REQUIRED_TARGETS: readonly FieldTarget[] = ['id', 'title', 'image'];

/** Other spellings --map accepts: the GraphQL field names. */
const TARGET_ALIASES: Readonly<Record<string, FieldTarget>> = {
  groupId: 'group_id',
  additionalImages: 'additional_images',
  imageUrl: 'image',
};

export interface ColumnMap {
  fields: ReadonlyMap<FieldTarget, string>;
  /** attribute name -> column */
  attributes: ReadonlyMap<string, string>;
}

export const EMPTY_COLUMN_MAP: ColumnMap = { fields: new Map(), attributes: new Map() };

/** Parses `--map title=Product Name --map attributes.material=Fabric`. Throws with a readable message. */
export function parseColumnMap(specs: readonly string[]): ColumnMap {
  const fields = new Map<FieldTarget, string>();
  const attributes = new Map<string, string>();
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const target = spec.slice(0, eq).trim();
    const column = spec.slice(eq + 1).trim();
    if (eq <= 0 || column === '') throw new Error(`--map "${spec}": expected field=column, e.g. title=Product Name`);
    if (target.startsWith('attributes.') && target.length > 'attributes.'.length) {
      attributes.set(target.slice('attributes.'.length), column);
    } else if ((FIELD_TARGETS as readonly string[]).includes(target) || Object.hasOwn(TARGET_ALIASES, target)) {
      fields.set(TARGET_ALIASES[target] ?? (target as FieldTarget), column);
    } else {
      throw new Error(`--map "${spec}": unknown field "${target}"; fields are ${FIELD_TARGETS.join(', ')} or attributes.<name>`);
    }
  }
  return { fields, attributes };
}

/** A format's defaults: candidate column names per field (loose names, first present wins) and extra columns. */
export interface Profile {
  readonly columns: Partial<Record<FieldTarget, readonly string[]>>;
  /** Columns copied into attributes under their own (loose) name. */
  readonly attributeColumns: readonly string[];
  /** Columns whose values become tags. */
  readonly tagColumns: readonly string[];
  /** A price must name its currency ("12.50 USD") unless --currency gives one: Google's rule. */
  readonly priceNeedsCurrency?: boolean;
}

/** CSV and JSONL: our own field names and the usual synonyms. */
export const GENERIC_PROFILE: Profile = {
  columns: {
    id: ['id', 'sku', 'productid'],
    title: ['title', 'name'],
    description: ['description', 'body', 'bodyhtml'],
    brand: ['brand', 'vendor'],
    category: ['category', 'producttype', 'type'],
    color: ['color', 'colour'],
    price: ['price'],
    currency: ['currency'],
    availability: ['availability', 'instock', 'stock'],
    tags: ['tags'],
    image: ['image', 'imageurl', 'imagelink', 'imagesrc'],
    images: ['images'],
    additional_images: ['additionalimages', 'additionalimagelink'],
    group_id: ['groupid', 'itemgroupid'],
    link: ['link', 'url', 'producturl'],
    version: ['version'],
    attributes: ['attributes'],
  },
  attributeColumns: [],
  tagColumns: [],
};

/**
 * Google Merchant Center (TSV and XML): its attribute names. product_type (the merchant's own path) gives the
 * category before google_product_category; both paths are also kept whole as attributes.
 */
export const MERCHANT_PROFILE: Profile = {
  columns: {
    id: ['id'],
    title: ['title'],
    description: ['description'],
    brand: ['brand'],
    category: ['producttype', 'googleproductcategory'],
    color: ['color'],
    price: ['price'],
    availability: ['availability'],
    image: ['imagelink'],
    additional_images: ['additionalimagelink'],
    group_id: ['itemgroupid'],
    link: ['link'],
  },
  attributeColumns: [
    'producttype',
    'googleproductcategory',
    'condition',
    'gtin',
    'mpn',
    'size',
    'material',
    'pattern',
    'gender',
    'agegroup',
    'saleprice',
  ],
  tagColumns: ['customlabel0', 'customlabel1', 'customlabel2', 'customlabel3', 'customlabel4'],
  priceNeedsCurrency: true,
};

/** Looks columns up by loose name; built once per distinct set of names. */
export class ColumnLookup {
  private readonly byLoose = new Map<string, string>();

  constructor(names: Iterable<string>) {
    for (const n of names) if (!this.byLoose.has(looseName(n))) this.byLoose.set(looseName(n), n);
  }

  find(name: string): string | undefined {
    return this.byLoose.get(looseName(name));
  }

  /** The columns that would feed `target`: the user's choice alone when given, else the profile's candidates. */
  candidates(target: FieldTarget, profile: Profile, map: ColumnMap): string[] {
    const explicit = map.fields.get(target);
    const names = explicit !== undefined ? [explicit] : (profile.columns[target] ?? []);
    return names.map((n) => this.find(n)).filter((n): n is string => n !== undefined);
  }
}

export interface ColumnReport {
  /** field -> the column that feeds it (first candidate present). */
  mapped: [FieldTarget | string, string][];
  missingRequired: FieldTarget[];
  /** --map names a column the feed does not have. */
  missingMapped: string[];
  unmapped: string[];
}

/** What a set of column names means under a profile and map: for the dry run and the header check. */
export function reportColumns(names: Iterable<string>, profile: Profile, map: ColumnMap): ColumnReport {
  const all = [...names];
  const lookup = new ColumnLookup(all);
  const used = new Set<string>();
  const mapped: ColumnReport['mapped'] = [];
  for (const target of FIELD_TARGETS) {
    const found = lookup.candidates(target, profile, map);
    found.forEach((c) => used.add(c));
    if (found.length > 0) mapped.push([target, found[0]!]);
  }
  for (const [name, column] of map.attributes) {
    const c = lookup.find(column);
    if (c !== undefined) {
      used.add(c);
      mapped.push([`attributes.${name}`, c]);
    }
  }
  for (const c of [...profile.attributeColumns, ...profile.tagColumns]) {
    const found = lookup.find(c);
    if (found !== undefined) used.add(found);
  }
  const missingMapped = [...map.fields.values(), ...map.attributes.values()].filter((c) => lookup.find(c) === undefined);
  return {
    mapped,
    missingRequired: REQUIRED_TARGETS.filter(
      (t) => lookup.candidates(t, profile, map).length === 0 && !(t === 'image' && lookup.candidates('images', profile, map).length > 0),
    ),
    missingMapped,
    unmapped: all.filter((n) => !used.has(n)),
  };
}
