import { html, type PropertyValues } from 'lit';
import { ProductListElement } from './core/product-list';
import { VisibilityController } from './core/visibility-controller';

/**
 * `<similar-products product-id="p-000042" limit="8">`: "more like this" on a product page. Fetches when it
 * scrolls into view (or at once with `eager`).
 */
export class SimilarProducts extends ProductListElement {
  static override properties = {
    ...ProductListElement.properties,
    productId: { type: String, attribute: 'product-id' },
    eager: { type: Boolean },
  };

  productId?: string;
  eager = false;
  protected readonly widgetName = 'similar-products';
  protected readonly listLabel = 'Similar products';
  private readonly visibility = new VisibilityController(this, () => {
    if (!this.eager) this.load();
  });

  protected override updated(changed: PropertyValues): void {
    const inputs = ['productId', 'filters', 'limit', 'minSimilarity', 'minRelation', 'endpoint'] as const;
    if ((this.visibility.visible || this.eager) && inputs.some((k) => changed.has(k))) this.load();
  }

  private load(): void {
    const id = this.productId?.trim();
    if (!id) return this.results.fail('bad-input', 'The product-id attribute is missing.');
    const filters = this.parsedFilters();
    if (!filters.ok) return;
    void this.results.run((signal) => this.api().similar(id, { first: this.pageSize(), filters: filters.value, signal }), this.aboveThreshold);
  }

  protected defaultEmptyMessage(): string {
    return this.minSimilarity != null || this.minRelation != null ? 'No products are similar enough to show here.' : 'No similar products found.';
  }

  protected override render() {
    return html`${this.renderResults()}`;
  }
}

if (!customElements.get('similar-products')) customElements.define('similar-products', SimilarProducts);

declare global {
  interface HTMLElementTagNameMap {
    'similar-products': SimilarProducts;
  }
}
