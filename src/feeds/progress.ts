/**
 * Progress of an import: a cli-progress bar (the only importer of cli-progress) with rate and ETA on a terminal,
 * plain lines every few seconds otherwise (CI logs, pipes), and the same numbers in both.
 *
 * A streaming import does not know its row count in advance, so the share done comes from bytes: rows read so far
 * over the share of the feed's bytes read gives the expected total, and the ETA is the rows still to do at the
 * recent rate. Without a known size (a URL without Content-Length) only counts and rate are shown.
 */
import cliProgress from 'cli-progress';

export interface ProgressState {
  /** Rows whose outcome is known (imported, unchanged or failed). */
  done: number;
  /** Rows handed out by the reader so far. */
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  bytesRead: number;
  totalBytes?: number;
}

/** Rate over a sliding window and the ETA from it; pure, so its numbers can be tested. */
export class RateMeter {
  private readonly samples: { at: number; done: number }[] = [];

  constructor(private readonly windowMs = 10_000) {}

  sample(at: number, done: number): void {
    const last = this.samples.at(-1);
    // A sample every quarter second is plenty; more would only grow the window.
    if (last && this.samples.length > 1 && at - last.at < 250) {
      last.done = done;
      last.at = at;
      return;
    }
    this.samples.push({ at, done });
    while (this.samples.length > 2 && at - this.samples[0]!.at > this.windowMs) this.samples.shift();
  }

  /** Rows per second over the window. */
  rate(): number {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at === first.at) return 0;
    return ((last.done - first.done) * 1000) / (last.at - first.at);
  }

  /** Expected total rows and seconds left, when the feed's size is known. */
  eta(s: ProgressState): { total: number; seconds: number } | undefined {
    if (!s.totalBytes || s.bytesRead === 0) return undefined;
    const total = Math.max(s.read, Math.round(s.read / Math.min(1, s.bytesRead / s.totalBytes)));
    const rate = this.rate();
    return { total, seconds: rate > 0 ? (total - s.done) / rate : Infinity };
  }
}

export interface ProgressView {
  update(s: ProgressState): void;
  stop(s: ProgressState): void;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const n = (x: number) => x.toLocaleString('en-US');

/** The plain line: "1,200 rows (12%) 85.3 rows/s ETA 1m43s | created 1,100 updated 0 unchanged 50 failed 50". */
export function plainLine(s: ProgressState, meter: RateMeter): string {
  const eta = meter.eta(s);
  const share = eta ? ` (${Math.min(100, Math.floor((100 * s.done) / Math.max(1, eta.total)))}%)` : '';
  const etaText = eta ? ` ETA ${formatDuration(eta.seconds)}` : '';
  return (
    `import: ${n(s.done)} rows${share} ${meter.rate().toFixed(1)} rows/s${etaText} | ` +
    `created ${n(s.created)} updated ${n(s.updated)} unchanged ${n(s.unchanged)} failed ${n(s.failed)}`
  );
}

export function createProgressView(out: NodeJS.WriteStream, o: { intervalMs?: number; now?: () => number } = {}): ProgressView {
  const now = o.now ?? Date.now;
  const meter = new RateMeter();
  if (!out.isTTY) {
    const every = o.intervalMs ?? 5000;
    let last = now();
    return {
      update(s) {
        meter.sample(now(), s.done);
        if (now() - last >= every) {
          last = now();
          out.write(`${plainLine(s, meter)}\n`);
        }
      },
      stop(s) {
        meter.sample(now(), s.done);
        out.write(`${plainLine(s, meter)}\n`);
      },
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream: out,
      format: '{bar} {percentage}% | {done}/{expected} rows | {rate} rows/s | ETA {etaText} | created {created} updated {updated} unchanged {unchanged} failed {failed}',
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const payload = (s: ProgressState) => {
    const eta = meter.eta(s);
    return {
      done: n(s.done),
      expected: eta ? `~${n(eta.total)}` : '?',
      rate: meter.rate().toFixed(1),
      etaText: eta ? formatDuration(eta.seconds) : '?',
      created: n(s.created),
      updated: n(s.updated),
      unchanged: n(s.unchanged),
      failed: n(s.failed),
    };
  };
  let started = false;
  let lastDraw = 0;
  return {
    update(s) {
      // Called per finished row or batch: redraw at most five times a second.
      if (started && now() - lastDraw < 200) return;
      lastDraw = now();
      meter.sample(now(), s.done);
      const total = meter.eta(s)?.total ?? Math.max(s.read, 1);
      if (!started) {
        bar.start(total, s.done, payload(s));
        started = true;
      }
      bar.setTotal(total);
      bar.update(s.done, payload(s));
    },
    stop(s) {
      meter.sample(now(), s.done);
      if (started) {
        bar.setTotal(Math.max(s.done, 1));
        bar.update(s.done, payload(s));
        bar.stop();
      }
    },
  };
}

export interface CountProgress {
  update(done: number): void;
  stop(done: number): void;
}

/**
 * A bar over a known number of items (e.g. products scanned by npm run dedup): rate and ETA on a terminal, a plain
 * line every `intervalMs` otherwise.
 */
export function createCountProgress(
  out: NodeJS.WriteStream,
  o: { label: string; unit: string; total: number; intervalMs?: number; now?: () => number },
): CountProgress {
  const now = o.now ?? Date.now;
  const meter = new RateMeter();
  const line = (done: number) => {
    const rate = meter.rate();
    const eta = rate > 0 ? formatDuration((o.total - done) / rate) : '?';
    return `${o.label}: ${n(done)}/${n(o.total)} ${o.unit} (${Math.floor((100 * done) / Math.max(1, o.total))}%) ${rate.toFixed(1)} ${o.unit}/s ETA ${eta}`;
  };
  if (!out.isTTY) {
    let last = now();
    return {
      update(done) {
        meter.sample(now(), done);
        if (now() - last >= (o.intervalMs ?? 5000)) {
          last = now();
          out.write(`${line(done)}\n`);
        }
      },
      stop(done) {
        meter.sample(now(), done);
        out.write(`${line(done)}\n`);
      },
    };
  }
  const bar = new cliProgress.SingleBar(
    { stream: out, format: `${o.label} {bar} {percentage}% | {value}/{total} ${o.unit} | {rate} ${o.unit}/s | ETA {etaText}`, hideCursor: true, fps: 5 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(1, o.total), 0, { rate: '0.0', etaText: '?' });
  const payload = (done: number) => {
    const rate = meter.rate();
    return { rate: rate.toFixed(1), etaText: rate > 0 ? formatDuration((o.total - done) / rate) : '?' };
  };
  return {
    update(done) {
      meter.sample(now(), done);
      bar.update(done, payload(done));
    },
    stop(done) {
      meter.sample(now(), done);
      bar.update(done, payload(done));
      bar.stop();
    },
  };
}
