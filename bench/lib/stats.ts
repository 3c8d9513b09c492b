import * as os from 'node:os';

/** Small statistics and the one results table `npm run bench` prints. */

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  // Nearest-rank: p99 of 1,000 samples is the 990th smallest, never an interpolation between two samples.
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const median = (xs: readonly number[]): number => percentile(xs, 50);

/** The 1-minute load average, the number every reported figure carries (the machine is shared). */
export const load1 = (): number => os.loadavg()[0]!;

export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const out = await fn();
  return [out, performance.now() - t];
}

/**
 * One row of the table: per round, a measured value for "ours" and for the reference, and their ratio.
 * The row reports the median of the per-round ratios and their min–max, so one noisy round cannot move it.
 */
export interface Row {
  measure: string;
  unit: string;
  ours: number[];
  reference: number[];
  /** How a round's ratio is formed: ours ÷ reference (default), or reference ÷ ours for "lower is better" latencies. */
  ratio?: (ours: number, reference: number) => number;
  referenceName: string;
  goal: string;
  load: number[];
  note?: string;
}

export function rowRatios(r: Row): number[] {
  const f = r.ratio ?? ((a, b) => a / b);
  return r.ours.map((o, i) => f(o, r.reference[i]!));
}

const fmt = (x: number, unit: string): string => {
  if (!Number.isFinite(x)) return '–';
  const digits = x >= 100 ? 0 : x >= 10 ? 1 : 2;
  return `${x.toFixed(digits)} ${unit}`.trim();
};

export function renderTable(rows: readonly Row[]): string {
  const header = ['measure', 'ours (median)', 'reference (median)', 'ratio', 'spread', 'goal', 'load1'];
  const body = rows.map((r) => {
    const ratios = rowRatios(r).filter(Number.isFinite);
    const ref = r.reference.length > 0 ? `${fmt(median(r.reference), r.unit)} ${r.referenceName}` : r.referenceName;
    return [
      r.measure + (r.note ? ` (${r.note})` : ''),
      fmt(median(r.ours), r.unit),
      ref,
      ratios.length > 0 ? `${median(ratios).toFixed(2)}×` : '–',
      ratios.length > 1 ? `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}` : '–',
      r.goal,
      r.load.length > 0 ? `${Math.min(...r.load).toFixed(1)}–${Math.max(...r.load).toFixed(1)}` : '–',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
}

/** Runs fn for each round with the order of its two sides alternating (A B, B A, …) so drift hits both equally. */
export async function interleaved(rounds: number, a: () => Promise<void>, b: () => Promise<void>): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      await a();
      await b();
    } else {
      await b();
      await a();
    }
  }
}
