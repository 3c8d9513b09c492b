import type { ReactiveController, ReactiveElement } from 'lit';

/**
 * Fires `onImpression(index)` once per card per result set, when at least half of the card is on screen: an
 * impression means a shopper could see it, not that it was rendered.
 */
export class ImpressionController implements ReactiveController {
  private observer?: IntersectionObserver;
  private seen = new Set<Element>();

  constructor(
    private readonly host: ReactiveElement,
    private readonly onImpression: (index: number) => void,
  ) {
    host.addController(this);
  }

  hostUpdated(): void {
    if (typeof IntersectionObserver === 'undefined') return;
    this.observer ??= new IntersectionObserver((entries) => this.handle(entries), { threshold: 0.5 });
    const cards = this.host.renderRoot.querySelectorAll<HTMLElement>('[data-position]');
    for (const card of cards) if (!this.seen.has(card)) this.observer.observe(card);
  }

  hostDisconnected(): void {
    this.observer?.disconnect();
    this.observer = undefined;
  }

  /** A new result set: every card may count again. */
  reset(): void {
    this.observer?.disconnect();
    this.seen = new Set();
  }

  private handle(entries: IntersectionObserverEntry[]): void {
    for (const e of entries) {
      if (!e.isIntersecting || this.seen.has(e.target)) continue;
      this.seen.add(e.target);
      this.observer?.unobserve(e.target);
      this.onImpression(Number((e.target as HTMLElement).dataset.position));
    }
  }
}
