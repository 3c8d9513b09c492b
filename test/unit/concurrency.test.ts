import { forEachLimited } from '../../src/common/concurrency';

describe('forEachLimited', () => {
  it('calls every index once, started in order, never more than the limit at a time', async () => {
    const started: number[] = [];
    let inFlight = 0;
    let widest = 0;
    await forEachLimited(7, 3, async (i) => {
      started.push(i);
      widest = Math.max(widest, ++inFlight);
      await new Promise((r) => setTimeout(r, (7 - i) * 2));
      inFlight--;
    });
    expect([started, widest, inFlight]).toEqual([[0, 1, 2, 3, 4, 5, 6], 3, 0]);
  });

  it('runs nothing for no items, and rejects with the first failure', async () => {
    const calls: number[] = [];
    await forEachLimited(0, 4, async (i) => void calls.push(i));
    expect(calls).toEqual([]);
    await expect(forEachLimited(3, 2, async (i) => {
      if (i === 1) throw new Error('boom');
    })).rejects.toThrow('boom');
  });
});
