import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

/**
 * A private N-node Elasticsearch cluster on loopback for fault tests, driven through scripts/es.sh (which owns ports,
 * data dirs and pid files). Never the shared node on 9200: the cluster gets its own HTTP ports (ES_CLUSTER_PORT,
 * default 9250..) and transport ports (HTTP + 100).
 */

const run = promisify(execFile);
const ES_SH = path.resolve(__dirname, '../../scripts/es.sh');

export interface EsCluster {
  readonly size: number;
  /** HTTP URL of every node, node 1 first; give all of them to the client. */
  readonly urls: string[];
  /** SIGKILL node `i` (1-based), a crash: no shutdown hooks, no flush. Resolves once the process is gone. */
  killNode(i: number): Promise<void>;
  /** SIGTERM node `i` and wait for a clean exit. */
  stopNode(i: number): Promise<void>;
  /** Restart node `i`; resolves when all nodes are back and health is green (replicas recovered). */
  startNode(i: number): Promise<void>;
  /** Stops every node (data stays, so a second start is fast); pass `{ wipe: true }` to delete it too. */
  stop(o?: { wipe?: boolean }): Promise<void>;
}

async function esSh(args: string[], env: Record<string, string>, timeoutMs: number): Promise<string> {
  try {
    const { stdout } = await run('bash', [ES_SH, ...args], { env: { ...process.env, ...env }, timeout: timeoutMs });
    return stdout.trim();
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`scripts/es.sh ${args.join(' ')} failed: ${err.stderr?.trim().split('\n').slice(-15).join('\n') ?? err.message}`);
  }
}

/** Starts (or reuses) the cluster and waits for green with `size` nodes. Startup takes ~30-60 s on two cores. */
export async function startEsCluster(o: { size?: number; httpPort?: number; heap?: string } = {}): Promise<EsCluster> {
  const size = o.size ?? 3;
  const env: Record<string, string> = {
    ES_PORT: String(o.httpPort ?? Number(process.env.ES_CLUSTER_PORT ?? 9250)),
    ...(o.heap ? { ES_HEAP: o.heap } : {}),
  };
  const slow = 300_000;
  await esSh(['cluster-start', String(size)], env, slow);
  const urls = (await esSh(['cluster-urls'], env, 10_000)).split(',');
  return {
    size,
    urls,
    killNode: async (i) => void (await esSh(['kill-node', String(i)], env, 90_000)),
    stopNode: async (i) => void (await esSh(['stop-node', String(i)], env, 90_000)),
    startNode: async (i) => void (await esSh(['start-node', String(i)], env, slow)),
    stop: async ({ wipe = false } = {}) => void (await esSh([wipe ? 'cluster-clean' : 'cluster-stop'], env, slow)),
  };
}
