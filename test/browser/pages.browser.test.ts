import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { launchBrowser, nonLoopback, SCREENSHOT_DIR, type TestBrowser } from './support/browser';
import { cardIds } from './support/host-page';
import { startShop, type Shop } from './support/shop';

/**
 * The pages a person opens after `npm start`, on the quick-start catalog (seed 7, 300 products): the demo shop, the
 * catalog map and the offline explorer, in Debian's Chromium. Screenshots go to .screenshots/ (ignored).
 */
describe('pages on the quick-start catalog', () => {
  let shop: Shop;
  let browser: TestBrowser;

  beforeAll(async () => {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    [shop, browser] = await Promise.all([startShop({ seed: 7, n: 300 }), launchBrowser()]);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await shop?.stop();
  });

  describe('demo shop', () => {
    it('shows the category grid with a picture per category', async () => {
      const { page, requests, pageErrors, context } = await browser.newContext({ viewport: { width: 1200, height: 1000 } });
      await page.goto(`${shop.base}/`);
      expect(page.url()).toBe(`${shop.base}/demo/`);
      const tiles = page.locator('#categories li');
      expect(await tiles.count()).toBe(14);
      await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('#categories img')].every((i) => i.complete && i.naturalWidth > 0));
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'demo-home.png') });
      expect(nonLoopback(requests)).toEqual([]);
      expect(pageErrors).toEqual([]);
      await context.close();
    });

    it('product page: details, more like this, duplicates, and recommendations fed by what was clicked', async () => {
      const { page, pageErrors, context, console: lines } = await browser.newContext({ viewport: { width: 1200, height: 1700 } });
      const id = 'p-000042';
      await page.goto(`${shop.base}/demo/product.html?id=${id}`);
      expect(await page.locator('#product h1').textContent()).toBe(shop.catalog[42].record.title);
      const similar = await cardIds(page, '#similar');
      expect(similar).toHaveLength(8);
      expect(similar).not.toContain(id);
      const recommended = await cardIds(page, '#recommended');
      expect(recommended.length).toBeGreaterThan(0);
      await page.waitForFunction(() => [...document.querySelector('#similar')!.shadowRoot!.querySelectorAll('img')].every((i) => i.complete && i.naturalWidth > 0));
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'product-page.png') });

      // Clicking a similar product opens its page; the shopper's history now holds both products.
      await page.locator('#similar li[data-id] .card').nth(1).click();
      await page.waitForURL(`**/demo/product.html?id=${similar[1]}`);
      await cardIds(page, '#recommended');
      const history = await page.evaluate(() => JSON.parse(localStorage.getItem('similarity-widgets:history')!));
      expect(history.viewed).toEqual([similar[1], id]);
      expect(await page.locator('#recommended').getAttribute('viewed')).toBe(similar[1]);

      await page.click('#tab-duplicates');
      await page.locator('#duplicates [data-state]').first().waitFor();
      const api = await shop.server.gql(`{ similarProducts(id: "${similar[1]}", first: 24) { ... on ProductHits { hits { relation product { id } } } } }`);
      const related = (levels: string[]) =>
        (api.body.data!.similarProducts.hits as { relation: string; product: { id: string } }[]).filter((h) => levels.includes(h.relation)).map((h) => h.product.id);
      // The tab shows what the server labels DUPLICATE, and with "Include variants" VARIANT too.
      for (const [levels, empty] of [
        [['DUPLICATE'], 'No duplicates of this product in the catalog.'],
        [['DUPLICATE', 'VARIANT'], 'No duplicates or variants of this product in the catalog.'],
      ] as const) {
        if (levels.length === 2) {
          await page.check('#with-variants');
          await page.locator('#duplicates[min-relation=VARIANT] [data-state]').first().waitFor();
        }
        const expected = related([...levels]);
        if (expected.length === 0) expect(await page.locator('#duplicates [data-state=empty]').textContent()).toBe(empty);
        else expect(await cardIds(page, '#duplicates')).toEqual(expected);
      }
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'product-duplicates.png') });
      expect(pageErrors).toEqual([]);
      expect(lines.filter((l) => l.startsWith('warning:'))).toEqual([]);
      await context.close();
    });

    it('search, category and visual-search pages work with the widgets', async () => {
      const { page, pageErrors, context } = await browser.newContext({ viewport: { width: 1200, height: 1000 } });
      await page.goto(`${shop.base}/demo/search.html`);
      await page.locator('product-search input').fill('red striped mug');
      expect((await cardIds(page, 'product-search')).length).toBe(12);
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'demo-search.png') });
      await page.goto(`${shop.base}/demo/category.html?c=mug`);
      const mugs = await cardIds(page, 'product-search');
      const expected = shop.catalog.filter((p) => p.record.category === 'mug').map((p) => p.record.id).sort();
      expect([...mugs].sort()).toEqual(expected);
      await page.goto(`${shop.base}/demo/visual.html`);
      await page.locator('visual-search input[type=file]').first().setInputFiles(shop.imagePath('p-000100'));
      expect((await cardIds(page, 'visual-search'))[0]).toBe('p-000100');
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'demo-visual-search.png') });
      expect(pageErrors).toEqual([]);
      await context.close();
    });
  });

  describe('catalog map', () => {
    it('draws every product, shows the right one on hover, places a text query, and compares a selection', async () => {
      const { page, pageErrors, requests, context } = await browser.newContext({ viewport: { width: 1300, height: 900 } });
      await page.goto(`${shop.base}/explore/`);
      await page.locator('#map[data-ready=true]').waitFor({ timeout: 60_000 });
      await page.waitForFunction(() => window.catalogMap.pointsDrawn() > 0);
      expect(await page.evaluate(() => window.catalogMap.total())).toBe(300);
      expect(await page.evaluate(() => window.catalogMap.pointsDrawn())).toBeGreaterThanOrEqual(300);
      expect(await page.locator('#status').textContent()).toMatch(/^300 products, UMAP\./);

      for (const id of ['p-000042', 'p-000123']) {
        const at = (await page.evaluate((pid) => window.catalogMap.clientPosition(pid), id))!;
        await page.mouse.move(at.x, at.y);
        await page.locator(`#tooltip[data-id="${id}"]`).getByText(shop.catalog[Number(id.slice(2))].record.title).waitFor();
      }
      await page.fill('#q', 'red striped mug');
      await page.click('#query button');
      await page.locator('#nearest').getByText(/its 10 nearest products/).waitFor();
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'catalog-map.png') });

      await page.click('#compare');
      await page.locator('#matrix canvas').waitFor();
      expect(await page.locator('#matrix .axis.row img').count()).toBe(10);
      await page.locator('#matrix-panel').screenshot({ path: path.join(SCREENSHOT_DIR, 'similarity-matrix.png') });

      // Click opens the product in the demo shop.
      await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
      const at = (await page.evaluate(() => window.catalogMap.clientPosition('p-000007')))!;
      await page.mouse.click(at.x, at.y);
      await page.waitForURL('**/demo/product.html?id=p-000007');
      expect(nonLoopback(requests)).toEqual([]);
      expect(pageErrors).toEqual([]);
      await context.close();
    });
  });

  describe('offline explorer', () => {
    it('loads GraphiQL with the README examples as tabs, runs a query, and nothing leaves loopback', async () => {
      const { page, requests, pageErrors, context } = await browser.newContext({ viewport: { width: 1300, height: 800 } });
      await page.goto(`${shop.base}/graphql`, { waitUntil: 'networkidle' });
      expect(page.url()).toBe(`${shop.base}/explorer/`);
      const tabs = page.locator('.graphiql-tab-button');
      await tabs.first().waitFor();
      expect(await tabs.allTextContents()).toEqual([
        'MoreLikeThis',
        'TextSearch',
        'BecauseYouViewed',
        'VisualSearchInline',
        'VisualSearchUrl',
        'IngestProduct',
        'DeleteProduct',
      ]);
      await page.click('.graphiql-execute-button');
      await page.locator('.result-window').getByText('"ProductHits"').waitFor();
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'explorer.png') });
      expect(requests.length).toBeGreaterThanOrEqual(3);
      expect(nonLoopback(requests)).toEqual([]);
      expect(pageErrors).toEqual([]);
      // The hosted sandbox stays available as a link, and only as a link.
      expect(await page.getAttribute('#sandbox', 'href')).toMatch(/^https:\/\/studio\.apollographql\.com\/sandbox\/explorer\?endpoint=/);
      await context.close();
    });
  });
});
