import { execFile } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';

/**
 * A private N-node Elasticsearch cluster on loopback for fault tests, driven through scripts/es.sh (which owns data
 * dirs and pid files). Never the shared node on 9200: the cluster lives in this checkout's `.es/<id>/` (id `test` by
 * default, apart from a developer's drill cluster) on free ports found at start, so test runs of several checkouts
 * on one machine never meet.
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
  /** Start every node that is down (all of them after a whole-cluster crash); resolves at green with all nodes. */
  startAll(): Promise<void>;
  /** GET a JSON API from the first node that answers. */
  get<T = any>(pathAndQuery: string): Promise<T>;
  /** PUT a JSON body to the first node that answers. */
  put<T = any>(pathAndQuery: string, body: unknown): Promise<T>;
  /** 1-based index of the node holding the primary (or `r`, a replica) of shard 0 of `index`. */
  nodeHolding(index: string, copy?: 'p' | 'r'): Promise<number>;
  /** Stops every node and deletes the cluster's data. */
  stop(): Promise<void>;
}

async function esSh(args: string[], env: Record<string, string>, timeoutMs: number): Promise<string> {
  try {
    const { stdout, stderr } = await run('bash', [ES_SH, ...args], { env: { ...process.env, ...env }, timeout: timeoutMs });
    if (/is not running/.test(stderr)) throw Object.assign(new Error('node not running'), { stderr });
    return stdout.trim();
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`scripts/es.sh ${args.join(' ')} failed: ${err.stderr?.trim().split('\n').slice(-15).join('\n') ?? err.message}`);
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A base port with `size` free HTTP ports from it and `size` free transport ports from base + 100. */
async function freeBasePort(size: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 90) * 100 + Math.floor(Math.random() * 80);
    const ports = Array.from({ length: size }, (_, i) => [base + i, base + 100 + i]).flat();
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no free ports for a test cluster');
}

/** Starts a fresh cluster (any earlier one of this id is wiped) and waits for green with `size` nodes. */
export async function startEsCluster(o: { size?: number; id?: string; heap?: string } = {}): Promise<EsCluster> {
  const size = o.size ?? 3;
  const env: Record<string, string> = {
    ES_CLUSTER_ID: o.id ?? 'test',
    // A loaded two-core machine takes a minute or two to boot three JVMs.
    ES_START_TIMEOUT: '400',
    ES_NODES: '',
    ...(o.heap ? { ES_HEAP: o.heap } : {}),
  };
  const slow = 450_000;
  await esSh(['cluster-clean'], env, slow);
  env.ES_PORT = String(await freeBasePort(size));
  await esSh(['cluster-start', String(size)], env, slow);
  const urls = (await esSh(['cluster-urls'], env, 10_000)).split(',');

  const request = async (method: string, p: string, body?: unknown): Promise<any> => {
    let last: unknown;
    for (const url of urls) {
      try {
        const res = await fetch(url + p, {
          method,
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
        const json = await res.json();
        if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
        return json;
      } catch (e) {
        last = e;
      }
    }
    throw last;
  };

  const cluster: EsCluster = {
    size,
    urls,
    killNode: async (i) => {
      await esSh(['kill-node', String(i)], env, 120_000);
      const answered = await fetch(`${urls[i - 1]}/_cluster/health`, { signal: AbortSignal.timeout(5000) }).then(
        () => true,
        () => false,
      );
      if (answered) throw new Error(`node-${i} still answers after kill-node`);
    },
    stopNode: async (i) => void (await esSh(['stop-node', String(i)], env, 120_000)),
    startNode: async (i) => void (await esSh(['start-node', String(i)], env, slow)),
    startAll: async () => void (await esSh(['cluster-start'], env, slow)),
    get: (p) => request('GET', p),
    put: (p, body) => request('PUT', p, body),
    nodeHolding: async (index, copy = 'p') => {
      const shards: { shard: string; prirep: string; state: string; node: string }[] = await cluster.get(
        `/_cat/shards/${index}?format=json&h=shard,prirep,state,node`,
      );
      const s = shards.find((x) => x.shard === '0' && x.prirep === copy && x.state === 'STARTED');
      if (!s) throw new Error(`no started ${copy} copy of ${index}[0]: ${JSON.stringify(shards)}`);
      return Number(/^node-(\d+)$/.exec(s.node)![1]);
    },
    stop: async () => void (await esSh(['cluster-clean'], env, slow)),
  };
  await settled(cluster);
  return cluster;
}

/**
 * Green is not idle: right after start the master still installs its index templates, ILM policies and system
 * indices, one cluster-state update each, and on a loaded two-core machine that queue takes minutes. An index
 * created meanwhile waits behind it past any request timeout, so the tests start once the queue is empty.
 */
async function settled(cluster: EsCluster, timeoutMs = 300_000): Promise<void> {
  const t0 = performance.now();
  let quiet = 0;
  while (quiet < 3) {
    const { tasks } = await cluster.get<{ tasks: unknown[] }>('/_cluster/pending_tasks').catch(() => ({ tasks: [null] }));
    quiet = tasks.length === 0 ? quiet + 1 : 0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`cluster still busy after ${timeoutMs} ms: ${tasks.length} pending tasks`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
