import type { Page } from 'playwright-core';
import { startFixtureServer, type FixtureServer, type Route } from '../../support/fixture-server';

/**
 * A storefront on its own loopback origin that embeds the widgets the documented way: one module script from the
 * API server, then the elements. Every widget event is recorded in `window.widgetEvents`.
 */
export interface Storefront {
  origin: string;
  /** Where the widgets come from (the API server); set once that server is up. */
  apiBase: string;
  /** Serves `body` as a page and returns its URL. */
  page(body: string, head?: string): string;
  close(): Promise<void>;
}

export async function startStorefront(): Promise<Storefront> {
  const routes: Record<string, Route> = {};
  const server: FixtureServer = await startFixtureServer(routes);
  let n = 0;
  const store: Storefront = {
    origin: server.origin,
    apiBase: '',
    page(body, head = '') {
      const apiBase = store.apiBase;
      const path = `/page-${++n}.html`;
      const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<script type="module" src="${apiBase}/widgets/v1/widgets.js"></script>${head}</head>
<body style="margin:0;font-family:sans-serif">${body}
<script>
  window.widgetEvents = [];
  for (const type of ['product-click', 'product-impression', 'product-dismiss']) {
    document.addEventListener(type, (e) => { window.widgetEvents.push({ type, id: e.detail.id, position: e.detail.position, widget: e.detail.widget }); if (type === 'product-click') e.preventDefault(); });
  }
</script></body></html>`;
      routes[path] = (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(html);
      };
      return server.url(path);
    },
    close: () => server.close(),
  };
  return store;
}

export interface WidgetEvent {
  type: 'product-click' | 'product-impression' | 'product-dismiss';
  id: string;
  position: number;
  widget: string;
}

export function widgetEvents(page: Page, type?: WidgetEvent['type']): Promise<WidgetEvent[]> {
  return page.evaluate((t) => ((window as unknown as { widgetEvents: WidgetEvent[] }).widgetEvents ?? []).filter((e) => !t || e.type === t), type);
}

/** Ids of the cards a widget shows, in order, once it has results. */
export async function cardIds(page: Page, selector: string): Promise<string[]> {
  await page.locator(`${selector} ul[data-state=ready]`).waitFor({ timeout: 30_000 });
  return page.locator(`${selector} li[data-id]`).evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.id!));
}

/** The focused element inside shadow roots, as the id of its card (or its tag). */
export function focusedCard(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return (el?.closest('li[data-id]') as HTMLElement | null)?.dataset.id ?? el?.tagName.toLowerCase() ?? null;
  });
}

export function warnings(consoleLines: readonly string[]): string[] {
  return consoleLines.filter((l) => l.startsWith('warning: '));
}
