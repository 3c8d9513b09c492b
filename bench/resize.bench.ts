/**
 * The Pillow-exact resize alone, JavaScript kernels vs WebAssembly SIMD kernels, on the same decoded pixels, sides
 * interleaved image by image (load from the rest of the machine falls on both alike). Sources: the bench's synthetic
 * catalog JPEGs (what `npm run bench` ingests) and photo-sized noise at 640x480, 1600x1200 and 4000x3000; target: the
 * model's input size and filter.
 *
 *   npx tsx bench/resize.bench.ts [modelDir] [rounds]
 */
import { loadavg } from 'node:os';
import sharp from 'sharp';
import { readModelFolder } from '../src/embedding/model-folder';
import { decodeImageToRgb } from '../src/embedding/pixels/decode.adapter';
import { pilResize } from '../src/embedding/pixels/pil-resize';
import type { RgbImage } from '../src/embedding/pixels/rgb-image';
import { syntheticCatalog } from '../test/support/catalog';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function noise(width: number, height: number): Promise<RgbImage> {
  const jpeg = await sharp({ create: { width, height, channels: 3, background: '#888', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
    .jpeg({ quality: 90 })
    .toBuffer();
  return decodeImageToRgb(jpeg, { maxInputPixels: 40_000_000 });
}

async function main(): Promise<void> {
  const folder = await readModelFolder(process.argv[2] ?? 'models/siglip-tiny');
  const rounds = Number(process.argv[3] ?? 5);
  const { width, height, resample } = folder.image;
  const catalog = await syntheticCatalog(777, 50);
  const sets: [string, RgbImage[]][] = [
    [`bench catalog (${catalog.length} JPEGs)`, await Promise.all(catalog.map((p) => decodeImageToRgb(p.jpeg, { maxInputPixels: 40_000_000 })))],
    ['640x480', [await noise(640, 480)]],
    ['1600x1200', [await noise(1600, 1200)]],
    ['4000x3000', [await noise(4000, 3000)]],
  ];
  process.stdout.write(`resize to ${width}x${height} ${resample}, ms/image (median of ${rounds} rounds), load1 ${loadavg()[0]!.toFixed(2)}\n`);
  for (const [name, images] of sets) {
    const size = `${images[0]!.width}x${images[0]!.height}`;
    const ms = { js: [] as number[], wasm: [] as number[] };
    const engines = ['js', 'wasm'] as const;
    for (const e of engines) pilResize(images[0]!, width, height, resample, e); // warm-up
    for (let r = 0; r < rounds; r++) {
      const t = { js: 0, wasm: 0 };
      const reps = images.length > 1 ? 1 : Math.max(1, Math.round(4e6 / (images[0]!.width * images[0]!.height)));
      for (let k = 0; k < reps; k++) {
        for (const img of images) {
          for (const e of r % 2 === 0 ? engines : [...engines].reverse()) {
            const t0 = performance.now();
            pilResize(img, width, height, resample, e);
            t[e] += performance.now() - t0;
          }
        }
      }
      for (const e of engines) ms[e].push(t[e] / (reps * images.length));
    }
    const js = median(ms.js);
    const line = `js ${js.toFixed(2)}  wasm ${median(ms.wasm).toFixed(2)}  (${(js / median(ms.wasm)).toFixed(1)}x)`;
    process.stdout.write(`${name.padEnd(28)} ${size.padEnd(10)} ${line}\n`);
  }
  process.stdout.write(`load1 at the end ${loadavg()[0]!.toFixed(2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
