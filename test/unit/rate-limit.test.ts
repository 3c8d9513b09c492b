import { RateLimiter, type Budget } from '../../src/server/rate-limit';

const anon = { kind: 'anonymous' as const, id: 'ip:203.0.113.1' };
const key = { kind: 'key' as const, id: 'key:0123456789abcdef' };

function limiter(limited: Budget[] = []) {
  return new RateLimiter({ windowS: 60, anonymousPoints: 10, keyPoints: 20, writePoints: 8, costPerPoint: 100, onLimited: (b) => limited.push(b) });
}

describe('RateLimiter', () => {
  it('prices a request at 1 point on arrival plus one per costPerPoint of query cost', () => {
    const l = limiter();
    expect([0, 99, 100, 501, 5000].map((c) => l.pointsForCost(c))).toEqual([0, 0, 1, 5, 50]);
  });

  it('refuses the arrival that would overdraw the budget, with the seconds until it refills', async () => {
    const limited: Budget[] = [];
    const l = limiter(limited);
    for (let i = 0; i < 10; i++) expect(await l.arrive(anon)).toEqual({ ok: true });
    const refused = await l.arrive(anon);
    expect(refused).toMatchObject({ ok: false, budget: 'anonymous' });
    expect(refused.ok === false && refused.retryAfterS).toBeGreaterThanOrEqual(59);
    expect(limited).toEqual(['anonymous']);
    expect(await l.arrive({ kind: 'anonymous', id: 'ip:203.0.113.2' })).toEqual({ ok: true });
  });

  it('charges the priced remainder to the same budget: a 501-cost read takes 6 of 10 points', async () => {
    const l = limiter();
    expect(await l.arrive(anon)).toEqual({ ok: true });
    expect(await l.priced(anon, 501, false)).toEqual({ ok: true });
    for (let i = 0; i < 4; i++) expect(await l.arrive(anon)).toEqual({ ok: true });
    expect((await l.arrive(anon)).ok).toBe(false);
  });

  it('charges a mutation in full to the write budget as well', async () => {
    const l = limiter();
    // 1 + floor(350/100) = 4 points per write: two fit in 8, the third does not.
    for (let i = 0; i < 2; i++) {
      expect(await l.arrive(key)).toEqual({ ok: true });
      expect(await l.priced(key, 350, true)).toEqual({ ok: true });
    }
    expect(await l.arrive(key)).toEqual({ ok: true });
    expect(await l.priced(key, 350, true)).toMatchObject({ ok: false, budget: 'write' });
  });
});
