import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { RuleRef as RuleRefShape } from '../catalog/merchandising';
import type { HitExplanation as HitExplanationShape, SearchExplanation as SearchExplanationShape } from '../catalog/search-result';

/** `explain: true`: every hit's score, stage by stage, and what the rules did, as typed fields. */

export enum RuleSource {
  QUERY = 'QUERY',
  STORED = 'STORED',
}
registerEnumType(RuleSource, {
  name: 'RuleSource',
  description: 'Where a rule came from.',
  valuesConfig: { QUERY: { description: "The request's own `rules`." }, STORED: { description: 'A stored merchandising rule.' } },
});

export enum DroppedPinReason {
  HIDDEN = 'HIDDEN',
  PRODUCT_ALREADY_PINNED = 'PRODUCT_ALREADY_PINNED',
  POSITION_TAKEN = 'POSITION_TAKEN',
}
registerEnumType(DroppedPinReason, {
  name: 'DroppedPinReason',
  description: 'Why a pin was not applied.',
  valuesConfig: {
    HIDDEN: { description: 'A rule hides the product; hides beat pins.' },
    PRODUCT_ALREADY_PINNED: { description: 'A rule that comes first pins the product elsewhere.' },
    POSITION_TAKEN: { description: 'A rule that comes first pins another product to this position.' },
  },
});

@ObjectType({ description: 'Which rule did it: the request\'s own rules come first, then stored rules by priority, then id.' })
export class RuleRef {
  @Field(() => RuleSource, { description: "The request's own rules, or a stored rule." }) source!: RuleSource;
  @Field(() => ID, { nullable: true, description: 'The stored rule, for STORED.' }) ruleId?: string;

  static from(r: RuleRefShape): RuleRef {
    return Object.assign(new RuleRef(), { source: r.source as RuleSource, ruleId: r.ruleId ?? null });
  }
}

@ObjectType({ description: "One boost or bury that changed a hit's score." })
export class BoostApplied {
  @Field(() => RuleRef, { description: 'The rule the boost belongs to.' }) rule!: RuleRef;
  @Field(() => Int, { description: '0-based position of the boost in its rule.' }) boostIndex!: number;
  @Field(() => Float, { description: "The boost's weight (negative buries)." }) weight!: number;
  @Field(() => Float, { description: 'What it added to the score: weight × how much the product matched (0-1).' }) contribution!: number;
}

@ObjectType({ description: 'The pin that placed a hit.' })
export class PinApplied {
  @Field(() => RuleRef, { description: 'The rule the pin belongs to.' }) rule!: RuleRef;
  @Field(() => Int, { description: '1-based position in the whole list.' }) position!: number;
}

@ObjectType({ description: "A hit's score, stage by stage. Fields of stages that did not run are null." })
export class HitExplanation {
  @Field(() => Float, { nullable: true, description: 'Cosine similarity to the query (vector side).' }) vectorSimilarity?: number;
  @Field(() => Int, { nullable: true, description: '1-based rank on the vector side (null for a pinned product).' }) vectorRank?: number;
  @Field(() => Float, { nullable: true, description: 'Hybrid: 1 / (60 + vectorRank), its reciprocal-rank contribution.' })
  vectorRrfContribution?: number;
  @Field(() => Float, { nullable: true, description: 'BM25 score (keyword side).' }) keywordScore?: number;
  @Field(() => Int, { nullable: true, description: '1-based rank on the keyword side.' }) keywordRank?: number;
  @Field(() => Float, { nullable: true, description: 'Hybrid: 1 / (60 + keywordRank), its reciprocal-rank contribution.' })
  keywordRrfContribution?: number;
  @Field(() => Float, { nullable: true, description: 'With boosts: the score on the relevance scale (1 = perfect match) they were added to.' })
  relevance?: number;
  @Field(() => [BoostApplied], { description: 'Boosts (weight > 0) and buries (weight < 0) that changed the score.' }) boosts!: BoostApplied[];
  @Field(() => PinApplied, { nullable: true, description: 'The pin that placed the hit, if one did.' }) pinnedBy?: PinApplied;
  @Field(() => Float, { nullable: true, description: 'With diversity: what it took off the relevance when the hit was picked.' })
  mmrPenalty?: number;
  @Field(() => Float, { description: 'The score the hit ranks by (ProductHit.score).' }) finalScore!: number;

  static from(e: HitExplanationShape): HitExplanation {
    return Object.assign(new HitExplanation(), {
      vectorSimilarity: e.vector?.similarity ?? null,
      vectorRank: e.vector?.rank ?? null,
      vectorRrfContribution: e.vector?.rrf ?? null,
      keywordScore: e.keyword?.score ?? null,
      keywordRank: e.keyword?.rank ?? null,
      keywordRrfContribution: e.keyword?.rrf ?? null,
      relevance: e.relevance ?? null,
      boosts: e.boosts.map((b) => Object.assign(new BoostApplied(), { ...b, rule: RuleRef.from(b.rule) })),
      pinnedBy: e.pin ? Object.assign(new PinApplied(), { position: e.pin.position, rule: RuleRef.from(e.pin.rule) }) : null,
      mmrPenalty: e.mmrPenalty ?? null,
      finalScore: e.finalScore,
    });
  }
}

@ObjectType({ description: 'A product the rules hide from this list.' })
export class HiddenProduct {
  @Field(() => ID, { description: 'The hidden product.' }) productId!: string;
  @Field(() => RuleRef, { description: 'The first rule (in precedence) that hid it.' }) rule!: RuleRef;
}

@ObjectType({ description: 'A pin that was not applied: its product is hidden, or a rule earlier in precedence took the product or the position.' })
export class DroppedPin {
  @Field(() => ID, { description: 'The product the pin wanted to place.' }) productId!: string;
  @Field(() => Int, { description: 'The 1-based position it wanted.' }) position!: number;
  @Field(() => RuleRef, { description: 'The rule whose pin was dropped.' }) rule!: RuleRef;
  @Field(() => DroppedPinReason, { description: 'What it lost to.' }) reason!: DroppedPinReason;
}

@ObjectType({ description: 'What the merchandising rules did to the whole list.' })
export class SearchExplanation {
  @Field(() => [RuleRef], { description: 'Every rule that applied, in precedence order.' }) rulesApplied!: RuleRef[];
  @Field(() => [HiddenProduct], { description: 'Products the rules hide (whether or not they would have matched).' }) hidden!: HiddenProduct[];
  @Field(() => [DroppedPin], { description: 'Pins not applied: hidden products, and pins that lost to an earlier rule.' }) droppedPins!: DroppedPin[];

  static from(e: SearchExplanationShape): SearchExplanation {
    return Object.assign(new SearchExplanation(), {
      rulesApplied: e.rulesApplied.map(RuleRef.from),
      hidden: e.hidden.map((h) => Object.assign(new HiddenProduct(), { productId: h.productId, rule: RuleRef.from(h.rule) })),
      droppedPins: e.droppedPins.map((p) =>
        Object.assign(new DroppedPin(), { productId: p.productId, position: p.position, rule: RuleRef.from(p.rule), reason: p.reason as DroppedPinReason }),
      ),
    });
  }
}
