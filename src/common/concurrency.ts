/**
 * Runs `fn(0)` … `fn(n - 1)`, started in index order, with at most `limit` calls in flight. A call that throws rejects
 * the run at once; the other workers are not stopped (callers that must stop early check a signal inside `fn`).
 */
export async function forEachLimited(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}
