import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { launchBrowser, nonLoopback, SCREENSHOT_DIR, type TestBrowser } from './support/browser';
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

  describe('offline explorer', () => {
    it('loads GraphiQL with the README examples as tabs, runs a query, and nothing leaves loopback', async () => {
      const { page, requests, pageErrors, context } = await browser.newContext({ viewport: { width: 1300, height: 800 } });
      await page.goto(`${shop.base}/graphql`, { waitUntil: 'networkidle' });
      expect(page.url()).toBe(`${shop.base}/explorer/`);
      const tabs = page.locator('.graphiql-tab-button');
      await tabs.first().waitFor();
      expect(await tabs.allTextContents()).toEqual(['MoreLikeThis', 'TextSearch', 'VisualSearch', 'BecauseYouViewed', 'IngestProduct']);
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
