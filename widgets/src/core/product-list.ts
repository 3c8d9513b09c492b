import { html, LitElement, nothing, type PropertyDeclarations, type TemplateResult } from 'lit';
import { DEFAULT_ENDPOINT, ProductApi } from '../api/product-api';
import type { ProductFilters, WidgetHit } from '../api/types';
import { ImpressionController } from './impression-controller';
import { fillTemplate, findItemTemplate } from './item-template';
import { ResultsController } from './results-controller';
import { listStyles } from './styles';

export interface ProductEventDetail {
  id: string;
  /** 1-based position of the card in the list, as analytics tools count it. */
  position: number;
  widget: string;
  product: WidgetHit['product'];
}

/** min-relation -> the relations it shows. */
const RELATION_LEVELS: Record<string, string[] | undefined> = { DUPLICATE: ['DUPLICATE'], VARIANT: ['DUPLICATE', 'VARIANT'] };

/**
 * The attributes every widget shares (endpoint, filters, limit, min-similarity, product-url, item-template, heading)
 * and the one way results are drawn: a labelled list of cards, a skeleton while loading, and a status line that says
 * what happened. Fetching, laziness and impressions are controllers the widgets compose.
 */
export abstract class ProductListElement extends LitElement {
  static override styles = listStyles;

  static override properties: PropertyDeclarations = {
    endpoint: { type: String },
    filters: { type: String },
    limit: { type: Number },
    minSimilarity: { type: Number, attribute: 'min-similarity' },
    minRelation: { type: String, attribute: 'min-relation' },
    productUrl: { type: String, attribute: 'product-url' },
    itemTemplate: { type: String, attribute: 'item-template' },
    heading: { type: String },
    emptyMessage: { type: String, attribute: 'empty-message' },
  };

  /** GraphQL endpoint; defaults to the server the script came from. */
  endpoint = DEFAULT_ENDPOINT;
  /** ProductFilterInput as JSON, e.g. `{"inStock":true,"maxPrice":80}`. */
  filters?: string;
  limit = 8;
  /** Hide hits whose cosine similarity is below this (0–1). */
  minSimilarity?: number;
  /**
   * `DUPLICATE` or `VARIANT`: show only hits at least that related to the query image, by the server's calibrated
   * relation (hits without one, from text queries, are hidden).
   */
  minRelation?: string;
  /** Card link, `{id}` replaced by the product id; without it cards are buttons that only fire product-click. */
  productUrl?: string;
  itemTemplate?: string;
  heading?: string;
  /** What to say when there are no results; each widget has a default. */
  emptyMessage?: string;

  protected abstract readonly widgetName: string;
  protected abstract readonly listLabel: string;
  protected readonly results = new ResultsController(this, this.tagName.toLowerCase());
  protected readonly impressions = new ImpressionController(this, (i) => this.emitFor('product-impression', i));
  private shownHits: WidgetHit[] = [];

  protected api(): ProductApi {
    return new ProductApi(this.endpoint || DEFAULT_ENDPOINT);
  }

  /** The `filters` attribute parsed, or undefined after reporting why it is unusable. */
  protected parsedFilters(): { ok: true; value?: ProductFilters } | { ok: false } {
    if (!this.filters || !this.filters.trim()) return { ok: true, value: undefined };
    try {
      const value: unknown = JSON.parse(this.filters);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('expected a JSON object');
      return { ok: true, value: value as ProductFilters };
    } catch (e) {
      this.results.fail('bad-input', `The filters attribute is not a JSON object (${(e as Error).message}).`);
      return { ok: false };
    }
  }

  protected pageSize(): number {
    const n = Math.floor(Number(this.limit));
    return Number.isFinite(n) ? Math.min(100, Math.max(1, n)) : 8;
  }

  protected aboveThreshold = (hits: WidgetHit[]): WidgetHit[] => {
    const min = Number(this.minSimilarity);
    const similar = this.minSimilarity == null || !Number.isFinite(min) ? hits : hits.filter((h) => h.similarity != null && h.similarity >= min);
    const accepted = RELATION_LEVELS[(this.minRelation ?? '').toUpperCase()];
    return accepted ? similar.filter((h) => h.relation != null && accepted.includes(h.relation)) : similar;
  };

