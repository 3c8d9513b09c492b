import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core (scripts/browser.sh installs it). Playwright's own browser download
 * cannot work on a closed network, so the executable is always given explicitly.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Without the background-networking flags Chromium opens connections to Google's hosts at every start (component
 * updates, sync, field trials, QUIC probes); on a closed network they are refused many at a time, and a test that
 * asserts "nothing leaves loopback" must only see what the page itself asked for.
 */
const ARGS = [
  // --headless comes from playwright's `headless: true`.
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface TestBrowser {
  browser: Browser;
  /** A fresh context (own storage) whose every request is recorded, and aborted when it would leave loopback. */
  newContext(o?: { viewport?: { width: number; height: number } }): Promise<RecordedContext>;
  close(): Promise<void>;
}

export interface RecordedContext {
  context: BrowserContext;
  page: Page;
  /** Every URL any page or worker of this context requested, in order. */
  requests: string[];
  /** Console messages as `type: text`. */
  console: string[];
  /** Uncaught exceptions thrown in the page. */
  pageErrors: string[];
}

export async function launchBrowser(): Promise<TestBrowser> {
  // A plain launch gives Chromium a fresh, empty --user-data-dir that playwright creates and deletes itself.
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ARGS,
    timeout: 30_000,
  });
  return {
    browser,
    async newContext(o = {}) {
      const context = await browser.newContext({ viewport: o.viewport ?? { width: 1200, height: 900 } });
      const requests: string[] = [];
      const consoleLines: string[] = [];
      const pageErrors: string[] = [];
      context.on('request', (r: Request) => requests.push(r.url()));
      await context.route('**/*', (route) => (isLoopbackUrl(route.request().url()) ? route.continue() : route.abort('blockedbyclient')));
      const page = await context.newPage();
      page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => pageErrors.push(e.message));
      return { context, page, requests, console: consoleLines, pageErrors };
    },
    async close() {
      await browser.close();
    },
  };
}

/** Loopback hosts, plus schemes that never touch the network. */
export function isLoopbackUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol === 'data:' || url.protocol === 'blob:' || url.protocol === 'about:') return true;
  if (url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'ws:' && url.protocol !== 'wss:') return false;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export function nonLoopback(requests: readonly string[]): string[] {
  return requests.filter((u) => !isLoopbackUrl(u));
}

/** Screenshots go to an ignored folder; the README's two images are copied from here by hand. */
export const SCREENSHOT_DIR = path.resolve(__dirname, '../../../.screenshots');

declare global {
  interface Window {
    /** Exposed by the catalog map page (widgets/pages/explore/explore.ts). */
    catalogMap: { pointsDrawn(): number; clientPosition(id: string): { x: number; y: number } | undefined; total(): number };
  }
}
