import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLoopbackUrl, launchBrowser, nonLoopback, type TestBrowser } from './support/browser';

/** The harness itself: Debian's Chromium starts offline, and the request recorder sees (and stops) a page leaving loopback. */
describe('browser harness', () => {
  let browser: TestBrowser;
  let server: http.Server;
  let origin: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/leaky') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return void res.end('<img src="http://203.0.113.9/pixel.png"><script src="/local.js"></script>');
      }
      if (req.url === '/local.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        return void res.end('document.title = "ran";');
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<button onclick="this.textContent=\'clicked\'">press</button>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it('classifies loopback URLs', () => {
    expect(['http://127.0.0.1:4000/x', 'http://localhost/', 'http://[::1]:80/', 'data:image/png;base64,AA', 'blob:http://127.0.0.1/1'].map(isLoopbackUrl)).toEqual([
      true, true, true, true, true,
    ]);
    expect(['http://10.0.0.1/', 'https://cdn.jsdelivr.net/x.js', 'http://127.0.0.1.nip.io/', 'ftp://127.0.0.1/'].map(isLoopbackUrl)).toEqual([
      false, false, false, false,
    ]);
  });

  it('drives a loopback page', async () => {
    const { page, context } = await browser.newContext();
    await page.goto(origin + '/');
    await page.click('button');
    expect(await page.textContent('button')).toBe('clicked');
    await context.close();
  });

  it('records a request that would leave loopback, and blocks it', async () => {
    const { page, requests, context } = await browser.newContext();
    await page.goto(origin + '/leaky');
    await page.waitForFunction(() => document.title === 'ran');
    await page.waitForLoadState('networkidle');
    expect(requests).toEqual(expect.arrayContaining([origin + '/leaky', origin + '/local.js']));
    expect(nonLoopback(requests)).toEqual(['http://203.0.113.9/pixel.png']);
    await context.close();
  });
});
