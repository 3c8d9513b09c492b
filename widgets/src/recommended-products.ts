import { html, type PropertyValues } from 'lit';
import type { WidgetHit } from './api/types';
import { readHistory, remember } from './core/history';
import { idList, ProductListElement, type ProductEventDetail } from './core/product-list';
import { VisibilityController } from './core/visibility-controller';

const MAX_HISTORY = 20;

/**
 * `<recommended-products viewed="id1,id2" dismissed="id3" track-history>`: "because you viewed…". Viewed ids are
 * positives, dismissed ids negatives. With `track-history` both are kept in localStorage: every `product-click` on
 * the page counts as viewed, every dismiss button as dismissed, and the `viewed` attribute is recorded too.
 */
export class RecommendedProducts extends ProductListElement {
  static override properties = {
    ...ProductListElement.properties,
    viewed: { type: String },
    dismissed: { type: String },
    trackHistory: { type: Boolean, attribute: 'track-history' },
    historyKey: { type: String, attribute: 'history-key' },
    eager: { type: Boolean },
  };

  viewed?: string;
  dismissed?: string;
  trackHistory = false;
  historyKey = 'similarity-widgets:history';
  eager = false;
  protected readonly widgetName = 'recommended-products';
  protected readonly listLabel = 'Recommended for you';
  private sessionDismissed: string[] = [];
  private readonly visibility = new VisibilityController(this, () => {
    if (!this.eager) this.load();
  });

  private readonly onPageClick = (e: Event) => {
    const id = (e as CustomEvent<ProductEventDetail>).detail?.id;
    if (this.trackHistory && typeof id === 'string') remember(this.historyKey, 'viewed', id, MAX_HISTORY);
  };

  override connectedCallback(): void {
    super.connectedCallback();
    this.ownerDocument.addEventListener('product-click', this.onPageClick);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.ownerDocument.removeEventListener('product-click', this.onPageClick);
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (this.trackHistory && (changed.has('viewed') || changed.has('trackHistory'))) {
      // Oldest first, so the first id in the attribute ends up the most recent.
      for (const id of idList(this.viewed).reverse()) remember(this.historyKey, 'viewed', id, MAX_HISTORY);
    }
  }

  protected override updated(changed: PropertyValues): void {
    const inputs = ['viewed', 'dismissed', 'trackHistory', 'filters', 'limit', 'minSimilarity', 'endpoint'] as const;
    if ((this.visibility.visible || this.eager) && inputs.some((k) => changed.has(k))) this.load();
  }

  /** The ids sent as positives and negatives. */
  signals(): { viewed: string[]; dismissed: string[] } {
    const history = this.trackHistory ? readHistory(this.historyKey) : { viewed: [], dismissed: [] };
    const dismissed = unique([...idList(this.dismissed), ...this.sessionDismissed, ...history.dismissed]).slice(0, 50);
    const viewed = unique([...idList(this.viewed), ...history.viewed])
      .filter((id) => !dismissed.includes(id))
      .slice(0, MAX_HISTORY);
    return { viewed, dismissed };
  }

  private load(): void {
    const filters = this.parsedFilters();
    if (!filters.ok) return;
    const { viewed, dismissed } = this.signals();
    if (viewed.length === 0) {
      void this.results.run(async () => ({ hits: [], nextCursor: null }));
      return;
    }
    void this.results.run(
      (signal) => this.api().recommended(viewed, dismissed, { first: this.pageSize(), filters: filters.value, signal }),
      this.aboveThreshold,
    );
  }

  private dismiss = (hit: WidgetHit, position: number): void => {
    this.emitFor('product-dismiss', position);
    this.sessionDismissed = unique([hit.product.id, ...this.sessionDismissed]);
    if (this.trackHistory) remember(this.historyKey, 'dismissed', hit.product.id, 50);
    this.load();
  };

  protected defaultEmptyMessage(): string {
    return this.signals().viewed.length === 0
      ? 'Recommendations appear here once you have looked at a few products.'
      : 'No recommendations match right now.';
  }

  protected override render() {
    return html`${this.renderResults({ dismissible: true, onDismiss: this.dismiss })}`;
  }
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}

if (!customElements.get('recommended-products')) customElements.define('recommended-products', RecommendedProducts);

declare global {
  interface HTMLElementTagNameMap {
    'recommended-products': RecommendedProducts;
  }
}
