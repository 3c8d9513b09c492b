import { ArrayMaxSize, ArrayMinSize, MaxLength, MinLength } from 'class-validator';
import { ArgsType, Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

/** Types of the catalog map (/explore): columnar arrays, because a map of 20,000 points as objects would be 3× larger. */

export enum ProjectionMethod {
  UMAP = 'UMAP',
  PCA = 'PCA',
}
registerEnumType(ProjectionMethod, {
  name: 'ProjectionMethod',
  description: 'How the image vectors were projected to 2-D.',
  valuesConfig: {
    UMAP: { description: 'Uniform manifold approximation (umap-js), for catalogs up to MAP_UMAP_MAX_PRODUCTS.' },
    PCA: { description: 'The two principal components, for larger catalogs.' },
  },
});

@ObjectType({ description: 'One facet of the mapped products: its values and, per point, which value it has.' })
export class MapFacet {
  @Field(() => String, { description: 'The product field: category, brand, color or inStock.' }) name!: string;
  @Field(() => [String], { description: 'The distinct values among the mapped products.' }) values!: string[];
  @Field(() => [Int], { description: 'Per point, an index into values; -1 when the product has none.' }) codes!: number[];
}

@ObjectType({ description: 'Every product (or a uniform sample of MAP_MAX_POINTS) placed in 2-D by its image vector.' })
export class CatalogMap {
  @Field(() => String, { description: 'Catalog generation the map was computed for; it changes with any write.' }) generation!: string;
  @Field(() => ProjectionMethod, { description: 'The projection used (chosen by catalog size).' }) method!: ProjectionMethod;
  @Field(() => Int, { description: 'Products in the catalog; more than ids.length when the map is a sample.' }) totalProducts!: number;
  @Field(() => [ID], { description: 'The mapped products; x, y and every facet\'s codes are parallel to it.' }) ids!: string[];
  @Field(() => [Float], { description: 'Per point, 0-1.' }) x!: number[];
  @Field(() => [Float], { description: 'Per point, 0-1.' }) y!: number[];
  @Field(() => [MapFacet], { description: 'Category, brand, colour and stock of every point, for colouring the map.' }) facets!: MapFacet[];
}

@ObjectType({ description: 'A point on the catalog map, in the same 0-1 coordinates as CatalogMap.' })
export class MapPosition {
  @Field(() => Float, { description: '0-1, as CatalogMap.x.' }) x!: number;
  @Field(() => Float, { description: '0-1, as CatalogMap.y.' }) y!: number;
}

@ObjectType({ description: 'Cosine similarity between every pair of the given products.' })
export class SimilarityMatrix {
  @Field(() => [ID], { description: 'Rows and columns, in the order asked, without unknown ids.' }) ids!: string[];
  @Field(() => [Float], { description: 'Row-major, ids.length × ids.length.' }) values!: number[];
  @Field(() => [ID], { description: 'Ids asked for that are not in the catalog; left out of the matrix.' }) unknownIds!: string[];
}

@ArgsType()
export class MapPositionArgs {
  @Field(() => String, { description: 'The text to place (1-512 characters).' }) @MinLength(1) @MaxLength(512) q!: string;
}

@ArgsType()
export class SimilarityMatrixArgs {
  @Field(() => [ID], { description: '2-60 products.' })
  @ArrayMinSize(2)
  @ArrayMaxSize(60)
  @MaxLength(128, { each: true })
  ids!: string[];
}
