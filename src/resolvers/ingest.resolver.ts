import type { GraphQLResolveInfo } from 'graphql';
import { Args, Authorized, Ctx, Info, Mutation, Resolver } from 'type-graphql';
import { IngestStatus } from '../catalog/product';
import type { IngestOutcome, IngestService } from '../ingest/ingest.service';
import { DeleteProductArgs, IngestProductArgs, IngestProductsArgs } from '../schema/args';
import { toProductInput } from '../schema/inputs';
import { DeleteSuccess, IngestSuccess, IngestSummary, ProductType, RelatedProductType } from '../schema/product.type';
import { DeleteProductResult, IngestProductResult, IngestProductsPayload } from '../schema/results.union';
import { WRITE } from '../schema/roles';
import type { RequestContext } from './context';
import { IMAGE_EMBED_COST } from './cost';
import { orErrorResult, toErrorResult } from './error-mapping';
import { selects } from './selection';

function toResult(o: IngestOutcome): typeof IngestProductResult {
  if (!o.ok) return toErrorResult(o.error) as typeof IngestProductResult;
  return Object.assign(new IngestSuccess(), {
    status: o.status,
    product: ProductType.from(o.product),
    duplicates: o.duplicates?.map(RelatedProductType.from),
  });
}

@Resolver()
export class IngestResolver {
  constructor(private readonly ingestService: IngestService) {}

  @Authorized(WRITE)
  @Mutation(() => IngestProductResult, {
    description:
      'Creates or updates a product by id and computes its image vector. Replaying the same input changes nothing. ' +
      'Answers once the write is stored; searches see it within the index refresh interval (about 1 s), or before ' +
      'the answer with refresh: true.',
    complexity: IMAGE_EMBED_COST,
  })
  async ingestProduct(
    @Args(() => IngestProductArgs) { input, refresh }: IngestProductArgs,
    @Ctx() { signal }: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<typeof IngestProductResult> {
    const [outcome] = await this.ingestService.ingest([toProductInput(input)], { refresh, signal, checkDuplicates: selects(info, 'duplicates') });
    return toResult(outcome);
  }

  @Authorized(WRITE)
  @Mutation(() => IngestProductsPayload, {
    description:
      'Bulk ingest. One result per input; failures of single items are reported, never thrown. Answers without ' +
      'waiting for an index refresh unless refresh: true (then once, for the whole call).',
    complexity: ({ args }) => IMAGE_EMBED_COST * (args.inputs?.length ?? 1),
  })
  async ingestProducts(
    @Args(() => IngestProductsArgs) { inputs, refresh }: IngestProductsArgs,
    @Ctx() { signal }: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<IngestProductsPayload> {
    const outcomes = await this.ingestService.ingest(inputs.map(toProductInput), { refresh, signal, checkDuplicates: selects(info, 'duplicates') });
    const count = (s: IngestStatus) => outcomes.filter((o) => o.ok && o.status === s).length;
    const summary = Object.assign(new IngestSummary(), {
      created: count(IngestStatus.CREATED),
      updated: count(IngestStatus.UPDATED),
      unchanged: count(IngestStatus.UNCHANGED),
      failed: outcomes.filter((o) => !o.ok).length,
    });
    return Object.assign(new IngestProductsPayload(), { results: outcomes.map(toResult), summary });
  }

  @Authorized(WRITE)
  @Mutation(() => DeleteProductResult, {
    description:
      'Deletes a product by id. Answers as soon as it is deleted; searches stop returning it within the index refresh ' +
      'interval (about 1 s), or before the answer with refresh: true.',
    complexity: 1,
  })
  async deleteProduct(@Args(() => DeleteProductArgs) { id, refresh }: DeleteProductArgs): Promise<typeof DeleteProductResult> {
    return orErrorResult(async () => {
      await this.ingestService.delete(id, { refresh });
      return Object.assign(new DeleteSuccess(), { id });
    }) as Promise<typeof DeleteProductResult>;
  }
}
