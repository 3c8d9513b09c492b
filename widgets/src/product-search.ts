import { html, type PropertyValues } from 'lit';
import { ProductListElement } from './core/product-list';

/**
 * `<product-search>`: a search box with HYBRID (image + keyword) results as you type. Keystrokes are debounced and a
 * newer query aborts the request of an older one, so results never arrive out of order.
 */
export class ProductSearch extends ProductListElement {
  static override properties = {
    ...ProductListElement.properties,
    q: { type: String, reflect: true },
    mode: { type: String },
    debounce: { type: Number },
    minLength: { type: Number, attribute: 'min-length' },
    placeholder: { type: String },
  };

  q = '';
  mode: 'HYBRID' | 'VECTOR' | 'KEYWORD' = 'HYBRID';
  debounce = 250;
  minLength = 2;
  placeholder = 'Search products';
  protected readonly widgetName = 'product-search';
  protected readonly listLabel = 'Search results';
  private timer?: ReturnType<typeof setTimeout>;
  private searched = '';

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.timer);
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('q') || changed.has('filters') || changed.has('limit') || changed.has('mode') || changed.has('minSimilarity')) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.search(), changed.has('q') && changed.get('q') !== undefined ? this.debounce : 0);
    }
  }

  private search(): void {
    const q = this.q.trim();
    if (q.length < this.minLength) return this.results.reset();
    const filters = this.parsedFilters();
    if (!filters.ok) return;
    this.searched = q;
    void this.results.run((signal) => this.api().searchText(q, this.mode, { first: this.pageSize(), filters: filters.value, signal }), this.aboveThreshold);
  }

  protected defaultEmptyMessage(): string {
    return `No products match “${this.searched}”.`;
  }

  protected override render() {
    return html`<form role="search" part="form" @submit=${(e: Event) => e.preventDefault()}>
        <label class="visually-hidden" for="q">${this.placeholder}</label>
        <input id="q" part="input" type="search" autocomplete="off" .value=${this.q} placeholder=${this.placeholder}
          @input=${(e: Event) => (this.q = (e.target as HTMLInputElement).value)} />
      </form>
      ${this.renderResults()}`;
  }
}

if (!customElements.get('product-search')) customElements.define('product-search', ProductSearch);

declare global {
  interface HTMLElementTagNameMap {
    'product-search': ProductSearch;
  }
}
