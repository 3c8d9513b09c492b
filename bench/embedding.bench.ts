/**
 * Embedding latency on this machine: one request at a time vs a concurrent burst that the micro-batcher
 * coalesces. Usage: npx tsx bench/embedding.bench.ts [modelDir] [intraOpThreads] [maxWaitMs]
 * maxWaitMs 0 (the default) is adaptive batching: a lone request never waits for companions.
 */
import sharp from 'sharp';
import { EmbeddingService } from '../src/embedding/embedding.service';

async function photo(width: number, height: number): Promise<Buffer> {
  const noise = { type: 'gaussian' as const, mean: 128, sigma: 40 };
  return sharp({ create: { width, height, channels: 3, background: '#888', noise } }).jpeg({ quality: 90 }).toBuffer();
}

async function time<T>(fn: () => Promise<T>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const modelDir = process.argv[2] ?? 'models/siglip-tiny';
  const threads = Number(process.argv[3] ?? 2);
  const maxWaitMs = Number(process.argv[4] ?? 0);
  const service = await EmbeddingService.load({ modelDir, intraOpThreads: threads, maxBatchSize: 32, maxWaitMs, maxInputPixels: 40_000_000 });
  const report: Record<string, string> = { model: service.modelId, dims: String(service.dims), intraOpThreads: String(threads), maxWaitMs: String(maxWaitMs) };
  // 224x224 needs no resize, so it shows inference cost and the batching gain on their own.
  for (const [w, h] of [[224, 224], [640, 480], [1600, 1200], [4000, 3000]] as const) {
    const img = await photo(w, h);
    await service.embedImage(img);
    const prep: number[] = [];
    const full: number[] = [];
    for (let i = 0; i < 10; i++) {
      prep.push(await time(() => service.pixelValues(img)));
      full.push(await time(() => service.embedImage(img)));
    }
    report[`image ${w}x${h} single (decode+resize / total)`] = `${median(prep).toFixed(1)} / ${median(full).toFixed(1)} ms`;
    const n = 16;
    const burst = await time(() => Promise.all(Array.from({ length: n }, () => service.embedImage(img))));
    report[`image ${w}x${h} burst of ${n}`] = `${burst.toFixed(0)} ms total, ${(burst / n).toFixed(1)} ms/image`;
  }
  const texts = Array.from({ length: 32 }, (_, i) => `product number ${i} in blue cotton with a logo`);
  await service.embedText(texts[0]!);
  const single: number[] = [];
  for (const t of texts.slice(0, 10)) single.push(await time(() => service.embedText(t)));
  report['text single'] = `${median(single).toFixed(1)} ms`;
  const burst = await time(() => Promise.all(texts.map((t) => service.embedText(t))));
  report[`text burst of ${texts.length}`] = `${burst.toFixed(0)} ms total, ${(burst / texts.length).toFixed(2)} ms/text`;
  await service.close();
  for (const [k, v] of Object.entries(report)) process.stdout.write(`${k.padEnd(48)} ${v}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exitCode = 1;
});
