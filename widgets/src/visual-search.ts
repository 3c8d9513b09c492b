import { html, nothing } from 'lit';
import { WidgetError } from './api/types';
import { downsizeToBase64 } from './core/downsize';
import { ProductListElement } from './core/product-list';

/**
 * `<visual-search>`: drop, paste or choose a photo (or take one on a phone) and see the products that look like it.
 * The photo is downsized in the browser to `upload-size` pixels on its longer side before it is sent.
 */
export class VisualSearch extends ProductListElement {
  static override properties = {
    ...ProductListElement.properties,
    uploadSize: { type: Number, attribute: 'upload-size' },
    over: { state: true },
    preview: { state: true },
  };

  /** Twice the model's 224-pixel input: small uploads, and the server's own resize still has detail to work with. */
  uploadSize = 448;
  over = false;
  preview?: string;
  /** Size of the last upload in bytes, for shops that want to show or log it. */
  lastUploadBytes?: number;
  protected readonly widgetName = 'visual-search';
  protected readonly listLabel = 'Visually similar products';

  private readonly onPaste = (e: ClipboardEvent) => {
    const file = [...(e.clipboardData?.files ?? [])].find((f) => f.type.startsWith('image/'));
    if (file) {
      e.preventDefault();
      void this.search(file);
    }
  };

  override connectedCallback(): void {
    super.connectedCallback();
    // Paste works anywhere on the page: the shopper should not have to focus a tiny box first.
    this.ownerDocument.addEventListener('paste', this.onPaste);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.ownerDocument.removeEventListener('paste', this.onPaste);
    if (this.preview) URL.revokeObjectURL(this.preview);
  }

  /** Searches with a photo; also the programmatic entry point (`el.search(file)`). */
  async search(file: Blob): Promise<void> {
    if (!file.type.startsWith('image/')) return this.results.fail('bad-input', `That file is not an image (${file.type || 'unknown type'}).`);
    const filters = this.parsedFilters();
    if (!filters.ok) return;
    if (this.preview) URL.revokeObjectURL(this.preview);
    this.preview = URL.createObjectURL(file);
    await this.results.run(async (signal) => {
      let upload;
      try {
        upload = await downsizeToBase64(file, this.uploadSize);
      } catch {
        throw new WidgetError('bad-input', 'This photo could not be read by the browser.');
      }
      this.lastUploadBytes = upload.bytes;
      return this.api().searchImage(upload.base64, { first: this.pageSize(), filters: filters.value, signal });
    }, this.aboveThreshold);
  }

  private onFile(e: Event): void {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (file) void this.search(file);
  }

  private onDrop(e: DragEvent): void {
    e.preventDefault();
    this.over = false;
    const file = [...(e.dataTransfer?.files ?? [])][0];
    if (file) void this.search(file);
  }

  protected defaultEmptyMessage(): string {
    return 'No products look like this photo.';
  }

  protected override render() {
    return html`<div part="dropzone" class="dropzone ${this.over ? 'over' : ''}"
        @dragover=${(e: DragEvent) => { e.preventDefault(); this.over = true; }}
        @dragleave=${() => (this.over = false)}
        @drop=${(e: DragEvent) => this.onDrop(e)}>
        ${this.preview ? html`<img part="preview" src=${this.preview} alt="Your photo" />` : nothing}
        <span id="hint">Drop a photo here, paste one, or</span>
        <label class="action" part="button">Choose a photo
          <input class="visually-hidden" type="file" accept="image/*" aria-describedby="hint" @change=${(e: Event) => this.onFile(e)} />
        </label>
        ${matchMedia('(pointer: coarse)').matches
          ? html`<label class="action" part="button">Take a photo
              <input class="visually-hidden" type="file" accept="image/*" capture="environment" @change=${(e: Event) => this.onFile(e)} />
            </label>`
          : nothing}
      </div>
      ${this.renderResults()}`;
  }
}

if (!customElements.get('visual-search')) customElements.define('visual-search', VisualSearch);

declare global {
  interface HTMLElementTagNameMap {
    'visual-search': VisualSearch;
  }
}
