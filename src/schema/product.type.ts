import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type { Product, ScoredProduct } from '../catalog/product';
import type { Relation, RelatedProduct } from '../catalog/relation';
import type { SearchResult } from '../catalog/search-result';
import { IngestStatus, RelationEnum } from './enums';
import { defineOutputFields, toOutputValues, type ProductOutputShape } from './product-fields.graphql';

export { Attribute } from './product-fields.graphql';

/** The GraphQL Product: every field comes from the field table (catalog/product-fields.ts). */
@ObjectType('Product')
export class ProductType {
  static from(p: Product): ProductType {
    return Object.assign(new ProductType(), toOutputValues(p));
  }
}
// The class body is empty on purpose; this merge gives it the table's fields as TypeScript properties.
export interface ProductType extends ProductOutputShape {}
defineOutputFields(ProductType);

@ObjectType()
export class ProductHit {
  @Field(() => ProductType) product!: ProductType;

  @Field(() => Float, { description: 'Ranking score; fused reciprocal-rank score in hybrid search.' })
  score!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Cosine similarity between the query and the product image, when the hit came from vector search.',
  })
  similarity?: number;

  static from(h: ScoredProduct): ProductHit {
    return Object.assign(new ProductHit(), { product: ProductType.from(h.product), score: h.score, similarity: h.similarity });
  }
}

@ObjectType()
export class ProductHits {
  @Field(() => [ProductHit]) hits!: ProductHit[];

  static from(hits: ScoredProduct[]): ProductHits {
    return Object.assign(new ProductHits(), { hits: hits.map(ProductHit.from) });
  }
}

/** The GraphQL form of the search service's Recommendations (catalog/product.ts). */
@ObjectType('Recommendations')
export class RecommendationsType {
  @Field(() => [ProductHit]) hits!: ProductHit[];

  @Field(() => [ID], { description: 'Requested ids that are not in the catalog. They are ignored, not an error.' })
  unknownIds!: string[];

  static from(r: SearchResult): RecommendationsType {
    return Object.assign(new RecommendationsType(), { hits: r.hits.map(ProductHit.from), unknownIds: r.unknownIds });
  }
}

@ObjectType('RelatedProduct', { description: 'Another product and how close its image is to the one it was found for.' })
export class RelatedProductType {
  @Field(() => ProductType) product!: ProductType;
  @Field(() => RelationEnum) relation!: Relation;
  @Field(() => Float, { description: 'Exact cosine similarity of the two products\u2019 image vectors.' }) similarity!: number;

  static from(r: RelatedProduct): RelatedProductType {
    return Object.assign(new RelatedProductType(), { product: ProductType.from(r.product), relation: r.relation, similarity: r.similarity });
  }
}

@ObjectType()
export class IngestSuccess {
  @Field(() => IngestStatus) status!: IngestStatus;
  @Field(() => ProductType) product!: ProductType;
  @Field(() => [RelatedProductType], {
    nullable: true,
    description:
      'Products already in the catalog (or earlier in the same call) that this one is a DUPLICATE or VARIANT of, most ' +
      'similar first (at most 3). Null when it was not checked: UNCHANGED, or the model has no relation calibration.',
  })
  duplicates?: RelatedProductType[];
}

@ObjectType()
export class DeleteSuccess {
  @Field(() => ID) id!: string;
}

@ObjectType()
export class IngestSummary {
  @Field(() => Int) created!: number;
  @Field(() => Int) updated!: number;
  @Field(() => Int) unchanged!: number;
  @Field(() => Int) failed!: number;
}
