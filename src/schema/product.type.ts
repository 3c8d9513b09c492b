import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type { Product, ScoredProduct } from '../catalog/product';
import type { Relation, RelatedProduct } from '../catalog/relation';
import type { BrowseResult, FacetResult, PageInfo as PageInfoShape, SearchResult } from '../catalog/search-result';
import { IngestStatus, RelationEnum } from './enums';
import { HitExplanation, SearchExplanation } from './explain.type';
import { defineOutputFields, FacetField, facetFieldOf, toOutputValues, type ProductOutputShape } from './product-fields.graphql';

export { Attribute } from './product-fields.graphql';

/** The GraphQL Product: every field comes from the field table (catalog/product-fields.ts). */
@ObjectType('Product', { description: 'A catalog product as stored: the fields it was ingested with, plus those the server sets.' })
export class ProductType {
  static from(p: Product): ProductType {
    return Object.assign(new ProductType(), toOutputValues(p));
  }
}
// The class body is empty on purpose; this merge gives it the table's fields as TypeScript properties.
export interface ProductType extends ProductOutputShape {}
defineOutputFields(ProductType);

@ObjectType({ description: "Which of the product's images matched the query best." })
export class MatchedImage {
  @Field(() => Int, { description: '0-based position in the images the product was ingested with.' }) index!: number;
  @Field(() => String, { nullable: true, description: 'Its URL, when it was ingested by URL.' }) url?: string;
}

@ObjectType({ description: 'One product of a ranked list, with why it is there.' })
export class ProductHit {
  @Field(() => ProductType, { description: 'The product found.' }) product!: ProductType;

  @Field(() => Float, { description: 'Ranking score; fused reciprocal-rank score in hybrid search.' })
  score!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Cosine similarity between the query and the product image, when the hit came from vector search.',
  })
  similarity?: number;

  @Field(() => MatchedImage, { nullable: true, description: 'Vector search: the image of the product nearest to the query.' })
  matchedImage?: MatchedImage;

  @Field(() => Int, {
    nullable: true,
    description: 'With `collapse: true`: how many products of this hit\'s group pass the filters (the hit is the best of them).',
  })
  groupSize?: number;

  @Field(() => HitExplanation, { nullable: true, description: 'With `explain: true`: the score, stage by stage.' })
  explain?: HitExplanation;

  @Field(() => RelationEnum, {
    nullable: true,
    description:
      "How close the product's image is to the query image: DUPLICATE (the same picture re-encoded, resized, lightly " +
      'cropped or watermarked), VARIANT (another colour, pattern or shot of the same product) or SIMILAR, by cut points ' +
      'calibrated for the model. Set when the query is one image (similarProducts, searchByImage, recommendations or ' +
      'discover with one image signal, no text and no negatives; a modifier is allowed); null for text queries and mixtures.',
  })
  relation?: Relation;

  static from(h: ScoredProduct): ProductHit {
    return Object.assign(new ProductHit(), {
      product: ProductType.from(h.product),
      score: h.score,
      similarity: h.similarity,
      matchedImage: h.matchedImage && Object.assign(new MatchedImage(), { index: h.matchedImage.index, url: h.matchedImage.url ?? null }),
      groupSize: h.groupSize,
      explain: h.explain ? HitExplanation.from(h.explain) : null,
      relation: h.relation ?? null,
    });
  }
}

@ObjectType({ description: 'Where a page ends, and how to get the next one.' })
export class PageInfo {
  @Field(() => Boolean, { description: 'True when another page follows: pass endCursor as `after` to get it.' }) hasNextPage!: boolean;

  @Field(() => String, {
    nullable: true,
    description:
      'Pass as `after` for the next page (null when the page is empty). Opaque; it only continues the query that ' +
      'returned it, on the index generation that answered it.',
  })
  endCursor?: string;

  static from(p: PageInfoShape): PageInfo {
    return Object.assign(new PageInfo(), { hasNextPage: p.hasNextPage, endCursor: p.endCursor ?? null });
  }
}

@ObjectType({ description: 'How many products have one value of a field, or fall in one range.' })
export class FacetValue {
  @Field(() => String, { description: 'The value as filters take it (keyword values lowercased); a range as `from-to`, `*` when open.' })
  value!: string;
  @Field(() => Int, { description: 'How many products have this value (see `facets` on the result for which products are counted).' }) count!: number;
  @Field(() => Float, { nullable: true, description: 'A range bucket\'s lower bound (inclusive).' }) from?: number;
  @Field(() => Float, { nullable: true, description: 'A range bucket\'s upper bound (exclusive).' }) to?: number;
}

@ObjectType({ description: 'The counts of one facet field: the 20 most frequent values, or every range bucket.' })
export class Facet {
  @Field(() => FacetField, { description: 'The field counted.' }) field!: FacetField;
  @Field(() => [FacetValue], { description: 'Its values with their counts, most frequent first (ranges in bucket order).' }) values!: FacetValue[];

  static from(f: FacetResult): Facet {
    return Object.assign(new Facet(), {
      field: facetFieldOf(f.field),
      values: f.values.map((v) => Object.assign(new FacetValue(), { value: v.value, count: v.count, from: v.from ?? null, to: v.to ?? null })),
    });
  }
}

const SEARCH_FACETS_DOC =
  'One per field asked for in `facets`. Counts products (not groups) among this query\'s candidates that pass every ' +
  'filter and exclusion except the facet\'s own filter (disjunctive: choosing a colour still shows how many of each ' +
  'other colour there are): for vector search the 1,000 nearest such products (the kNN candidate set), for keyword ' +
  'search every matching product, for hybrid search both. Paging and ranking controls never change them.';

