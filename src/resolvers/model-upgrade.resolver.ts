import { Args, Authorized, Query, Resolver } from 'type-graphql';
import type { CompareModelsService } from '../reindex/compare-models.service';
import { CompareModelsArgs, ModelComparison } from '../schema/model-upgrade.type';
import { WRITE } from '../schema/roles';

@Resolver()
export class ModelUpgradeResolver {
  constructor(private readonly models: CompareModelsService) {}

  @Authorized(WRITE)
  @Query(() => ModelComparison, {
    nullable: true,
    description:
      'Admin (API key): while `npm run reindex -- --shadow` builds the next model\'s index beside the live one, how ' +
      'the two compare on a sample of products: top-10 neighbour overlap, category precision of each, and the ' +
      'products whose neighbours changed most. Null when no shadow index is being built.',
    complexity: ({ args }) => 2 * Math.min(args.sample ?? 100, 500),
  })
  async compareModels(@Args(() => CompareModelsArgs) { sample }: CompareModelsArgs): Promise<ModelComparison | null> {
    const report = await this.models.compare(sample);
    return report ? Object.assign(new ModelComparison(), report) : null;
  }
}
