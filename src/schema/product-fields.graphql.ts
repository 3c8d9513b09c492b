import { ArrayMaxSize, IsNumber, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { Field, Float, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import {
  FIELD_NAMES,
  LIST_FILTER_BOUNDS,
  PRODUCT_FIELDS,
  type FieldKind,
  type FieldName,
  type FieldSpec,
  type InputSpec,
} from '../catalog/product-fields';
import type { FieldNamesOfKind, Product, ProductInput } from '../catalog/product';

/**
 * The GraphQL side of the field table: which GraphQL type each field kind has, how values cross between the domain
 * and GraphQL, and the functions that put the table's fields, bounds and filters onto the type-graphql classes.
 * Decorators are applied programmatically, exactly as `@Field(...)` would, so the classes have no hand-written fields.
 */

@ObjectType({ description: 'A free-form catalog attribute such as material or size.' })
export class Attribute {
  @Field(() => String, { description: 'The attribute name, e.g. material.' }) key!: string;
  @Field(() => String, { description: 'Its value, as ingested.' }) value!: string;
}

@InputType({ description: 'A free-form catalog attribute; one per key (a repeated key keeps the last value).' })
export class AttributeInput {
  @Field(() => String, { description: 'The attribute name (1-100 characters).' }) @MinLength(1) @MaxLength(100) key!: string;
  @Field(() => String, { description: 'Its value (up to 1,000 characters).' }) @MaxLength(1000) value!: string;
}

@ObjectType({ description: 'A label the model read off the product image (zero-shot tagging), with its probability.' })
export class PredictedAttribute {
  @Field(() => String, { description: 'The label set, e.g. color, pattern, category.' }) name!: string;
  @Field(() => String, { description: 'The label that matched, e.g. red.' }) value!: string;
  @Field(() => Float, { description: "SigLIP's sigmoid probability that the image shows this label (0-1)." }) confidence!: number;
}

type TypeRef = () => unknown;

interface KindGraphQL {
  output: TypeRef;
  input: TypeRef;
  /** The list kinds validate each item; attributes are nested input objects. */
  list?: boolean;
  nested?: boolean;
  /** Domain value -> GraphQL output value, when they differ. */
  toOutput?: (value: any) => unknown;
  /** GraphQL input value -> domain value, when they differ. */
  fromInput?: (value: any) => unknown;
}

const KINDS: Record<FieldKind, KindGraphQL> = {
  id: { output: () => ID, input: () => String },
  text: { output: () => String, input: () => String },
  keyword: { output: () => String, input: () => String },
  url: { output: () => String, input: () => String },
  timestamp: { output: () => String, input: () => String },
  number: { output: () => Float, input: () => Float },
  version: { output: () => Float, input: () => Float },
  boolean: { output: () => Boolean, input: () => Boolean },
  keywords: { output: () => [String], input: () => [String], list: true },
  attributes: {
    output: () => [Attribute],
    input: () => [AttributeInput],
    list: true,
    nested: true,
    toOutput: (record: Record<string, string>) =>
      Object.entries(record).map(([key, value]) => Object.assign(new Attribute(), { key, value })),
    fromInput: (list: AttributeInput[] | undefined | null) =>
      list ? Object.fromEntries(list.map((a) => [a.key, a.value])) : undefined,
  },
  // Server-written only (input: false), so the input side is never used.
  predictions: {
    output: () => [PredictedAttribute],
    input: () => [PredictedAttribute],
    list: true,
    toOutput: (list: PredictedAttribute[] | undefined) => (list ?? []).map((a) => Object.assign(new PredictedAttribute(), a)),
  },
};

type AttributeName = FieldNamesOfKind<'attributes'>;

/** The GraphQL Product's TypeScript shape: the domain product with attributes as key/value objects. */
export type ProductOutputShape = Omit<Product, AttributeName> & { [K in AttributeName]: Attribute[] };

/** The GraphQL ProductInput's TypeScript shape: the domain input with attributes as key/value inputs. */
export type ProductInputShape = Omit<ProductInput, AttributeName | 'image' | 'images'> & {
  [K in AttributeName]?: AttributeInput[];
};

type Target = { prototype: object };

function apply(target: Target, name: string, decorators: PropertyDecorator[]): void {
  for (const decorate of decorators) decorate(target.prototype, name);
}

/** class-validator decorators for a field's input bounds. */
function validators(kind: FieldKind, spec: InputSpec): PropertyDecorator[] {
  const each = KINDS[kind].list ? { each: true } : undefined;
  const out: (PropertyDecorator | false)[] = [
    spec.pattern !== undefined && Matches(spec.pattern.regex, { message: spec.pattern.message }),
    spec.minLength !== undefined && MinLength(spec.minLength),
    spec.maxItems !== undefined && ArrayMaxSize(spec.maxItems),
    spec.maxLength !== undefined && MaxLength(spec.maxLength, each),
    spec.integer === true && IsNumber({ maxDecimalPlaces: 0 }),
    spec.min !== undefined && Min(spec.min),
    spec.max !== undefined && Max(spec.max),
    KINDS[kind].nested === true && ValidateNested({ each: true }),
  ];
  return out.filter((d): d is PropertyDecorator => d !== false);
}

/** Every table field on the GraphQL output type, non-null when the product always has it. */
export function defineOutputFields(target: Target): void {
  for (const name of FIELD_NAMES) {
    const spec: FieldSpec = PRODUCT_FIELDS[name];
    apply(target, name, [Field(KINDS[spec.kind].output as never, { nullable: !spec.required, description: spec.description })]);
  }
}

/** Every field a client may set, with its bounds, on the GraphQL input type. */
export function defineInputFields(target: Target): void {
  for (const name of FIELD_NAMES) {
    const spec: FieldSpec = PRODUCT_FIELDS[name];
    if (!spec.input) continue;
    const options = { nullable: !spec.input.required, description: spec.input.description, defaultValue: spec.input.defaultValue };
    apply(target, name, [Field(KINDS[spec.kind].input as never, options), ...validators(spec.kind, spec.input)]);
  }
}

/** Every filter argument the table declares: any-of lists, range bounds and booleans. */
export function defineFilterFields(target: Target): void {
  for (const name of FIELD_NAMES) {
    const spec: FieldSpec = PRODUCT_FIELDS[name];
    const filter = spec.filter;
    if (!filter) continue;
    const scalar = KINDS[spec.kind].input;
    if ('anyOf' in filter) {
      const item = KINDS[spec.kind].list ? scalar : () => [scalar()];
      const matches = KINDS[spec.kind].list ? `has any of these ${name}` : `${name} is any of these`;
      apply(target, filter.anyOf, [
        Field(item as never, { nullable: true, description: `Products whose ${matches} (up to ${LIST_FILTER_BOUNDS.maxItems}).` }),
        ArrayMaxSize(LIST_FILTER_BOUNDS.maxItems),
        MaxLength(LIST_FILTER_BOUNDS.maxLength, { each: true }),
      ]);
    } else if ('range' in filter) {
      // A range bound is a value of the field, so it keeps the field's lower bound (a negative price is no price).
      const min = spec.input && spec.input.min !== undefined ? [Min(spec.input.min)] : [];
      const [lo, hi] = filter.range;
      apply(target, lo, [Field(scalar as never, { nullable: true, description: `Products whose ${name} is at least this.` }), ...min]);
      apply(target, hi, [Field(scalar as never, { nullable: true, description: `Products whose ${name} is at most this.` }), ...min]);
    } else {
      apply(target, filter.is, [Field(scalar as never, { nullable: true, description: `Products whose ${name} is this.` })]);
    }
  }
}

/** Domain product -> the GraphQL output's values. */
export function toOutputValues(p: Product): ProductOutputShape {
  const out: Record<string, unknown> = {};
  for (const name of FIELD_NAMES) {
    const convert = KINDS[PRODUCT_FIELDS[name].kind].toOutput;
    out[name] = convert ? convert(p[name]) : p[name];
  }
  return out as ProductOutputShape;
}

/** GraphQL input values -> the domain input's catalog fields (the image is the caller's to add). */
export function fromInputValues(i: ProductInputShape): Omit<ProductInput, 'image' | 'images'> {
  const out: Record<string, unknown> = {};
  for (const name of FIELD_NAMES) {
    const spec: FieldSpec = PRODUCT_FIELDS[name];
    if (!spec.input) continue;
    const value = (i as Record<FieldName, unknown>)[name];
    const convert = KINDS[spec.kind].fromInput;
    out[name] = convert ? convert(value) : value;
  }
  return out as Omit<ProductInput, 'image' | 'images'>;
}

/** `updatedAt` -> `UPDATED_AT`. */
function upperSnake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** Every browse order the table declares (fields with `sort`), as `<FIELD>_ASC` and `<FIELD>_DESC`. */
export const PRODUCT_SORTS: Readonly<Record<string, { field: FieldName; descending: boolean }>> = Object.fromEntries(
  FIELD_NAMES.flatMap((field) =>
    (PRODUCT_FIELDS[field] as FieldSpec).sort
      ? [
          [`${upperSnake(field)}_ASC`, { field, descending: false }],
          [`${upperSnake(field)}_DESC`, { field, descending: true }],
        ]
      : [],
  ),
);

/** The GraphQL ProductSort enum: its values are the keys of PRODUCT_SORTS. */
export const ProductSort = Object.fromEntries(Object.keys(PRODUCT_SORTS).map((k) => [k, k])) as Record<string, string>;
export type ProductSort = string;
registerEnumType(ProductSort, {
  name: 'ProductSort',
  description: 'Browse order. Products without the field come last; ties are ordered by id.',
  valuesConfig: Object.fromEntries(
    Object.entries(PRODUCT_SORTS).map(([k, o]) => [k, { description: `By ${o.field}, ${o.descending ? 'highest' : 'lowest'} first.` }]),
  ),
});

/** Every facet the table declares: terms facets by field name (`BRAND`), range facets as `<FIELD>_RANGE`. */
export const FACET_FIELD_NAMES: Readonly<Record<string, FieldName>> = Object.fromEntries(
  FIELD_NAMES.flatMap((field) => {
    const kind = (PRODUCT_FIELDS[field] as FieldSpec).facet;
    return kind ? [[kind === 'ranges' ? `${upperSnake(field)}_RANGE` : upperSnake(field), field]] : [];
  }),
);

/** The GraphQL FacetField enum: its values are the keys of FACET_FIELD_NAMES. */
export const FacetField = Object.fromEntries(Object.keys(FACET_FIELD_NAMES).map((k) => [k, k])) as Record<string, string>;
export type FacetField = string;
registerEnumType(FacetField, {
  name: 'FacetField',
  description: 'A field whose values search results can count.',
  valuesConfig: Object.fromEntries(
    Object.entries(FACET_FIELD_NAMES).map(([value, field]) => [
      value,
      {
        description:
          (PRODUCT_FIELDS[field] as FieldSpec).facet === 'ranges'
            ? `Products per ${field} range (bucket bounds from the server's FACET_${upperSnake(field)}_RANGES).`
            : `Products per value of ${field}.`,
      },
    ]),
  ),
});

/** Domain field name -> FacetField value. */
export function facetFieldOf(field: FieldName): FacetField {
  return Object.entries(FACET_FIELD_NAMES).find(([, f]) => f === field)![0];
}