@ObjectType({ description: 'One page of a ranked result list.' })
export class ProductHits {
  @Field(() => [ProductHit], { description: 'Best first; at most `first`, fewer only when no more match (see exhaustive).' })
  hits!: ProductHit[];
  @Field(() => PageInfo, { description: 'Whether another page follows, and the cursor to it.' }) pageInfo!: PageInfo;
  @Field(() => [Facet], { description: SEARCH_FACETS_DOC }) facets!: Facet[];

  @Field(() => Boolean, {
    description:
      'True when this page is as full as the catalog allows: it holds `first` distinct products (or groups, with ' +
      'collapse) whenever that many match after filters, exclusions and collapsing, and fewer only when no more ' +
      'match. False when retrieval stopped at its bound first (1,000 candidates per round, 4 rounds of groups when ' +
      'collapsing), so the page may be short.',
  })
  exhaustive!: boolean;

  @Field(() => SearchExplanation, { nullable: true, description: 'With `explain: true`: what the rules did to the whole list.' })
  explanation?: SearchExplanation;

  static from(r: SearchResult): ProductHits {
    return Object.assign(new ProductHits(), ProductHits.fields(r));
  }

  protected static fields(r: SearchResult): ProductHits {
    return {
      hits: r.hits.map(ProductHit.from),
      pageInfo: PageInfo.from(r.pageInfo),
      facets: r.facets.map(Facet.from),
      exhaustive: r.exhaustive,
      explanation: r.explanation ? SearchExplanation.from(r.explanation) : undefined,
    };
  }
}

/** A discover page: like recommendations, it reports the positive and negative ids the catalog does not know. */
@ObjectType('DiscoverHits', { description: 'One page of a discover query.' })
export class DiscoverHits extends ProductHits {
  @Field(() => [ID], { description: 'positiveIds and negativeIds that are not in the catalog. They are ignored, not an error.' })
  unknownIds!: string[];

  static override from(r: SearchResult): DiscoverHits {
    return Object.assign(new DiscoverHits(), ProductHits.fields(r), { unknownIds: r.unknownIds });
  }
}

/** The GraphQL form of a recommendations result: a page of hits plus the ids the catalog does not know. */
@ObjectType('Recommendations', { description: 'One page of recommendations for the products a shopper viewed or liked.' })
export class RecommendationsType extends ProductHits {
  @Field(() => [ID], { description: 'Requested ids that are not in the catalog. They are ignored, not an error.' })
  unknownIds!: string[];

  static override from(r: SearchResult): RecommendationsType {
    return Object.assign(new RecommendationsType(), ProductHits.fields(r), { unknownIds: r.unknownIds });
  }
}

@ObjectType({ description: 'One page of the catalog in a browse order.' })
export class ProductList {
  @Field(() => [ProductType], { description: 'This page of the catalog, in `sort` order.' }) products!: ProductType[];
  @Field(() => PageInfo, { description: 'Whether another page follows, and the cursor to it (no depth limit).' }) pageInfo!: PageInfo;
  @Field(() => Int, { description: 'Every product that passes the filters, on every page.' }) totalCount!: number;

  @Field(() => [Facet], {
    description:
      'One per field asked for in `facets`: every product that passes the filters except the facet\'s own (disjunctive).',
  })
  facets!: Facet[];

  static from(r: BrowseResult): ProductList {
    return Object.assign(new ProductList(), {
      products: r.products.map(ProductType.from),
      pageInfo: PageInfo.from(r.pageInfo),
      totalCount: r.totalCount,
      facets: r.facets.map(Facet.from),
    });
  }
}

@ObjectType('RelatedProduct', { description: 'Another product and how close its image is to the one it was found for.' })
export class RelatedProductType {
  @Field(() => ProductType, { description: 'The other product.' }) product!: ProductType;
  @Field(() => RelationEnum, { description: 'DUPLICATE, VARIANT or SIMILAR, by the calibrated cut points of the similarity.' }) relation!: Relation;
  @Field(() => Float, { description: 'Exact cosine similarity of the two products\u2019 image vectors.' }) similarity!: number;

  static from(r: RelatedProduct): RelatedProductType {
    return Object.assign(new RelatedProductType(), { product: ProductType.from(r.product), relation: r.relation, similarity: r.similarity });
  }
}

@ObjectType({ description: 'The product is stored (or already was, unchanged).' })
export class IngestSuccess {
  @Field(() => IngestStatus, { description: 'Whether the write created, replaced or left the product.' }) status!: IngestStatus;
  @Field(() => ProductType, { description: 'The product as stored now.' }) product!: ProductType;
  @Field(() => [RelatedProductType], {
    nullable: true,
    description:
      'Products already in the catalog (or earlier in the same call) that this one is a DUPLICATE or VARIANT of, most ' +
      'similar first (at most 3). Null when it was not checked: UNCHANGED, or the model has no relation calibration.',
  })
  duplicates?: RelatedProductType[];
}

@ObjectType({ description: 'The product or rule is deleted.' })
export class DeleteSuccess {
  @Field(() => ID, { description: 'The id deleted.' }) id!: string;
}

@ObjectType({ description: 'How many inputs of a bulk ingest ended each way; the four add up to the inputs.' })
export class IngestSummary {
  @Field(() => Int, { description: 'Inputs stored as new products.' }) created!: number;
  @Field(() => Int, { description: 'Inputs that replaced a stored product.' }) updated!: number;
  @Field(() => Int, { description: 'Inputs identical to what was stored; nothing written.' }) unchanged!: number;
  @Field(() => Int, { description: 'Inputs with an error result; nothing written for them.' }) failed!: number;
}
