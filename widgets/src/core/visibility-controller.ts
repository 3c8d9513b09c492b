import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Calls `onVisible` once, the first time the host comes near the viewport (Shopify's product-recommendations
 * pattern): a widget below the fold costs nothing until the shopper scrolls to it.
 */
export class VisibilityController implements ReactiveController {
  visible = false;
  private observer?: IntersectionObserver;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly onVisible: () => void,
    private readonly rootMargin = '200px',
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    if (this.visible) return;
    if (typeof IntersectionObserver === 'undefined') return this.becomeVisible();
    this.observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) this.becomeVisible();
      },
      { rootMargin: this.rootMargin },
    );
    this.observer.observe(this.host);
  }

  hostDisconnected(): void {
    this.observer?.disconnect();
    this.observer = undefined;
  }

  private becomeVisible(): void {
    this.observer?.disconnect();
    this.observer = undefined;
    this.visible = true;
    this.onVisible();
  }
}
