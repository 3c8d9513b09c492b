import { AppError } from '../../src/common/errors';
import { InFlightLimit } from '../../src/search/elasticsearch/in-flight';

describe('InFlightLimit', () => {
  it('runs maxInFlight at once, queues maxQueued in order, and refuses the rest at once with OVERLOADED', async () => {
    const limit = new InFlightLimit(2, 3);
    const gates: (() => void)[] = [];
    const started: number[] = [];
    const task = (i: number) => () => new Promise<number>((resolve) => {
      started.push(i);
      gates[i] = () => resolve(i);
    });
    const results = Array.from({ length: 8 }, (_, i) => limit.run(task(i)).catch((e: unknown) => e));
    await Promise.resolve();
    expect([limit.inFlight, limit.queued, limit.refused, started]).toEqual([2, 3, 3, [0, 1]]);
    for (const r of await Promise.all(results.slice(5))) expect(r).toMatchObject({ code: 'OVERLOADED' });
    expect(await results[5]).toBeInstanceOf(AppError);

    gates[1]!();
    await results[1];
    await new Promise((r) => setImmediate(r));
    expect([limit.inFlight, limit.queued, started]).toEqual([2, 2, [0, 1, 2]]); // the slot went to the first in line
    for (const i of [0, 2, 3, 4]) {
      await new Promise((r) => setImmediate(r));
      gates[i]!();
    }
    expect(await Promise.all(results.slice(0, 5))).toEqual([0, 1, 2, 3, 4]);
    expect([limit.inFlight, limit.queued, limit.refused]).toEqual([0, 0, 3]);
  });

  it('frees the slot when the task fails', async () => {
    const limit = new InFlightLimit(1, 0);
    await expect(limit.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limit.run(async () => 'next')).resolves.toBe('next');
    expect(limit.inFlight).toBe(0);
  });

  it('says in its refusal how many requests are in flight and waiting, and which settings bound them', async () => {
    const limit = new InFlightLimit(1, 1);
    let release = () => {};
    const running = limit.run(() => new Promise<void>((resolve) => (release = resolve)));
    const waiting = limit.run(async () => 'second').catch((e: unknown) => e);
    const refused = (await limit.run(async () => 'third').catch((e: unknown) => e)) as AppError;
    expect([refused.code, refused.message]).toEqual(['OVERLOADED', 'Elasticsearch has 1 requests in flight and 1 waiting (ES_MAX_IN_FLIGHT, ES_MAX_QUEUED)']);
    release();
    await running;
    expect(await waiting).toBe('second');
  });
});
