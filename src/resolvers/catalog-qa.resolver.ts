import { Args, Query, Resolver } from 'type-graphql';
import type { CatalogQaService } from '../tagging/catalog-qa.service';
import { AttributeConflict, AttributeConflictPage, AttributeConflictsArgs, AttributeConflictsResult } from '../schema/catalog-qa.type';
import { ProductType } from '../schema/product.type';
import { orErrorResult } from './error-mapping';

@Resolver()
export class CatalogQaResolver {
  constructor(private readonly qa: CatalogQaService) {}

  @Query(() => AttributeConflictsResult, {
    description:
      'Catalog QA: products whose stated attribute (colour, category, ... as the label file maps them) their image ' +
      'contradicts, found by zero-shot tagging at ingest. Empty when no label file is configured.',
    complexity: ({ args, childComplexity }) => 10 + Math.min(args.first ?? 20, 100) * childComplexity,
  })
  async attributeConflicts(@Args(() => AttributeConflictsArgs) a: AttributeConflictsArgs): Promise<typeof AttributeConflictsResult> {
    return orErrorResult(async () => {
      const page = await this.qa.attributeConflicts(a.name, a.minConfidence, a.first, a.after ?? undefined);
      return Object.assign(new AttributeConflictPage(), {
        ...page,
        items: page.items.map((i) => Object.assign(new AttributeConflict(), { ...i.conflict, product: ProductType.from(i.product), cursor: i.cursor })),
      });
    }) as Promise<typeof AttributeConflictsResult>;
  }
}
