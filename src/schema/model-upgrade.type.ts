import { Max, Min } from 'class-validator';
import { ArgsType, Field, Float, ID, Int, ObjectType } from 'type-graphql';

/** Safe model upgrades: what promoting the shadow index (npm run reindex -- --shadow) would change. */

@ArgsType()
export class CompareModelsArgs {
  @Field(() => Int, { defaultValue: 100, description: 'Products to compare (1-500): the first ones in id order.' })
  @Min(1)
  @Max(500)
  sample: number = 100;
}

@ObjectType({ description: 'How well one index\'s vectors group the catalog.' })
export class ModelQuality {
  @Field(() => String, { description: 'The concrete Elasticsearch index measured.' }) index!: string;
  @Field(() => String, { description: 'The model whose vectors it holds.' }) modelId!: string;
  @Field(() => Float, {
    description: "Share of each sampled product's 5 nearest other products in its own category (image to image, catalog labels).",
  })
  categoryPrecisionAt5!: number;
}

@ObjectType({ description: 'A sampled product whose nearest neighbours the two models disagree on.' })
export class ChangedNeighbours {
  @Field(() => ID, { description: 'The product.' }) id!: string;
  @Field(() => String, { description: 'Its title.' }) title!: string;
  @Field(() => Float, { description: 'Share of the 10 nearest neighbours both models agree on.' }) overlapAt10!: number;
}

@ObjectType({ description: 'The live model against the shadow index being built, measured with each index\'s own vectors.' })
export class ModelComparison {
  @Field(() => ModelQuality, { description: 'The index searches use now.' }) live!: ModelQuality;
  @Field(() => ModelQuality, { description: 'The shadow index being built for the new model.' }) shadow!: ModelQuality;
  @Field(() => Int, { description: 'Products compared: the first ones in id order that both indices hold with a vector.' }) sampleSize!: number;
  @Field(() => Float, { description: 'Mean share of the 10 nearest neighbours both models agree on.' }) meanOverlapAt10!: number;
  @Field(() => [ChangedNeighbours], { description: 'The products whose neighbours changed most.' }) mostChanged!: ChangedNeighbours[];
}
