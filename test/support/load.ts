/** Steady load for fault tests: closed-loop clients, each sending its next request as soon as the last one answered. */

export interface Shot {
  /** When the request was sent, ms since the load started. */
  at: number;
  ms: number;
  /** HTTP status, or 0 when the connection failed. */
  status: number;
  /** What the answer was (a typename, an error code); `ok` when it is exactly what the caller expected. */
  outcome: string;
}

export interface Load {
  /** Stops sending; resolves with every shot once the last in-flight one answered. */
  stop(): Promise<Shot[]>;
  /** Shots so far. */
  readonly shots: readonly Shot[];
}

export function closedLoop(clients: number, shoot: (client: number, n: number) => Promise<{ status: number; outcome: string }>): Load {
  const shots: Shot[] = [];
  const t0 = performance.now();
  let running = true;
  const loops = Array.from({ length: clients }, async (_, client) => {
    for (let n = 0; running; n++) {
      const at = performance.now();
      let r: { status: number; outcome: string };
      try {
        r = await shoot(client, n);
      } catch (e) {
        r = { status: 0, outcome: `threw ${(e as Error).message}` };
      }
      shots.push({ at: at - t0, ms: performance.now() - at, ...r });
    }
  });
  return {
    shots,
    async stop() {
      running = false;
      await Promise.all(loops);
      return shots;
    },
  };
}

/** POSTs a GraphQL request; the answer's status and parsed body, or status 0 when the connection failed. */
export async function postGql(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  o: { key?: string; timeoutMs?: number } = {},
): Promise<{ status: number; body: { data?: Record<string, any>; errors?: { message: string; extensions?: { code?: string } }[] } }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(o.key ? { authorization: `Bearer ${o.key}` } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(o.timeoutMs ?? 120_000),
  });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: { errors: [{ message: text.slice(0, 200) }] } };
  }
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Counts of each distinct value, sorted by key, for exact assertions and readable failure messages. */
export function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out = new Map<string, number>();
  for (const i of items) out.set(key(i), (out.get(key(i)) ?? 0) + 1);
  return Object.fromEntries([...out].sort(([a], [b]) => a.localeCompare(b)));
}
