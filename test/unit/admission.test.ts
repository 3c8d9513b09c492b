import { Admission } from '../../src/embedding/pixels/admission';

/** A task that runs until its test lets it finish. */
function gated() {
  const started: string[] = [];
  const gates = new Map<string, () => void>();
  const task = (name: string) => () =>
    new Promise<string>((resolve) => {
      started.push(name);
      gates.set(name, () => resolve(name));
    });
  const finish = async (name: string) => {
    gates.get(name)!();
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };
  return { started, task, finish };
}

const tick = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('Admission (slots + memory budget + bounded line)', () => {
  it('runs at most `slots` tasks at once', async () => {
    const g = gated();
    const a = new Admission({ slots: 2, budget: 100, maxWaiting: 10 });
    const all = ['a', 'b', 'c'].map((n) => a.run(1, g.task(n)));
    await tick();
    expect(g.started).toEqual(['a', 'b']);
    expect(a.stats).toEqual({ running: 2, waiting: 1, held: 2, refused: 0 });
    await g.finish('a');
    expect(g.started).toEqual(['a', 'b', 'c']);
    await g.finish('b');
    await g.finish('c');
    await expect(Promise.all(all)).resolves.toEqual(['a', 'b', 'c']);
    expect(a.stats).toEqual({ running: 0, waiting: 0, held: 0, refused: 0 });
  });

  it('keeps the weights running within the budget, whatever the slots allow', async () => {
    const g = gated();
    const a = new Admission({ slots: 8, budget: 100, maxWaiting: 10 });
    const runs = [a.run(60, g.task('big1')), a.run(60, g.task('big2')), a.run(30, g.task('small'))];
    await tick();
    // big2 does not fit beside big1; small waits behind it (first come, first served: no starvation of big2).
    expect(g.started).toEqual(['big1']);
    expect(a.stats.held).toBe(60);
    await g.finish('big1');
    expect(g.started).toEqual(['big1', 'big2', 'small']);
    expect(a.stats.held).toBe(90);
    await g.finish('big2');
    await g.finish('small');
    await Promise.all(runs);
    expect(a.stats.held).toBe(0);
  });

  it('refuses with OVERLOADED at once when the line is full, and counts it', async () => {
    const g = gated();
    const a = new Admission({ slots: 1, budget: 10, maxWaiting: 2 });
    const running = a.run(1, g.task('r'));
    const waiting = [a.run(1, g.task('w1')), a.run(1, g.task('w2'))];
    await expect(a.run(1, g.task('x'))).rejects.toMatchObject({ name: 'AppError', code: 'OVERLOADED' });
    expect(() => a.refuseIfFull()).toThrow(expect.objectContaining({ code: 'OVERLOADED' }));
    expect(a.stats).toEqual({ running: 1, waiting: 2, held: 1, refused: 2 });
    await g.finish('r');
    await g.finish('w1');
    await g.finish('w2');
    await expect(Promise.all([running, ...waiting])).resolves.toEqual(['r', 'w1', 'w2']);
    expect(g.started).not.toContain('x');
    expect(() => a.refuseIfFull()).not.toThrow();
  });

  it('lets a waiter whose signal fires leave the line, and admits the ones behind it', async () => {
    const g = gated();
    const a = new Admission({ slots: 2, budget: 100, maxWaiting: 10 });
    const first = a.run(50, g.task('first'));
    const ctl = new AbortController();
    const big = a.run(80, g.task('big'), ctl.signal).catch((e: unknown) => e);
    const small = a.run(40, g.task('small'));
    await tick();
    expect(g.started).toEqual(['first']);
    ctl.abort('gone');
    await expect(big).resolves.toBe('gone');
    await tick();
    expect(g.started).toEqual(['first', 'small']);
    expect(a.stats).toEqual({ running: 2, waiting: 0, held: 90, refused: 0 });
    await g.finish('first');
    await g.finish('small');
    await Promise.all([first, small]);
  });

  it('releases the slot and the weight when a task fails', async () => {
    const a = new Admission({ slots: 1, budget: 10, maxWaiting: 1 });
    await expect(a.run(10, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(a.stats).toEqual({ running: 0, waiting: 0, held: 0, refused: 0 });
    await expect(a.run(10, async () => 'ok')).resolves.toBe('ok');
  });

  it('refuses a weight over the whole budget (it could never run) and bad options', async () => {
    const a = new Admission({ slots: 1, budget: 10, maxWaiting: 1 });
    await expect(a.run(11, async () => 'never')).rejects.toThrow(RangeError);
    expect(() => new Admission({ slots: 0, budget: 1, maxWaiting: 0 })).toThrow(RangeError);
  });
});
