import { ArrayMaxSize, IsOptional, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { Boost, RuleSet, StoredRule } from '../catalog/merchandising';
import type { ProductFilter } from '../catalog/product';
import { MAX_ID_LENGTH } from '../catalog/product-fields';
import { ProductFilterInput } from './inputs';
import { defineFilterFields } from './product-fields.graphql';

/** Merchandising rules: the inputs a request or a saved rule takes, and the stored rule as it is read back. */

export const MAX_RULE_ITEMS = { boosts: 20, pins: 20, hides: 200, context: 50 } as const;
/** Pins go anywhere a list can be paged to. */
const MAX_PIN_POSITION = 1000;

@InputType({ description: 'Raise (weight > 0) or lower (weight < 0) products; give exactly one of filters and recencyHalfLifeDays.' })
export class BoostInput {
  @Field(() => Float, { description: 'On the relevance scale, where 1 is a perfect match: -1 to 1.' })
  @Min(-1)
  @Max(1)
  weight!: number;

  @Field(() => ProductFilterInput, { nullable: true, description: 'Products matching this filter get the whole weight.' })
  @ValidateNested()
  filters?: ProductFilterInput;

  @Field(() => Float, {
    nullable: true,
    description: 'Newer products get more: weight × 2^(−age/half-life), age in days since updatedAt (0.1 to 3650).',
  })
  @IsOptional()
  @Min(0.1)
  @Max(3650)
  recencyHalfLifeDays?: number;
}

@InputType({ description: 'Show a product at a position of the list, if it passes the filters.' })
export class PinInput {
  @Field(() => ID, { description: 'The product to pin.' }) @MaxLength(MAX_ID_LENGTH) id!: string;
  @Field(() => Int, { description: `1-based, at most ${MAX_PIN_POSITION}.` }) @Min(1) @Max(MAX_PIN_POSITION) position!: number;
}

@InputType({ description: 'Boosts, pins and hides. A product both pinned and hidden, or two pins on one position, is refused.' })
export class MerchandisingRulesInput {
  @Field(() => [BoostInput], { nullable: true, description: `Boosts and buries (up to ${MAX_RULE_ITEMS.boosts}); their weights add up.` }) @ArrayMaxSize(MAX_RULE_ITEMS.boosts) @ValidateNested({ each: true }) boosts?: BoostInput[];
  @Field(() => [PinInput], { nullable: true, description: `Products at fixed positions (up to ${MAX_RULE_ITEMS.pins}).` }) @ArrayMaxSize(MAX_RULE_ITEMS.pins) @ValidateNested({ each: true }) pins?: PinInput[];

  @Field(() => [ID], { nullable: true, description: 'Products never to show (they also leave facet counts).' })
  @ArrayMaxSize(MAX_RULE_ITEMS.hides)
  @MaxLength(MAX_ID_LENGTH, { each: true })
  hides?: string[];
}

@InputType({ description: 'Where a stored rule applies. Empty lists match every request; both given, both must match.' })
export class RuleContextInput {
  @Field(() => [String], { nullable: true, description: 'Requests that filter on, or start from products in, one of these categories.' })
  @ArrayMaxSize(MAX_RULE_ITEMS.context)
  @MaxLength(200, { each: true })
  categories?: string[];

  @Field(() => [String], { nullable: true, description: 'Requests whose text or keywords are one of these (case and spacing ignored).' })
  @ArrayMaxSize(MAX_RULE_ITEMS.context)
  @MaxLength(512, { each: true })
  queries?: string[];
}

@InputType({ description: 'A stored merchandising rule; saving an existing id replaces it.' })
export class MerchandisingRuleInput extends MerchandisingRulesInput {
  @Field(() => ID, { description: 'Your key for the rule; saving the same id again replaces it.' }) @MaxLength(MAX_ID_LENGTH) id!: string;
  @Field(() => String, { nullable: true, description: 'What the rule is for, for the people who maintain it.' }) @MaxLength(1000) description?: string;

  @Field(() => Int, { defaultValue: 0, description: 'Higher wins where rules contradict each other; ties go to the lower id.' })
  @Min(-1000)
  @Max(1000)
  priority: number = 0;

  @Field(() => Boolean, { defaultValue: true, description: 'A disabled rule is kept but never applied.' }) enabled: boolean = true;
  @Field(() => RuleContextInput, { nullable: true, description: 'Where the rule applies; everywhere when absent.' }) @ValidateNested() context?: RuleContextInput;
}

/** The filter of a stored boost, as it reads back: the same fields as ProductFilterInput. */
@ObjectType('ProductFilter', { description: 'A product filter: every list is an any-of; the lists combine with AND.' })
export class ProductFilterType {}
export interface ProductFilterType extends ProductFilter {}
defineFilterFields(ProductFilterType);

@ObjectType('Boost', { description: 'A stored boost (weight > 0) or bury (weight < 0), as BoostInput saved it.' })
export class BoostType {
  @Field(() => Float, { description: 'On the relevance scale, where 1 is a perfect match: -1 to 1.' }) weight!: number;
  @Field(() => ProductFilterType, { nullable: true, description: 'Products matching this filter get the whole weight.' }) filters?: ProductFilterType;
  @Field(() => Float, { nullable: true, description: 'Newer products get more: weight × 2^(−age/half-life), age in days since updatedAt.' })
  recencyHalfLifeDays?: number;
}

@ObjectType('Pin', { description: 'A stored pin: a product shown at a position when it passes the filters.' })
export class PinType {
  @Field(() => ID, { description: 'The pinned product.' }) id!: string;
  @Field(() => Int, { description: '1-based position in the whole list (not in a page).' }) position!: number;
}

@ObjectType('RuleContext', { description: 'Where a stored rule applies. Empty lists match every request; both given, both must match.' })
export class RuleContextType {
  @Field(() => [String], { description: 'Requests that filter on, or start from products in, one of these categories.' }) categories!: string[];
  @Field(() => [String], { description: 'Requests whose text or keywords are one of these (case and spacing ignored).' }) queries!: string[];
}

@ObjectType({ description: 'A stored rule, applied by context to every search (cached by each server for RULES_CACHE_TTL_MS).' })
export class MerchandisingRule {
  @Field(() => ID, { description: 'The key it was saved under.' }) id!: string;
  @Field(() => String, { nullable: true, description: 'What the rule is for, as saved.' }) description?: string;
  @Field(() => Int, { description: 'Higher wins where rules contradict each other; ties go to the lower id.' }) priority!: number;
  @Field(() => Boolean, { description: 'A disabled rule is kept but never applied.' }) enabled!: boolean;
  @Field(() => RuleContextType, { description: 'Where it applies.' }) context!: RuleContextType;
  @Field(() => [BoostType], { description: 'Its boosts and buries; their weights add up.' }) boosts!: BoostType[];
  @Field(() => [PinType], { description: 'Its pins.' }) pins!: PinType[];
  @Field(() => [ID], { description: 'Products it never shows (they also leave facet counts).' }) hides!: string[];
  @Field(() => String, { description: 'When it was last saved (ISO 8601).' }) updatedAt!: string;

  static from(r: StoredRule): MerchandisingRule {
    return Object.assign(new MerchandisingRule(), {
      id: r.id,
      description: r.description ?? null,
      priority: r.priority,
      enabled: r.enabled,
      context: Object.assign(new RuleContextType(), { categories: [...(r.context.categories ?? [])], queries: [...(r.context.queries ?? [])] }),
      boosts: (r.boosts ?? []).map((b) =>
        Object.assign(new BoostType(), {
          weight: b.weight,
          filters: b.filter ? Object.assign(new ProductFilterType(), b.filter) : null,
          recencyHalfLifeDays: b.recencyHalfLifeDays ?? null,
        }),
      ),
      pins: (r.pins ?? []).map((p) => Object.assign(new PinType(), p)),
      hides: [...(r.hides ?? [])],
      updatedAt: r.updatedAt,
    });
  }
}

/** GraphQL rules input -> the domain's rule set. */
export function toRuleSet(i: MerchandisingRulesInput | undefined | null): RuleSet | undefined {
  if (!i) return undefined;
  return {
    boosts: (i.boosts ?? []).map(
      (b): Boost => ({
        weight: b.weight,
        ...(b.filters ? { filter: { ...b.filters } } : {}),
        ...(b.recencyHalfLifeDays != null ? { recencyHalfLifeDays: b.recencyHalfLifeDays } : {}),
      }),
    ),
    pins: (i.pins ?? []).map((p) => ({ id: p.id, position: p.position })),
    hides: [...(i.hides ?? [])],
  };
}

export function toStoredRule(i: MerchandisingRuleInput): Omit<StoredRule, 'updatedAt'> {
  return {
    ...toRuleSet(i)!,
    id: i.id,
    ...(i.description ? { description: i.description } : {}),
    priority: i.priority,
    enabled: i.enabled,
    context: { categories: [...(i.context?.categories ?? [])], queries: [...(i.context?.queries ?? [])] },
  };
}
