import { ArrayMaxSize, ArrayMinSize, MaxLength, MinLength } from 'class-validator';
import { ArgsType, Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

/** Types of the catalog map (/explore): columnar arrays, because a map of 20,000 points as objects would be 3× larger. */

export enum ProjectionMethod {
  UMAP = 'UMAP',
  PCA = 'PCA',
}
registerEnumType(ProjectionMethod, {
  name: 'ProjectionMethod',
  valuesConfig: {
    UMAP: { description: 'Uniform manifold approximation (umap-js), for catalogs up to MAP_UMAP_MAX_PRODUCTS.' },
    PCA: { description: 'The two principal components, for larger catalogs.' },
  },
});

@ObjectType({ description: 'One facet of the mapped products: its values and, per point, which value it has.' })
export class MapFacet {
  @Field(() => String) name!: string;
  @Field(() => [String]) values!: string[];
  @Field(() => [Int], { description: 'Per point, an index into values; -1 when the product has none.' }) codes!: number[];
}

@ObjectType({ description: 'Every product (or a uniform sample of MAP_MAX_POINTS) placed in 2-D by its image vector.' })
export class CatalogMap {
  @Field(() => String, { description: 'Catalog generation the map was computed for; it changes with any write.' }) generation!: string;
  @Field(() => ProjectionMethod) method!: ProjectionMethod;
  @Field(() => Int, { description: 'Products in the catalog; more than ids.length when the map is a sample.' }) totalProducts!: number;
  @Field(() => [ID]) ids!: string[];
  @Field(() => [Float], { description: 'Per point, 0-1.' }) x!: number[];
  @Field(() => [Float], { description: 'Per point, 0-1.' }) y!: number[];
  @Field(() => [MapFacet]) facets!: MapFacet[];
}

@ObjectType()
export class MapPosition {
  @Field(() => Float) x!: number;
  @Field(() => Float) y!: number;
}

@ObjectType({ description: 'Cosine similarity between every pair of the given products.' })
export class SimilarityMatrix {
  @Field(() => [ID], { description: 'Rows and columns, in the order asked, without unknown ids.' }) ids!: string[];
  @Field(() => [Float], { description: 'Row-major, ids.length × ids.length.' }) values!: number[];
  @Field(() => [ID]) unknownIds!: string[];
}

@ArgsType()
export class MapPositionArgs {
  @Field(() => String) @MinLength(1) @MaxLength(512) q!: string;
}

@ArgsType()
export class SimilarityMatrixArgs {
  @Field(() => [ID], { description: '2-60 products.' })
  @ArrayMinSize(2)
  @ArrayMaxSize(60)
  @MaxLength(128, { each: true })
  ids!: string[];
}