  protected emitFor(type: 'product-click' | 'product-impression' | 'product-dismiss', index: number): boolean {
    const hit = this.shownHits[index - 1];
    if (!hit) return true;
    const detail: ProductEventDetail = { id: hit.product.id, position: index, widget: this.widgetName, product: hit.product };
    return this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable: type === 'product-click' }));
  }

  /** Text for an empty result; widgets say what was searched. */
  protected abstract defaultEmptyMessage(): string;

  protected renderResults(o: { dismissible?: boolean; onDismiss?: (hit: WidgetHit, position: number) => void } = {}): TemplateResult {
    const s = this.results.state;
    const heading = this.heading ? html`<h2 part="heading">${this.heading}</h2>` : nothing;
    if (s.status === 'idle') return html`${heading}`;
    if (s.status === 'loading') {
      return html`${heading}<div aria-busy="true">
          <p class="visually-hidden" role="status">Loading products…</p>
          <ul part="list" aria-hidden="true">
            ${Array.from({ length: Math.min(this.pageSize(), 12) }, () => html`<li><div part="skeleton" class="skeleton"></div></li>`)}
          </ul>
        </div>`;
    }
    if (s.status === 'failed') {
      return html`${heading}<p part="status" class="status failed" role="status" data-state="failed" data-reason=${s.reason}>${s.message}</p>`;
    }
    if (s.hits !== this.shownHits) {
      // lit reuses list items for a new result set, so the impressions already counted must be forgotten here.
      this.shownHits = s.hits;
      this.impressions.reset();
    }
    if (s.hits.length === 0) return html`${heading}<p part="status" class="status" role="status" data-state="empty">${this.emptyMessage || this.defaultEmptyMessage()}</p>`;
    const template = findItemTemplate(this, this.itemTemplate);
    return html`${heading}<ul part="list" aria-label=${this.heading ?? this.listLabel} data-state="ready">
        ${s.hits.map((hit, i) => this.renderItem(hit, i + 1, template, o))}
      </ul>`;
  }

  private renderItem(
    hit: WidgetHit,
    position: number,
    template: HTMLTemplateElement | undefined,
    o: { dismissible?: boolean; onDismiss?: (hit: WidgetHit, position: number) => void },
  ): TemplateResult {
    const p = hit.product;
    const body = template
      ? fillTemplate(template, hit, formatPrice)
      : html`<img part="image" src=${p.imageUrl ?? ''} alt=${p.title} loading="lazy" width="200" height="200" />
          <span part="title" class="title">${p.title}</span>
          ${p.brand ? html`<span part="brand" class="meta">${p.brand}</span>` : nothing}
          ${p.price != null ? html`<span part="price" class="price">${formatPrice(hit)}</span>` : nothing}`;
    const click = (e: Event) => {
      if (!this.emitFor('product-click', position)) e.preventDefault();
    };
    const href = this.productUrl ? this.productUrl.replace(/\{id\}/g, encodeURIComponent(p.id)) : undefined;
    const card = href
      ? html`<a part="card" class="card" href=${href} @click=${click}>${body}</a>`
      : html`<button part="card" class="card" type="button" @click=${click}>${body}</button>`;
    const dismiss = o.dismissible
      ? html`<button part="dismiss" class="dismiss" type="button" aria-label=${`Not interested in ${p.title}`}
          @click=${() => o.onDismiss?.(hit, position)}>×</button>`
      : nothing;
    return html`<li part="item" data-position=${position} data-id=${p.id}>${card}${dismiss}</li>`;
  }
}

export function formatPrice(hit: WidgetHit): string {
  const { price, currency } = hit.product;
  if (price == null) return '';
  try {
    return currency ? new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(price) : price.toFixed(2);
  } catch {
    return `${price.toFixed(2)} ${currency ?? ''}`.trim();
  }
}

/** Ids from a comma-separated attribute. */
export function idList(value: string | null | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}
