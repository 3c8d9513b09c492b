import { writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { toInput } from '../support/catalog';
import { launchBrowser, nonLoopback, type RecordedContext, type TestBrowser } from './support/browser';
import { cardIds, focusedCard, startStorefront, warnings, widgetEvents, type Storefront } from './support/host-page';
import { startShop, type Shop } from './support/shop';

/**
 * The four widgets in Debian's Chromium, embedded by a storefront on another loopback origin (allowlisted), against
 * the real server, Elasticsearch and model. Expected results come from the same API over plain HTTP.
 */
describe('storefront widgets in a real browser', () => {
  let shop: Shop;
  let store: Storefront;
  let stranger: Storefront;
  let browser: TestBrowser;
  let ctx: RecordedContext;

  const idsOf = (hits: { product: { id: string } }[]) => hits.map((h) => h.product.id);
  async function similar(id: string, first: number): Promise<string[]> {
    const r = await shop.server.gql(`{ similarProducts(id: "${id}", first: ${first}) { ... on ProductHits { hits { product { id } } } } }`);
    return idsOf(r.body.data!.similarProducts.hits);
  }
  const product = (i: number) => shop.catalog[i].record;

  beforeAll(async () => {
    [store, stranger, browser] = await Promise.all([startStorefront(), startStorefront(), launchBrowser()]);
    shop = await startShop({ seed: 11, n: 48, env: { CORS_ALLOWED_ORIGINS: store.origin } });
    store.apiBase = stranger.apiBase = shop.base;
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await Promise.all([store?.close(), stranger?.close()]);
    await shop?.stop();
  });
  beforeEach(async () => {
    ctx = await browser.newContext();
  });
  afterEach(async () => {
    expect(ctx.pageErrors).toEqual([]);
    expect(nonLoopback(ctx.requests)).toEqual([]);
    await ctx.context.close();
  });

  describe('<similar-products>', () => {
    it('shows the API’s neighbours, in order, as an accessible list with the catalog’s images', async () => {
      const id = product(3).id;
      await ctx.page.goto(store.page(`<similar-products product-id="${id}" limit="6" heading="More like this"></similar-products>`));
      expect(await cardIds(ctx.page, 'similar-products')).toEqual(await similar(id, 6));
      const list = ctx.page.locator('similar-products ul');
      expect(await list.getAttribute('aria-label')).toBe('More like this');
      const first = ctx.page.locator('similar-products li[data-id] img').first();
      const firstId = (await similar(id, 1))[0];
      const expected = shop.catalog.find((p) => p.record.id === firstId)!.record;
      expect(await first.getAttribute('alt')).toBe(expected.title);
      await ctx.page.waitForFunction(() => {
        const img = document.querySelector('similar-products')!.shadowRoot!.querySelector('img')!;
        return img.complete && img.naturalWidth > 0;
      });
      expect(warnings(ctx.console)).toEqual([]);
    });

    it('fires product-click with the card’s id, 1-based position and widget name', async () => {
      const id = product(5).id;
      await ctx.page.goto(store.page(`<similar-products product-id="${id}" limit="4"></similar-products>`));
      const ids = await cardIds(ctx.page, 'similar-products');
      await ctx.page.locator('similar-products li[data-id]').nth(2).locator('.card').click();
      expect(await widgetEvents(ctx.page, 'product-click')).toEqual([{ type: 'product-click', id: ids[2], position: 3, widget: 'similar-products' }]);
    });

    it('fetches only when scrolled into view, and counts impressions only for visible cards, once', async () => {
      const id = product(7).id;
      const gets: string[] = [];
      ctx.page.on('request', (r) => r.url().startsWith(`${shop.base}/graphql`) && gets.push(r.url()));
      await ctx.page.goto(store.page(`<div style="height:2400px">top of the page</div>
        <similar-products id="lazy" product-id="${id}" limit="4"></similar-products>
        <div style="height:2400px"></div>
        <similar-products id="eager" eager product-id="${id}" limit="4"></similar-products>`));
      const eagerIds = await cardIds(ctx.page, '#eager');
      await ctx.page.waitForTimeout(600);
      // The eager widget loaded below the fold: rendered, but nobody has seen it. The lazy one has not even asked.
      expect(await widgetEvents(ctx.page, 'product-impression')).toEqual([]);
      expect(gets).toHaveLength(1);
      await ctx.page.locator('#eager').scrollIntoViewIfNeeded();
      await ctx.page.waitForFunction(() => (window as any).widgetEvents.filter((e: any) => e.type === 'product-impression').length >= 4);
      expect(await widgetEvents(ctx.page, 'product-impression')).toEqual(
        eagerIds.map((cid, i) => ({ type: 'product-impression', id: cid, position: i + 1, widget: 'similar-products' })),
      );
      await ctx.page.evaluate(() => window.scrollTo(0, 0));
      await ctx.page.locator('#eager').scrollIntoViewIfNeeded();
      await ctx.page.waitForTimeout(400);
      expect(await widgetEvents(ctx.page, 'product-impression')).toHaveLength(4);
      await ctx.page.locator('#lazy').scrollIntoViewIfNeeded();
      expect(await cardIds(ctx.page, '#lazy')).toEqual(eagerIds);
      expect(gets).toHaveLength(2);
    });

    it('reaches every card with the keyboard, with a visible focus ring', async () => {
      const id = product(9).id;
      await ctx.page.goto(store.page(`<button id="before">before</button><similar-products product-id="${id}" limit="5"></similar-products>`));
      const ids = await cardIds(ctx.page, 'similar-products');
      await ctx.page.focus('#before');
      const reached: (string | null)[] = [];
      for (let i = 0; i < ids.length; i++) {
        await ctx.page.keyboard.press('Tab');
        reached.push(await focusedCard(ctx.page));
      }
      expect(reached).toEqual(ids);
      const outline = await ctx.page.evaluate(() => {
        const card = document.querySelector('similar-products')!.shadowRoot!.activeElement!;
        return getComputedStyle(card).outlineStyle;
      });
      expect(outline).toBe('solid');
      await ctx.page.keyboard.press('Enter');
      expect((await widgetEvents(ctx.page, 'product-click')).map((e) => [e.id, e.position])).toEqual([[ids[ids.length - 1], ids.length]]);
    });

    it('renders cards from a <template>, values as text', async () => {
      const id = product(2).id;
      await ctx.page.goto(store.page(`<similar-products product-id="${id}" limit="3">
        <template><div class="mine"><img data-field="imageUrl" /><b data-field="title"></b> <i data-field="brand"></i></div></template>
      </similar-products>`));
      const ids = await cardIds(ctx.page, 'similar-products');
      const titles = await ctx.page.locator('similar-products .mine b').allTextContents();
      expect(titles).toEqual(ids.map((cid) => shop.catalog.find((p) => p.record.id === cid)!.record.title));
    });

    it('says so when nothing is similar enough, without a warning', async () => {
      await ctx.page.goto(store.page(`<similar-products product-id="${product(1).id}" min-similarity="0.9999"></similar-products>`));
      const status = ctx.page.locator('similar-products [data-state=empty]');
      expect(await status.textContent()).toBe('No products are similar enough to show here.');
      expect(warnings(ctx.console)).toEqual([]);
    });
  });

  describe('bad input: a readable state and exactly one console warning, never an exception', () => {
    it.each([
      ['an unknown product id', `product-id="no-such-product"`, 'not-found', 'Product “no-such-product” is not in the catalog.'],
      ['invalid filters JSON', `product-id="p-000001" filters="{inStock: true"`, 'bad-input', /^The filters attribute is not a JSON object \(/],
      ['an unreachable endpoint', `product-id="p-000001" endpoint="http://127.0.0.1:9/graphql"`, 'unreachable', /^Could not reach the product service at http:\/\/127\.0\.0\.1:9\/graphql/],
    ])('%s', async (_name, attrs, reason, message) => {
      await ctx.page.goto(store.page(`<similar-products ${attrs}></similar-products>`));
      const status = ctx.page.locator('similar-products [data-state=failed]');
      await status.waitFor();
      expect(await status.getAttribute('data-reason')).toBe(reason);
      expect(await status.textContent()).toMatch(message);
      await ctx.page.waitForTimeout(300);
      expect(warnings(ctx.console)).toHaveLength(1);
      expect(warnings(ctx.console)[0]).toMatch(/^warning: <similar-products>: /);
    });
  });

  describe('<recommended-products>', () => {
    it('recommends from viewed ids, remembers clicks and dismissals with track-history, and refetches without the dismissed', async () => {
      const viewed = [product(0).id, product(4).id];
      const api = await shop.server.gql(`{ recommendations(productIds: ${JSON.stringify(viewed)}, first: 4) { hits { product { id } } } }`);
      await ctx.page.goto(store.page(`<recommended-products viewed="${viewed.join(',')}" limit="4" track-history></recommended-products>`));
      const ids = await cardIds(ctx.page, 'recommended-products');
      expect(ids).toEqual(idsOf(api.body.data!.recommendations.hits));
      const history = () => ctx.page.evaluate(() => JSON.parse(localStorage.getItem('similarity-widgets:history') ?? 'null'));
      expect(await history()).toEqual({ viewed, dismissed: [] });

      await ctx.page.locator(`recommended-products li[data-id="${ids[1]}"] button.dismiss`).click();
      expect(await widgetEvents(ctx.page, 'product-dismiss')).toEqual([{ type: 'product-dismiss', id: ids[1], position: 2, widget: 'recommended-products' }]);
      await ctx.page.waitForFunction((gone) => !document.querySelector('recommended-products')!.shadowRoot!.querySelector(`li[data-id="${gone}"]`) &&
        document.querySelector('recommended-products')!.shadowRoot!.querySelector('ul[data-state=ready]'), ids[1]);
      const after = await cardIds(ctx.page, 'recommended-products');
      const api2 = await shop.server.gql(`{ recommendations(productIds: ${JSON.stringify(viewed)}, negativeIds: ["${ids[1]}"], first: 4) { hits { product { id } } } }`);
      expect(after).toEqual(idsOf(api2.body.data!.recommendations.hits));
      expect(after).not.toContain(ids[1]);

      await ctx.page.locator('recommended-products li[data-id] .card').first().click();
      expect(await history()).toEqual({ viewed: [after[0], ...viewed], dismissed: [ids[1]] });
    });

    it('asks for a few views first when there is no history', async () => {
      await ctx.page.goto(store.page(`<recommended-products track-history></recommended-products>`));
      const status = ctx.page.locator('recommended-products [data-state=empty]');
      expect(await status.textContent()).toBe('Recommendations appear here once you have looked at a few products.');
      expect(warnings(ctx.console)).toEqual([]);
    });
  });

  describe('<product-search>', () => {
    it('shows HYBRID results as you type, with one request for a burst of keystrokes', async () => {
      const q = `${shop.catalog[6].record.color} ${shop.catalog[6].record.category}`;
      const api = await shop.server.gql(`{ searchByText(q: "${q}", first: 6) { hits { product { id } } } }`);
      const gets: string[] = [];
      ctx.page.on('request', (r) => r.url().includes('operationName=SearchByText') && gets.push(r.url()));
      await ctx.page.goto(store.page(`<product-search limit="6"></product-search>`));
      await ctx.page.locator('product-search input').pressSequentially(q, { delay: 15 });
      expect(await cardIds(ctx.page, 'product-search')).toEqual(idsOf(api.body.data!.searchByText.hits));
      expect(gets).toHaveLength(1);
      expect(await ctx.page.locator('product-search form').getAttribute('role')).toBe('search');
    });
  });

  describe('<visual-search>', () => {
    it('finds the product in a real photo first, after shrinking a large photo in the browser', async () => {
      const target = shop.catalog[12];
      // A "phone photo": the catalog image scaled up to 1600 px, so the widget has to downsize it.
      const big = path.join(os.tmpdir(), `visual-search-${process.pid}.jpg`);
      writeFileSync(big, await sharp(target.jpeg).resize(1600, 1600).jpeg({ quality: 92 }).toBuffer());
      let uploaded: { width?: number; height?: number } | undefined;
      ctx.page.on('request', async (r) => {
        if (r.method() !== 'POST' || !r.url().startsWith(`${shop.base}/graphql`)) return;
        const b64 = (JSON.parse(r.postData() ?? '{}') as { variables?: { image?: { base64?: string } } }).variables?.image?.base64;
        if (b64) uploaded = await sharp(Buffer.from(b64, 'base64')).metadata();
      });
      await ctx.page.goto(store.page(`<visual-search limit="4"></visual-search>`));
      await ctx.page.locator('visual-search input[type=file]').first().setInputFiles(big);
      const ids = await cardIds(ctx.page, 'visual-search');
      expect(ids[0]).toBe(target.record.id);
      expect(uploaded).toMatchObject({ width: 448, height: 448 });
    });
  });

  describe('cross-origin embedding and caching', () => {
    it('refuses a storefront whose origin is not allowed, readably', async () => {
      await ctx.page.goto(stranger.page(`<similar-products product-id="${product(3).id}"></similar-products>`));
      const status = ctx.page.locator('similar-products [data-state=failed]');
      await status.waitFor();
      expect(await status.getAttribute('data-reason')).toBe('unreachable');
      expect(warnings(ctx.console)).toHaveLength(1);
    });

    it('reads through cacheable GET persisted queries whose ETag changes when the catalog does', async () => {
      const id = product(20).id;
      const responses: { url: string; method: string; headers: Record<string, string> }[] = [];
      ctx.page.on('response', async (r) => {
        if (r.url().startsWith(`${shop.base}/graphql`)) responses.push({ url: r.url(), method: r.request().method(), headers: await r.allHeaders() });
      });
      const url = store.page(`<similar-products product-id="${id}" limit="3"></similar-products>`);
      await ctx.page.goto(url);
      const before = await cardIds(ctx.page, 'similar-products');
      await ctx.page.waitForTimeout(200);
      expect(responses).toHaveLength(1);
      expect(responses[0].method).toBe('GET');
      expect(new URL(responses[0].url).searchParams.get('extensions')).toMatch(/"persistedQuery":\{"version":1,"sha256Hash":"[0-9a-f]{64}"\}/);
      expect(responses[0].headers).toMatchObject({ 'cache-control': 'public, max-age=60', 'access-control-allow-origin': store.origin });
      const etag = responses[0].headers.etag;
      expect(etag).toMatch(/^"[\w-]+"$/);

      const top = shop.catalog.find((p) => p.record.id === before[0])!;
      const write = await shop.server.gql(`mutation($input: ProductInput!) { ingestProduct(input: $input, refresh: true) { __typename } }`, {
        input: toInput(top, { title: 'Renamed In The Browser Test', imageUrl: `/samples/images/${top.record.id}.jpg` }),
      });
      expect(write.body.data).toEqual({ ingestProduct: { __typename: 'IngestSuccess' } });
      await ctx.page.reload();
      await cardIds(ctx.page, 'similar-products');
      await ctx.page.waitForTimeout(200);
      expect(responses).toHaveLength(2);
      expect(responses[1].headers.etag).not.toBe(etag);
      expect(await ctx.page.locator('similar-products li[data-id] .title').first().textContent()).toBe('Renamed In The Browser Test');
    });
  });
});
