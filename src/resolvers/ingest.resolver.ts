import { ArrayMaxSize, ArrayMinSize, ValidateNested } from 'class-validator';
import { Arg, Args, ArgsType, Authorized, Field, ID, Mutation, Resolver } from 'type-graphql';
import { ProductNotFoundError } from '../common/errors';
import type { IngestOutcome, IngestService } from '../ingest/ingest.service';
import { IngestStatus } from '../schema/enums';
import { ProductInputType, toProductInput } from '../schema/inputs';
import { DeleteSuccess, IngestSuccess, IngestSummary, ProductType } from '../schema/product.type';
import { DeleteProductResult, IngestProductResult, IngestProductsPayload } from '../schema/results.union';
import { IMAGE_EMBED_COST } from './cost';
import { orErrorResult, toErrorResult } from './error-mapping';

export const WRITE = 'WRITE';
export const MAX_BULK_INGEST = 100;

@ArgsType()
class IngestProductsArgs {
  @Field(() => [ProductInputType], { description: `1-${MAX_BULK_INGEST} products.` })
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_INGEST)
  @ValidateNested({ each: true })
  inputs!: ProductInputType[];
}

function toResult(o: IngestOutcome): typeof IngestProductResult {
  if (!o.ok) return toErrorResult(o.error) as typeof IngestProductResult;
  return Object.assign(new IngestSuccess(), { status: o.status, product: ProductType.from(o.product) });
}

@Resolver()
export class IngestResolver {
  constructor(private readonly ingestService: IngestService) {}

  @Authorized(WRITE)
  @Mutation(() => IngestProductResult, {
    description: 'Creates or updates a product by id and computes its image vector. Replaying the same input changes nothing.',
    complexity: IMAGE_EMBED_COST,
  })
  async ingestProduct(@Arg('input', () => ProductInputType) input: ProductInputType): Promise<typeof IngestProductResult> {
    const [outcome] = await this.ingestService.ingest([toProductInput(input)], { refresh: true });
    return toResult(outcome);
  }

  @Authorized(WRITE)
  @Mutation(() => IngestProductsPayload, {
    description: 'Bulk ingest. One result per input; failures of single items are reported, never thrown.',
    complexity: ({ args }) => IMAGE_EMBED_COST * (args.inputs?.length ?? 1),
  })
  async ingestProducts(@Args(() => IngestProductsArgs) { inputs }: IngestProductsArgs): Promise<IngestProductsPayload> {
    const outcomes = await this.ingestService.ingest(inputs.map(toProductInput), { refresh: true });
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
  @Mutation(() => DeleteProductResult, { complexity: 1 })
  async deleteProduct(@Arg('id', () => ID) id: string): Promise<typeof DeleteProductResult> {
    return orErrorResult(async () => {
      if (id.length > 128 || !(await this.ingestService.delete(id, { refresh: true }))) throw new ProductNotFoundError(id);
      return Object.assign(new DeleteSuccess(), { id });
    }) as Promise<typeof DeleteProductResult>;
  }
}
