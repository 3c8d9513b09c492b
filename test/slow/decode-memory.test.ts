import { readFileSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { spawnServer, type ServerProcess } from '../support/server-process';

/**
 * The decode memory budget, measured on the real server process: 50 concurrent 20 MP uploads (searchByImage, base64)
 * must not take its peak RSS (VmHWM) further above its RSS before the burst than IMAGE_DECODE_BUDGET_MB plus what
 * the 50 request bodies themselves occupy. The same burst with the budget out of the way (8 workers, each free to
 * decode at once) shows the measurement sees the difference, so the check can fail.
 */

const MB = 2 ** 20;
const UPLOADS = 50;
const BUDGET_MB = 160;
const ENV = { IMAGE_WORKERS: '8', IMAGE_QUEUE_MAX: String(UPLOADS), IMAGE_MAX_PIXELS: '25000000', REQUEST_TIMEOUT_MS: '300000' };

function status(pid: number): { rss: number; hwm: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)![1]) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** A 20 MP photo-sized JPEG whose bytes stay small (smooth content), so request bodies do not blur the measure. */
async function photo20mp(): Promise<Buffer> {
  const [w, h] = [5472, 3648];
  const tile = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#7a8' } })
    .composite([{ input: { create: { width: 32, height: 32, channels: 3, background: '#345' } }, left: 16, top: 16 }])
    .png()
    .toBuffer();
  return sharp({ create: { width: w, height: h, channels: 3, background: '#ccb' } })
    .composite([{ input: tile, tile: true }])
    .jpeg({ quality: 80 })
    .toBuffer();
}

async function burst(server: ServerProcess, body: string): Promise<{ baseline: number; peak: number; statuses: number[] }> {
  const pid = server.child.pid!;
  const post = () => fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  expect((await post()).status).toBe(200); // warm: workers up, model run once
  await new Promise((r) => setTimeout(r, 500));
  writeFileSync(`/proc/${pid}/clear_refs`, '5'); // reset VmHWM to the current RSS
  const baseline = status(pid).rss;
  const responses = await Promise.all(Array.from({ length: UPLOADS }, post));
  await Promise.all(responses.map((r) => r.arrayBuffer()));
  return { baseline, peak: status(pid).hwm, statuses: responses.map((r) => r.status) };
}

describe('decode memory budget (IMAGE_DECODE_BUDGET_MB) on the real server process', () => {
  let body: string;
  let bodiesMb: number;

  beforeAll(async () => {
    const jpeg = await photo20mp();
    expect((await sharp(jpeg).metadata()).width! * (await sharp(jpeg).metadata()).height!).toBeGreaterThanOrEqual(19_900_000);
    body = JSON.stringify({
      query: 'query($img: ImageInput!) { searchByImage(image: $img, first: 3) { __typename } }',
      variables: { img: { base64: jpeg.toString('base64') } },
    });
    // Each request in flight holds its body (buffer and parsed string), the decoded bytes and their copy to a worker.
    bodiesMb = (UPLOADS * 4 * body.length) / MB;
  }, 120_000);

  async function measure(env: Record<string, string>) {
    const server = await spawnServer({ ...ENV, ...env }, 120_000);
    try {
      return await burst(server, body);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }

  it(`stays within ${BUDGET_MB} MB (+ request bodies) over its pre-burst RSS; without the budget it does not`, async () => {
    const bounded = await measure({ IMAGE_DECODE_BUDGET_MB: String(BUDGET_MB) });
    const free = await measure({ IMAGE_DECODE_BUDGET_MB: '4096' });
    const over = (m: { baseline: number; peak: number }) => (m.peak - m.baseline) / MB;
    process.stdout.write(
      `decode memory: ${UPLOADS} x 20 MP, bodies ~${bodiesMb.toFixed(0)} MB; budget ${BUDGET_MB} MB -> peak +${over(bounded).toFixed(0)} MB ` +
        `over ${(bounded.baseline / MB).toFixed(0)} MB; unbounded -> peak +${over(free).toFixed(0)} MB over ${(free.baseline / MB).toFixed(0)} MB\n`,
    );
    expect(bounded.statuses).toEqual(Array(UPLOADS).fill(200));
    expect(free.statuses).toEqual(Array(UPLOADS).fill(200));
    expect(over(bounded)).toBeLessThanOrEqual(BUDGET_MB + bodiesMb);
    expect(over(free)).toBeGreaterThan(BUDGET_MB + bodiesMb);
  }, 900_000);
});
