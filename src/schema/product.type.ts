import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { Product, ScoredProduct } from '../catalog/product';

@ObjectType({ description: 'A free-form catalog attribute such as material or size.' })
export class Attribute {
  @Field(() => String) key!: string;
  @Field(() => String) value!: string;
}

@ObjectType('Product')
export class ProductType {
  @Field(() => ID) id!: string;
  @Field(() => String) title!: string;
  @Field(() => String, { nullable: true }) description?: string;
  @Field(() => String, { nullable: true }) brand?: string;
  @Field(() => String, { nullable: true }) category?: string;
  @Field(() => String, { nullable: true }) color?: string;
  @Field(() => Float, { nullable: true }) price?: number;
  @Field(() => String, { nullable: true, description: 'ISO 4217 code' }) currency?: string;
  @Field(() => Boolean) inStock!: boolean;
  @Field(() => [String]) tags!: string[];
  @Field(() => [Attribute]) attributes!: Attribute[];
  @Field(() => String, { nullable: true }) imageUrl?: string;
  @Field(() => Float, { nullable: true, description: 'Caller-supplied catalog version, if any.' }) version?: number;
  @Field(() => String, { description: 'When this product was last written (ISO 8601).' }) updatedAt!: string;

  static from(p: Product): ProductType {
    return Object.assign(new ProductType(), {
      ...p,
      attributes: Object.entries(p.attributes).map(([key, value]) => Object.assign(new Attribute(), { key, value })),
    });
  }
}

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

@ObjectType()
export class Recommendations {
  @Field(() => [ProductHit]) hits!: ProductHit[];

  @Field(() => [ID], { description: 'Requested ids that are not in the catalog. They are ignored, not an error.' })
  unknownIds!: string[];
}

export enum IngestStatus {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
  UNCHANGED = 'UNCHANGED',
}
registerEnumType(IngestStatus, {
  name: 'IngestStatus',
  valuesConfig: { UNCHANGED: { description: 'The same input was already stored; nothing was written.' } },
});

@ObjectType()
export class IngestSuccess {
  @Field(() => IngestStatus) status!: IngestStatus;
  @Field(() => ProductType) product!: ProductType;
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
