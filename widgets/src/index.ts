/** All four widgets; each is also its own entry (`/widgets/v1/similar-products.js`, …) for pages that need one. */
export { SimilarProducts } from './similar-products';
export { RecommendedProducts } from './recommended-products';
export { VisualSearch } from './visual-search';
export { ProductSearch } from './product-search';
export { ProductApi } from './api/product-api';
export type { ProductEventDetail } from './core/product-list';
