import { Args, Query, Resolver } from 'type-graphql';
import type { CatalogMapService } from '../explore/catalog-map.service';
import {
  CatalogMap,
  MapPosition,
  MapPositionArgs,
  ProjectionMethod,
  SimilarityMatrix,
  SimilarityMatrixArgs,
} from '../schema/catalog-map.type';
import { TEXT_EMBED_COST } from './cost';

/** Whole-catalog views for /explore. The map is computed once per catalog generation and then served from memory. */
@Resolver()
export class CatalogMapResolver {
  constructor(private readonly maps: CatalogMapService) {}

  @Query(() => CatalogMap, {
    description: 'The catalog as a 2-D map of image vectors (UMAP or PCA), for exploring the embedding space.',
    complexity: 500,
  })
  async catalogMap(): Promise<CatalogMap> {
    const m = await this.maps.map();
    return Object.assign(new CatalogMap(), { ...m, method: ProjectionMethod[m.method] });
  }

  @Query(() => MapPosition, { description: 'Where a text query lands on the catalog map.', complexity: 500 + TEXT_EMBED_COST })
  async catalogMapPosition(@Args(() => MapPositionArgs) { q }: MapPositionArgs): Promise<MapPosition> {
    return Object.assign(new MapPosition(), await this.maps.placeText(q));
  }

  @Query(() => SimilarityMatrix, { description: 'Pairwise cosine similarity of up to 60 products.', complexity: 60 })
  async similarityMatrix(@Args(() => SimilarityMatrixArgs) { ids }: SimilarityMatrixArgs): Promise<SimilarityMatrix> {
    return Object.assign(new SimilarityMatrix(), await this.maps.similarityMatrix(ids));
  }
}
