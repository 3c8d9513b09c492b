import { ImageInputError } from '../../../src/common/errors';
import { HostScheduler } from '../../../src/feeds/host-scheduler';
import { PoliteImageSource } from '../../../src/feeds/polite-image-source';
import { backoffDelay, withRetries } from '../../../src/feeds/retry';
import { FakeImageSource } from '../../support/fakes';

const tick = () => new Promise((r) => setTimeout(r, 5));

/** A job that records when it ran and how many of its host were running at once. */
function tracker() {
  const running = new Map<string, number>();
  const peaks = new Map<string, number>();
  let total = 0;
  let peakTotal = 0;
  const starts: [string, number][] = [];
  const job = (host: string, ms = 20) => async () => {
    starts.push([host, Date.now()]);
    total++;
    running.set(host, (running.get(host) ?? 0) + 1);
    peaks.set(host, Math.max(peaks.get(host) ?? 0, running.get(host)!));
    peakTotal = Math.max(peakTotal, total);
    await new Promise((r) => setTimeout(r, ms));
    running.set(host, running.get(host)! - 1);
    total--;
    return host;
  };
  return { job, peaks, starts, peakTotal: () => peakTotal };
}

describe('HostScheduler', () => {
  it('holds the global and the per-host limits, and a busy host does not block another', async () => {
    const s = new HostScheduler({ concurrency: 3, perHost: 2, hostDelayMs: 0 });
    const t = tracker();
    const hosts = ['a', 'a', 'a', 'a', 'b', 'c', 'c', 'a'];
    const done = await Promise.all(hosts.map((h) => s.run(h, t.job(h))));
    expect(done).toEqual(hosts);
    expect([t.peakTotal(), t.peaks.get('a'), t.peaks.get('c')]).toEqual([3, 2, 2]);
    // b arrived fifth but started among the first three: the fourth and third 'a' were blocked by a's limit.
    expect(t.starts.slice(0, 3).map(([h]) => h)).toEqual(['a', 'a', 'b']);
    expect(s.running).toBe(0);
  });

  it('spaces the starts of requests to one host by hostDelayMs', async () => {
    // Fake timers and clock: on a loaded machine a real clock can move between the scheduler's decision and the job's
    // first line, which made the measured spacing 35 ms of 60 once (CI, 2026-11-29).
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const s = new HostScheduler({ concurrency: 8, perHost: 8, hostDelayMs: 60 });
      const t = tracker();
      const all = Promise.all(['a', 'a', 'a', 'b'].map((h) => s.run(h, t.job(h, 1))));
      await jest.advanceTimersByTimeAsync(500);
      expect(await all).toEqual(['a', 'a', 'a', 'b']);
      // Each 'a' starts exactly hostDelayMs after the one before; 'b' does not wait for 'a'.
      expect(t.starts.map(([h, at]) => [h, at - 1_000_000])).toEqual([
        ['a', 0],
        ['b', 0],
        ['a', 60],
        ['a', 120],
      ]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('takes a waiter out of the queue when its signal fires', async () => {
    const s = new HostScheduler({ concurrency: 1, perHost: 1, hostDelayMs: 0 });
    let release!: () => void;
    const first = s.run('a', () => new Promise<void>((r) => (release = r)));
    const ac = new AbortController();
    const ran: string[] = [];
    const second = s.run('a', async () => void ran.push('second'), ac.signal);
    const third = s.run('a', async () => void ran.push('third'));
    await tick();
    ac.abort(new Error('gone'));
    await expect(second).rejects.toThrow('gone');
    release();
    await Promise.all([first, third]);
    expect(ran).toEqual(['third']);
  });
});

describe('retries', () => {
  const o = { retries: 3, baseDelayMs: 100, maxDelayMs: 250 };

  it('draws the wait uniformly below min(max, base * 2^attempt)', () => {
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, o, () => 0.999999))).toEqual([99, 199, 249, 249]);
    expect(backoffDelay(2, o, () => 0)).toBe(0);
  });

  it('retries only what the predicate calls transient, up to the limit, waiting the drawn delays', async () => {
    const waits: number[] = [];
    let calls = 0;
    const transient = new ImageInputError('IMAGE_FETCH_FAILED', 'HTTP 503', { transient: true });
    const hooks = { random: () => 0.5, sleep: async (ms: number) => void waits.push(ms) };
    await expect(withRetries(async () => (++calls < 3 ? Promise.reject(transient) : 'ok'), (e) => (e as ImageInputError).transient, o, undefined, hooks)).resolves.toBe('ok');
    expect([calls, waits]).toEqual([3, [50, 100]]);

    calls = 0;
    await expect(withRetries(async () => (++calls, Promise.reject(transient)), () => true, o, undefined, hooks)).rejects.toBe(transient);
    expect(calls).toBe(4);

    calls = 0;
    const notFound = new ImageInputError('IMAGE_FETCH_FAILED', 'HTTP 404');
    await expect(withRetries(async () => (++calls, Promise.reject(notFound)), (e) => (e as ImageInputError).transient, o, undefined, hooks)).rejects.toBe(notFound);
    expect(calls).toBe(1);
  });
});

describe('PoliteImageSource', () => {
  const scheduler = () => new HostScheduler({ concurrency: 4, perHost: 2, hostDelayMs: 0 });
  const retry = { retries: 2, baseDelayMs: 1, maxDelayMs: 1 };

  it('retries transient failures, never a 4xx or a refusal, and counts what it did', async () => {
    const inner = new FakeImageSource().url('https://cdn.example/a.jpg', 'A', { etag: '"a"' });
    let flaky = 2;
    const resolve = inner.resolveIfModified.bind(inner);
    inner.resolveIfModified = async (ref, known, signal) => {
      if (ref.url?.endsWith('/flaky.jpg') && flaky-- > 0) throw new ImageInputError('IMAGE_FETCH_FAILED', 'HTTP 503', { transient: true });
      if (ref.url?.endsWith('/flaky.jpg')) return { modified: true, bytes: Buffer.from('F'), validators: {} };
      if (ref.url?.endsWith('/gone.jpg')) throw new ImageInputError('IMAGE_FETCH_FAILED', 'HTTP 404');
      if (ref.url?.endsWith('/private.jpg')) throw new ImageInputError('IMAGE_URL_FORBIDDEN', 'forbidden');
      return resolve(ref, known, signal);
    };
    const polite = new PoliteImageSource(inner, scheduler(), retry);
    await expect(polite.resolveIfModified({ url: 'https://cdn.example/flaky.jpg' }, undefined)).resolves.toMatchObject({ modified: true });
    await expect(polite.resolveIfModified({ url: 'https://cdn.example/gone.jpg' }, undefined)).rejects.toMatchObject({ code: 'IMAGE_FETCH_FAILED' });
    await expect(polite.resolveIfModified({ url: 'https://cdn.example/private.jpg' }, undefined)).rejects.toMatchObject({ code: 'IMAGE_URL_FORBIDDEN' });
    await expect(polite.resolveIfModified({ url: 'https://cdn.example/a.jpg' }, { etag: '"a"' })).resolves.toEqual({ modified: false });
    await expect(polite.resolve({ base64: Buffer.from('B').toString('base64') })).resolves.toEqual(Buffer.from('B'));
    expect(polite.stats).toEqual({ requests: 6, retries: 2, downloaded: 1, notModified: 1, bytes: 1 });
  });
});
