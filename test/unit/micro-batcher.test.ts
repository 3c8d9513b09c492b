import { getEventListeners } from 'node:events';
import { AppError } from '../../src/common/errors';
import { MicroBatcher } from '../../src/embedding/micro-batcher';

/** A batch function that records its calls and can be held open to simulate a slow model. */
function recorder<I>(map: (i: I) => unknown = (i) => i) {
  const calls: I[][] = [];
  let gate: Promise<void> = Promise.resolve();
  let open: () => void = () => undefined;
  let active = 0;
  let maxActive = 0;
  const fn = async (items: readonly I[]) => {
    calls.push([...items]);
    active++;
    maxActive = Math.max(maxActive, active);
    await gate;
    active--;
    return items.map(map);
  };
  return {
    fn,
    calls,
    maxActive: () => maxActive,
    hold: () => {
      gate = new Promise((r) => (open = r));
    },
    release: () => open(),
  };
}

describe('MicroBatcher', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('coalesces concurrent calls into one batch call and returns results in order', async () => {
    const r = recorder<number>((i) => i * 10);
    const b = new MicroBatcher(r.fn, { maxBatchSize: 8, maxWaitMs: 10, maxQueue: 100 });
    const results = Promise.all([1, 2, 3, 4, 5].map((i) => b.submit(i)));
    await jest.advanceTimersByTimeAsync(10);
    await expect(results).resolves.toEqual([10, 20, 30, 40, 50]);
    expect(r.calls).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('respects maxBatchSize and starts a full batch without waiting', async () => {
    const r = recorder<number>();
    const b = new MicroBatcher(r.fn, { maxBatchSize: 8, maxWaitMs: 1000, maxQueue: 100 });
    const all = Promise.all(Array.from({ length: 20 }, (_, i) => b.submit(i)));
    await jest.advanceTimersByTimeAsync(0);
    // Full batches go at once, back to back; the remainder waited one batch already, so it follows without a wait.
    expect(r.calls.map((c) => c.length)).toEqual([8, 8, 4]);
    await all;
    expect(r.calls.flat()).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('waits at most maxWaitMs for companions', async () => {
    const r = recorder<string>();
    const b = new MicroBatcher(r.fn, { maxBatchSize: 8, maxWaitMs: 50, maxQueue: 100 });
    const p = b.submit('a');
    await jest.advanceTimersByTimeAsync(49);
    expect(r.calls).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(r.calls).toEqual([['a']]);
    await expect(p).resolves.toBe('a');
  });

  it('runs one batch at a time and sends what queued meanwhile as the next batch', async () => {
    const r = recorder<number>();
    const b = new MicroBatcher(r.fn, { maxBatchSize: 4, maxWaitMs: 5, maxQueue: 100 });
    r.hold();
    const first = b.submit(1);
    await jest.advanceTimersByTimeAsync(5);
    const rest = [2, 3, 4].map((i) => b.submit(i));
    await jest.advanceTimersByTimeAsync(100);
    expect(r.calls).toEqual([[1]]);
    r.release();
    await jest.advanceTimersByTimeAsync(0);
    await Promise.all([first, ...rest]);
    expect(r.calls).toEqual([[1], [2, 3, 4]]);
    expect(r.maxActive()).toBe(1);
  });

  describe('adaptive policy (maxWaitMs 0, the default)', () => {
    const adaptive = { maxBatchSize: 4, maxWaitMs: 0, maxQueue: 100 };

    it('runs a lone item at the end of the current turn, with no timer wait', async () => {
      const r = recorder<number>();
      const b = new MicroBatcher(r.fn, adaptive);
      const t0 = Date.now();
      const p = b.submit(1);
      expect(r.calls).toEqual([]); // not synchronously: calls made in this turn may still join
      await jest.advanceTimersByTimeAsync(0);
      expect(r.calls).toEqual([[1]]);
      await expect(p).resolves.toBe(1);
      expect(Date.now() - t0).toBe(0);
    });

    it('puts calls made in the same turn into one batch', async () => {
      const r = recorder<number>();
      const b = new MicroBatcher(r.fn, adaptive);
      const all = Promise.all([1, 2, 3].map((i) => b.submit(i)));
      await jest.advanceTimersByTimeAsync(0);
      await all;
      expect(r.calls).toEqual([[1, 2, 3]]);
    });

    it('one call at a time: each runs alone at once, nobody waits for companions', async () => {
      const r = recorder<number>();
      const b = new MicroBatcher(r.fn, adaptive);
      const t0 = Date.now();
      for (let i = 0; i < 5; i++) {
        const p = b.submit(i);
        await jest.advanceTimersByTimeAsync(0);
        await expect(p).resolves.toBe(i);
      }
      expect(r.calls).toEqual([[0], [1], [2], [3], [4]]);
      expect(Date.now() - t0).toBe(0);
    });

    it('batches what queues while a batch runs, and starts it the moment the running one ends', async () => {
      const r = recorder<number>();
      const b = new MicroBatcher(r.fn, adaptive);
      r.hold();
      const first = b.submit(1);
      await jest.advanceTimersByTimeAsync(0);
      expect(r.calls).toEqual([[1]]);
      const later: Promise<unknown>[] = [];
      for (const i of [2, 3, 4, 5, 6]) {
        later.push(b.submit(i)); // each in its own turn, as HTTP requests arrive
        await jest.advanceTimersByTimeAsync(0);
      }
      expect(r.calls).toEqual([[1]]);
      expect(b.queued).toBe(5);
      const t0 = Date.now();
      r.release();
      r.hold();
      for (let i = 0; i < 20; i++) await Promise.resolve(); // promise hops only: no timer may run
      // The next batch started without any timer: full (4); the rest waits for it.
      expect(r.calls).toEqual([[1], [2, 3, 4, 5]]);
      r.release();
      await jest.advanceTimersByTimeAsync(0);
      await Promise.all([first, ...later]);
      expect(r.calls).toEqual([[1], [2, 3, 4, 5], [6]]);
      expect(Date.now() - t0).toBe(0);
      expect(r.maxActive()).toBe(1);
    });
  });

  it('fans a batch failure out to every caller in that batch, and keeps working', async () => {
    let fail = true;
    const boom = new AppError('MODEL_INFERENCE_FAILED', 'boom');
    const b = new MicroBatcher<number, number>(
      async (items) => {
        if (fail) throw boom;
        return items;
      },
      { maxBatchSize: 8, maxWaitMs: 1, maxQueue: 100 },
    );
    const failed = [1, 2, 3].map((i) => b.submit(i).catch((e: unknown) => e));
    await jest.advanceTimersByTimeAsync(1);
    expect(await Promise.all(failed)).toEqual([boom, boom, boom]);
    fail = false;
    const ok = b.submit(4);
    await jest.advanceTimersByTimeAsync(1);
    await expect(ok).resolves.toBe(4);
  });

  it('rejects with OVERLOADED when the queue is full', async () => {
    const r = recorder<number>();
    const b = new MicroBatcher(r.fn, { maxBatchSize: 1, maxWaitMs: 0, maxQueue: 2 });
    r.hold();
    const running = b.submit(0);
    await jest.advanceTimersByTimeAsync(0);
    const queued = [b.submit(1), b.submit(2)];
    await expect(b.submit(3)).rejects.toMatchObject({ name: 'AppError', code: 'OVERLOADED' });
    expect(b.queued).toBe(2);
    r.release();
    await jest.advanceTimersByTimeAsync(0);
    await expect(Promise.all([running, ...queued])).resolves.toEqual([0, 1, 2]);
  });

  it('rejects every caller when the batch function returns the wrong number of results', async () => {
    const b = new MicroBatcher<number, number>(async () => [1], { maxBatchSize: 8, maxWaitMs: 5, maxQueue: 10 });
    const ps = [b.submit(1), b.submit(2)].map((p) => p.catch((e: unknown) => e));
    await jest.advanceTimersByTimeAsync(5);
    expect(await Promise.all(ps)).toEqual([1, 2].map(() => new AppError('INTERNAL', 'Batch function returned 1 results for 2 inputs')));
  });

  it('close() drains queued work and refuses new work', async () => {
    const r = recorder<number>();
    const b = new MicroBatcher(r.fn, { maxBatchSize: 8, maxWaitMs: 10_000, maxQueue: 10 });
    const p = b.submit(7);
    const closing = b.close();
    await jest.advanceTimersByTimeAsync(0);
    await closing;
    await expect(p).resolves.toBe(7);
    await expect(b.submit(8)).rejects.toMatchObject({ code: 'OVERLOADED' });
  });

  describe('cancellation', () => {
    it('drops a queued item whose signal fires: it leaves the queue, rejects with the reason, and never runs', async () => {
      const r = recorder<number>();
      const b = new MicroBatcher(r.fn, { maxBatchSize: 8, maxWaitMs: 50, maxQueue: 10 });
      const gone = new AbortController();
      const kept = b.submit(1);
      const dropped = b.submit(2, gone.signal).catch((e: unknown) => e);
      const alsoKept = b.submit(3, new AbortController().signal);
      expect(b.queued).toBe(3);
      const reason = new AppError('REQUEST_CANCELLED', 'client went away');
      gone.abort(reason);
      expect(b.queued).toBe(2);
      await expect(dropped).resolves.toBe(reason);
      await jest.advanceTimersByTimeAsync(50);
      await expect(Promise.all([kept, alsoKept])).resolves.toEqual([1, 3]);
      expect(r.calls).toEqual([[1, 3]]);
      expect(b.stats).toEqual({ ran: 2, dropped: 1 });
      // Dropping one item leaves the others where they were.
      expect(getEventListeners(gone.signal, 'abort')).toHaveLength(0);
    });

    it('refuses an item whose signal already fired without queueing it', async () => {
      const r = recorder<number>();
      const b = new MicroBatcher(r.fn, { maxBatchSize: 8, maxWaitMs: 5, maxQueue: 10 });
      const reason = new Error('deadline');
      await expect(b.submit(1, AbortSignal.abort(reason))).rejects.toBe(reason);
      expect(b.queued).toBe(0);
      await jest.advanceTimersByTimeAsync(5);
      expect(r.calls).toEqual([]);
      expect(b.stats).toEqual({ ran: 0, dropped: 0 });
    });

    it('releases the caller of a running item at once; the batch still finishes for the others', async () => {
      const r = recorder<number>((i) => i * 10);
      const b = new MicroBatcher(r.fn, { maxBatchSize: 8, maxWaitMs: 5, maxQueue: 10 });
      r.hold();
      const gone = new AbortController();
      const mine = b.submit(1, gone.signal).catch((e: unknown) => e);
      const other = b.submit(2);
      await jest.advanceTimersByTimeAsync(5);
      expect(r.calls).toEqual([[1, 2]]);
      gone.abort('bye');
      await expect(mine).resolves.toBe('bye');
      r.release();
      await expect(other).resolves.toBe(20);
      expect(b.stats).toEqual({ ran: 2, dropped: 0 });
    });

    it('lets an item that went through ignore a later abort', async () => {
      const b = new MicroBatcher(async (xs: readonly number[]) => xs, { maxBatchSize: 8, maxWaitMs: 0, maxQueue: 10 });
      const ctl = new AbortController();
      const p = b.submit(5, ctl.signal);
      await jest.advanceTimersByTimeAsync(0);
      await expect(p).resolves.toBe(5);
      ctl.abort();
      expect(b.stats).toEqual({ ran: 1, dropped: 0 });
    });

    it('leaves no listener on a long-lived signal once an item settles, whichever way', async () => {
      let fail = false;
      const b = new MicroBatcher<number, number>(
        async (xs) => {
          if (fail) throw new Error('model failed');
          return xs;
        },
        { maxBatchSize: 8, maxWaitMs: 0, maxQueue: 10 },
      );
      const session = new AbortController().signal;
      const one = b.submit(1, session);
      await jest.advanceTimersByTimeAsync(0);
      await expect(one).resolves.toBe(1);
      fail = true;
      const two = b.submit(2, session).catch((e: unknown) => e);
      await jest.advanceTimersByTimeAsync(0);
      expect(await two).toEqual(new Error('model failed'));
      expect(getEventListeners(session, 'abort')).toHaveLength(0);
      const waiting = b.submit(3, session).catch(() => undefined);
      expect(getEventListeners(session, 'abort')).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(0);
      await waiting;
      expect(getEventListeners(session, 'abort')).toHaveLength(0);
    });
  });

  it('validates its options', () => {
    const make = (maxBatchSize: number, maxWaitMs: number, maxQueue: number) => () =>
      new MicroBatcher(async (x: readonly number[]) => x, { maxBatchSize, maxWaitMs, maxQueue });
    const refusal = new RangeError('MicroBatcher: maxBatchSize and maxQueue must be >= 1, maxWaitMs >= 0');
    expect(make(0, 1, 1)).toThrow(refusal);
    expect(make(1, -1, 1)).toThrow(refusal);
    expect(make(1, 1, 0)).toThrow(refusal);
    expect(make(1, 0, 1)).not.toThrow();
  });

  it('starts a batch the moment it is full, without waiting for the timer', async () => {
    const r = recorder<number>();
    const b = new MicroBatcher(r.fn, { maxBatchSize: 3, maxWaitMs: 1000, maxQueue: 10 });
    const p = [b.submit(1), b.submit(2)];
    expect(r.calls).toEqual([]);
    p.push(b.submit(3));
    expect(r.calls).toEqual([[1, 2, 3]]);
    await expect(Promise.all(p)).resolves.toEqual([1, 2, 3]);
  });

  it('starts what queued behind a running batch the moment it ends, even with a wait configured', async () => {
    const r = recorder<string>();
    const b = new MicroBatcher(r.fn, { maxBatchSize: 8, maxWaitMs: 50, maxQueue: 10 });
    r.hold();
    const a = b.submit('a');
    await jest.advanceTimersByTimeAsync(50); // 'a' runs (held open)
    await jest.advanceTimersByTimeAsync(10);
    const late = b.submit('b'); // t = 60: it has waited one batch already when 'a' ends
    await jest.advanceTimersByTimeAsync(20);
    expect(r.calls).toEqual([['a']]);
    const t0 = Date.now();
    r.release();
    for (let i = 0; i < 20; i++) await Promise.resolve(); // promise hops only: no timer may run
    expect(r.calls).toEqual([['a'], ['b']]);
    await expect(Promise.all([a, late])).resolves.toEqual(['a', 'b']);
    expect(Date.now() - t0).toBe(0);
  });

  it('names the queue bound when full and says when it is shut down', async () => {
    const r = recorder<number>();
    const b = new MicroBatcher(r.fn, { maxBatchSize: 1, maxWaitMs: 0, maxQueue: 1 });
    r.hold();
    const running = b.submit(0);
    const queued = b.submit(1);
    await expect(b.submit(2)).rejects.toEqual(new AppError('OVERLOADED', 'Embedding queue is full (1 waiting)'));
    r.release();
    const closing = b.close();
    await expect(b.submit(3)).rejects.toEqual(new AppError('OVERLOADED', 'Embedding queue is shut down'));
    await closing;
    await expect(Promise.all([running, queued])).resolves.toEqual([0, 1]);
  });

  it('close() waits for the running batch and drains everything queued behind it, in batches', async () => {
    const r = recorder<number>();
    const b = new MicroBatcher(r.fn, { maxBatchSize: 2, maxWaitMs: 10_000, maxQueue: 10 });
    r.hold();
    const all = [1, 2, 3, 4, 5].map((i) => b.submit(i)); // [1, 2] runs at once, 3-5 wait
    let closed = false;
    const closing = b.close().then(() => (closed = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(closed).toBe(false);
    r.release();
    await closing;
    expect(r.calls).toEqual([[1, 2], [3, 4], [5]]);
    expect(r.maxActive()).toBe(1);
    await expect(Promise.all(all)).resolves.toEqual([1, 2, 3, 4, 5]);
    await expect(new MicroBatcher(r.fn, { maxBatchSize: 2, maxWaitMs: 5, maxQueue: 2 }).close()).resolves.toBeUndefined();
  });

  it('starts a fresh wait for an item that arrives after a full batch went', async () => {
    const r = recorder<string>();
    const b = new MicroBatcher(r.fn, { maxBatchSize: 2, maxWaitMs: 50, maxQueue: 10 });
    const full = [b.submit('a'), b.submit('b')]; // 'a' started a 50 ms wait; 'b' filled the batch, which went at once
    await jest.advanceTimersByTimeAsync(10);
    const late = b.submit('c'); // t = 10: its own 50 ms
    await jest.advanceTimersByTimeAsync(49);
    expect(r.calls).toEqual([['a', 'b']]);
    await jest.advanceTimersByTimeAsync(1);
    expect(r.calls).toEqual([['a', 'b'], ['c']]);
    await expect(Promise.all([...full, late])).resolves.toEqual(['a', 'b', 'c']);
  });

  it('drops the oldest waiting item as well as any other', async () => {
    const r = recorder<number>();
    const b = new MicroBatcher(r.fn, { maxBatchSize: 8, maxWaitMs: 20, maxQueue: 10 });
    const gone = new AbortController();
    const first = b.submit(1, gone.signal).catch((e: unknown) => e);
    const second = b.submit(2);
    gone.abort('bye');
    expect(b.queued).toBe(1);
    await jest.advanceTimersByTimeAsync(20);
    expect(r.calls).toEqual([[2]]);
    await expect(Promise.all([first, second])).resolves.toEqual(['bye', 2]);
  });

  it('never calls the batch function with an empty batch when every waiting item left', async () => {
    const r = recorder<number>();
    const b = new MicroBatcher(r.fn, { maxBatchSize: 8, maxWaitMs: 20, maxQueue: 10 });
    const gone = new AbortController();
    const p = b.submit(1, gone.signal).catch((e: unknown) => e);
    gone.abort('bye');
    await expect(p).resolves.toBe('bye');
    await jest.advanceTimersByTimeAsync(20);
    expect(r.calls).toEqual([]);
    expect(b.stats).toEqual({ ran: 0, dropped: 1 });
  });

  it('tells onBatch the size and run time of every batch that answered, and nothing of one that threw', async () => {
    const r = recorder<number>();
    const seen: [number, number][] = [];
    const b = new MicroBatcher(r.fn, { maxBatchSize: 8, maxWaitMs: 0, maxQueue: 10, onBatch: (n, s) => seen.push([n, s]) });
    r.hold();
    const three = Promise.all([1, 2, 3].map((i) => b.submit(i)));
    await jest.advanceTimersByTimeAsync(250);
    expect(seen).toEqual([]);
    r.release();
    await three;
    expect(seen).toEqual([[3, 0.25]]);
    const failing = new MicroBatcher<number, number>(
      async () => {
        throw new Error('model failed');
      },
      { maxBatchSize: 8, maxWaitMs: 0, maxQueue: 10, onBatch: (n, s) => seen.push([n, s]) },
    );
    const p = failing.submit(1).catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(0);
    expect(await p).toEqual(new Error('model failed'));
    expect(seen).toEqual([[3, 0.25]]);
  });

  it('reports stats as a snapshot', async () => {
    const b = new MicroBatcher(async (xs: readonly number[]) => xs, { maxBatchSize: 8, maxWaitMs: 0, maxQueue: 10 });
    const before = b.stats;
    const p = b.submit(1);
    await jest.advanceTimersByTimeAsync(0);
    await p;
    expect([before, b.stats]).toEqual([
      { ran: 0, dropped: 0 },
      { ran: 1, dropped: 0 },
    ]);
  });
});
