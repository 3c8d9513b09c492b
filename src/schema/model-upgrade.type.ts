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

@ObjectType()
export class ModelQuality {
  @Field(() => String) index!: string;
  @Field(() => String) modelId!: string;
  @Field(() => Float, {
    description: "Share of each sampled product's 5 nearest other products in its own category (image to image, catalog labels).",
  })
  categoryPrecisionAt5!: number;
}

@ObjectType()
export class ChangedNeighbours {
  @Field(() => ID) id!: string;
  @Field(() => String) title!: string;
  @Field(() => Float, { description: 'Share of the 10 nearest neighbours both models agree on.' }) overlapAt10!: number;
}

@ObjectType({ description: 'The live model against the shadow index being built, measured with each index\'s own vectors.' })
export class ModelComparison {
  @Field(() => ModelQuality) live!: ModelQuality;
  @Field(() => ModelQuality) shadow!: ModelQuality;
  @Field(() => Int) sampleSize!: number;
  @Field(() => Float, { description: 'Mean share of the 10 nearest neighbours both models agree on.' }) meanOverlapAt10!: number;
  @Field(() => [ChangedNeighbours], { description: 'The products whose neighbours changed most.' }) mostChanged!: ChangedNeighbours[];
}
