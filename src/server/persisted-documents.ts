/**
 * The query documents the storefront widgets send, and so the server's persisted-query safelist: the widget bundle
 * (widgets/src/api/product-api.ts) imports this same module, so widget and server can never disagree on a document
 * or its hash. Pure data with no imports, because both the browser bundle and the server compile it.
 *
 * Every document takes `$first` and returns a page of hits; when the API grows cursors, each gets `$after` and the
 * page type a `nextCursor`, and ProductApi is the only caller to change.
 */

const HIT_FIELDS = `score similarity relation product { id title brand category color price currency imageUrl inStock }`;

export const DOCUMENTS = {
  SimilarProducts: `query SimilarProducts($id: ID!, $first: Int!, $filters: ProductFilterInput) {
  similarProducts(id: $id, first: $first, filters: $filters) {
    __typename
    ... on ProductHits { hits { ${HIT_FIELDS} } }
    ... on ProductNotFound { errorCode message productId }
  }
}`,
  Recommendations: `query Recommendations($ids: [ID!]!, $negativeIds: [ID!], $first: Int!, $filters: ProductFilterInput) {
  recommendations(productIds: $ids, negativeIds: $negativeIds, first: $first, filters: $filters) {
    unknownIds
    hits { ${HIT_FIELDS} }
  }
}`,
  SearchByText: `query SearchByText($q: String!, $mode: SearchMode!, $first: Int!, $filters: ProductFilterInput) {
  searchByText(q: $q, mode: $mode, first: $first, filters: $filters) {
    hits { ${HIT_FIELDS} }
  }
}`,
  SearchByImage: `query SearchByImage($image: ImageInput!, $first: Int!, $filters: ProductFilterInput) {
  searchByImage(image: $image, first: $first, filters: $filters) {
    __typename
    ... on ProductHits { hits { ${HIT_FIELDS} } }
    ... on ErrorResult { errorCode message }
  }
}`,
  Products: `query Products($ids: [ID!]!) {
  products(ids: $ids) { id title description brand category color price currency imageUrl inStock tags }
}`,
} as const;

export type DocumentName = keyof typeof DOCUMENTS;

/** Documents small enough for a GET URL and free of side effects: the ones a CDN may cache. */
export const PERSISTED: readonly DocumentName[] = ['SimilarProducts', 'Recommendations', 'SearchByText', 'Products'];
