import { Args, Authorized, Mutation, Query, Resolver } from 'type-graphql';
import type { MerchandisingService } from '../search/merchandising.service';
import { DeleteMerchandisingRuleArgs, SaveMerchandisingRuleArgs } from '../schema/args';
import { MerchandisingRule, toStoredRule } from '../schema/merchandising.type';
import { DeleteSuccess } from '../schema/product.type';
import { DeleteMerchandisingRuleResult, SaveMerchandisingRuleResult } from '../schema/results.union';
import { WRITE } from '../schema/roles';
import { orErrorResult } from './error-mapping';

/** Stored merchandising rules: read and written with a write key only (they are the shop's business). */
@Resolver()
export class MerchandisingResolver {
  constructor(private readonly merchandising: MerchandisingService) {}

  @Authorized(WRITE)
  @Query(() => [MerchandisingRule], { description: 'Every stored merchandising rule, by id.', complexity: 50 })
  async merchandisingRules(): Promise<MerchandisingRule[]> {
    return (await this.merchandising.list()).map(MerchandisingRule.from);
  }

  @Authorized(WRITE)
  @Mutation(() => SaveMerchandisingRuleResult, {
    description:
      'Creates or replaces a stored rule. A rule that contradicts itself is refused (ContradictoryRules) with every ' +
      'conflict listed. This server applies it at once; other replicas within RULES_CACHE_TTL_MS.',
    complexity: 5,
  })
  async saveMerchandisingRule(@Args(() => SaveMerchandisingRuleArgs) { input }: SaveMerchandisingRuleArgs): Promise<typeof SaveMerchandisingRuleResult> {
    return orErrorResult(async () => MerchandisingRule.from(await this.merchandising.save(toStoredRule(input)))) as Promise<
      typeof SaveMerchandisingRuleResult
    >;
  }

  @Authorized(WRITE)
  @Mutation(() => DeleteMerchandisingRuleResult, { description: 'Deletes a stored rule.', complexity: 5 })
  async deleteMerchandisingRule(@Args(() => DeleteMerchandisingRuleArgs) { id }: DeleteMerchandisingRuleArgs): Promise<typeof DeleteMerchandisingRuleResult> {
    return orErrorResult(async () => {
      await this.merchandising.delete(id);
      return Object.assign(new DeleteSuccess(), { id });
    }) as Promise<typeof DeleteMerchandisingRuleResult>;
  }
}
