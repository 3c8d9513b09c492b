import { Args, Query, Resolver } from 'type-graphql';
import type { ClusterPage, DuplicatesService } from '../duplicates/duplicates.service';
import {
  DuplicateCluster,
  DuplicateClusters,
  DuplicateClustersArgs,
  DuplicateClustersResult,
} from '../schema/duplicates.type';
import { PageInfo, ProductType, RelatedProductType } from '../schema/product.type';
import { orErrorResult } from './error-mapping';

function toClusters(p: ClusterPage): DuplicateClusters {
  return Object.assign(new DuplicateClusters(), {
    clusters: p.clusters.map((c) =>
      Object.assign(new DuplicateCluster(), {
        representative: ProductType.from(c.representative),
        members: c.members.map(RelatedProductType.from),
        size: c.members.length + 1,
      }),
    ),
    totalCount: p.totalCount,
    pageInfo: PageInfo.from(p.pageInfo),
    generation: p.generation,
  });
}

@Resolver()
export class DuplicatesResolver {
  constructor(private readonly duplicates: DuplicatesService) {}

  @Query(() => DuplicateClustersResult, {
    description:
      'Catalog-wide groups of duplicate (or variant) products: a nearest-neighbour query per product, joined with ' +
      'union-find, largest first. Computed once per catalog generation and paged from memory; for large catalogs ' +
      'use npm run dedup -- --report out.csv.',
    complexity: 500,
  })
  async duplicateClusters(
    @Args(() => DuplicateClustersArgs) { minRelation, first, after }: DuplicateClustersArgs,
  ): Promise<typeof DuplicateClustersResult> {
    return orErrorResult(async () => toClusters(await this.duplicates.clusters(minRelation, first, after ?? undefined))) as Promise<
      typeof DuplicateClustersResult
    >;
  }
}
