/**
 * Where the in-process image pipeline's CPU goes, per image: each stage alone on the bench catalog's JPEGs (header,
 * decode, Pillow-exact resize, normalise, the vision model at batch 32 and 1), then the whole pipeline (decode pool +
 * model thread, every image in flight, as `npm run bench`'s pipeline row) with the CPU of every thread of this process
 * read from /proc/self/task/<tid>/stat, so waste shows up as a thread that burns more than its stage costs.
 *
 *   npx tsx bench/pipeline.bench.ts [images] [rounds]
 *
 * CPU is process time (libvips and ONNX Runtime threads included) divided by images; wall figures move with the load
 * average printed beside them, CPU per image much less.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadEmbedder } from '../src/app';
import { loadConfig } from '../src/config/config';
import { readModelFolder } from '../src/embedding/model-folder';
import { OnnxModel } from '../src/embedding/onnx.adapter';
import { decodeImageToRgb, readImageHeader } from '../src/embedding/pixels/decode.adapter';
import { pilResize } from '../src/embedding/pixels/pil-resize';
import { toPixelValues } from '../src/embedding/pixels/pixel-values';
import { syntheticCatalog } from '../test/support/catalog';
import { ROOT } from './lib/server-process';
import { threadCpu } from './lib/proc';
import { load1, median } from './lib/stats';

const MAX_PIXELS = 40_000_000;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const load = () => load1().toFixed(1);

async function stage(name: string, images: number, rounds: number, fn: () => Promise<unknown> | unknown): Promise<void> {
  await fn(); // warm-up: JIT, WebAssembly compile, first-run allocations
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const [c0, t0] = [cpuMs(), performance.now()];
    await fn();
    wall.push((performance.now() - t0) / images);
    cpu.push((cpuMs() - c0) / images);
  }
  process.stdout.write(`${name.padEnd(44)} cpu ${median(cpu).toFixed(3)}  wall ${median(wall).toFixed(3)} ms/image  (load ${load()})\n`);
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 200);
  const rounds = Number(process.argv[3] ?? 3);
  const dir = `${ROOT}/bench/.work/jpegs-777-${count}`;
  let jpegs: Buffer[];
  try {
    jpegs = readdirSync(dir).sort().map((f) => readFileSync(`${dir}/${f}`));
  } catch {
    jpegs = (await syntheticCatalog(777, count)).map((p) => p.jpeg);
  }
  const config = loadConfig({ EMBED_MAX_BATCH: '32', IMAGE_QUEUE_MAX: String(jpegs.length) }, ROOT);
  const folder = await readModelFolder(config.model.dir);
  const p = folder.image;
  const n = jpegs.length;
  process.stdout.write(`${n} JPEGs, model ${folder.modelId}, load ${load()}\nstages alone, one thread, one image after another:\n`);
  const rgb = await Promise.all(jpegs.map((j) => decodeImageToRgb(j, { maxInputPixels: MAX_PIXELS })));
  const resized = rgb.map((x) => pilResize(x, p.width, p.height, p.resample));
  const headers = await Promise.all(jpegs.map((j) => readImageHeader(j, MAX_PIXELS)));
  await stage('header (sharp metadata)', n, rounds, async () => {
    for (const j of jpegs) await readImageHeader(j, MAX_PIXELS);
  });
  await stage('decode to RGB (header given)', n, rounds, async () => {
    for (const [i, j] of jpegs.entries()) await decodeImageToRgb(j, { maxInputPixels: MAX_PIXELS, header: headers[i] });
  });
  await stage(`Pillow-exact resize to ${p.width}x${p.height}`, n, rounds, () => rgb.forEach((x) => pilResize(x, p.width, p.height, p.resample)));
  await stage('rescale + normalise + CHW', n, rounds, () => resized.forEach((x) => toPixelValues(x, p)));
  const planes = resized.slice(0, 32).map((x) => toPixelValues(x, p));
  const model = await OnnxModel.load(folder.visionPath, ['pooler_output', 'image_embeds'], {
    intraOpThreads: config.model.threads,
    interOpThreads: 1,
    spinWait: config.model.visionSpinWait,
  });
  try {
    for (const batch of [32, 1]) {
      const dims = [batch, 3, p.height, p.width];
      await stage(`vision model, batch ${batch} (${config.model.threads} threads)`, 320, rounds, async () => {
        for (let k = 0; k < 320 / batch; k++) await model.run({ pixel_values: { type: 'float32', rows: planes.slice(0, batch), dims } });
      });
    }
  } finally {
    await model.close();
  }

  process.stdout.write(`\nthe pipeline (decode pool + model thread), all ${n} images in flight; CPU ms/image by thread:\n`);
  const embedder = await loadEmbedder(config);
  try {
    for (let k = 0; k < 2; k++) await Promise.all(jpegs.map((j) => embedder.embedImage(j))); // warm-up
    for (let r = 0; r < rounds; r++) {
      const before = threadCpu('self');
      const [c0, t0] = [cpuMs(), performance.now()];
      await Promise.all(jpegs.map((j) => embedder.embedImage(j)));
      const seconds = (performance.now() - t0) / 1000;
      const cpu = (cpuMs() - c0) / n;
      const threads = [...threadCpu('self')]
        .map(([tid, t]) => [tid === String(process.pid) ? 'main' : `${t.name}:${tid}`, (t.ms - (before.get(tid)?.ms ?? 0)) / n] as const)
        .filter(([, ms]) => ms >= 0.05)
        .map(([name, ms]) => `${name} ${ms.toFixed(2)}`);
      process.stdout.write(`round ${r + 1}: ${(n / seconds).toFixed(0)} images/s, cpu ${cpu.toFixed(2)} ms/image (load ${load()}) | ${threads.join(', ')}\n`);
    }
  } finally {
    await embedder.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
