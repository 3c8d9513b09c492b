import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gracefulShutdown, type GracefulShutdown } from '../../src/server/graceful-shutdown';

/** The drain logic against a real loopback HTTP server, with exit() recorded instead of ending the test process. */
interface Harness {
  server: http.Server;
  port: number;
  shutdown: GracefulShutdown;
  events: string[];
  /** Resolves with the exit code. */
  exited: Promise<number>;
  /** Requests to /slow wait until this is called. */
  release(): void;
  slowArrived: Promise<void>;
  agent: http.Agent;
}

const harnesses: Harness[] = [];

async function harness(o: { timeoutMs?: number; repeatWindowMs?: number; close?: () => Promise<void> } = {}): Promise<Harness> {
  const events: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let arrived!: () => void;
  const slowArrived = new Promise<void>((r) => (arrived = r));
  const server = http.createServer((req, res) => {
    if (req.url === '/slow') {
      arrived();
      void released.then(() => res.end('slow done'));
    } else res.end('fast');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  let exit!: (code: number) => void;
  const exited = new Promise<number>((r) => (exit = r));
  const shutdown = gracefulShutdown({
    httpServer: server,
    timeoutMs: o.timeoutMs ?? 10_000,
    repeatWindowMs: o.repeatWindowMs,
    close:
      o.close ??
      (async () => {
        events.push('close');
      }),
    exit: (code) => {
      events.push(`exit ${code}`);
      exit(code);
    },
  });
  const h = {
    server,
    port: (server.address() as AddressInfo).port,
    shutdown,
    events,
    exited,
    release,
    slowArrived,
    agent: new http.Agent({ keepAlive: true }),
  };
  harnesses.push(h);
  return h;
}

afterEach(() => {
  for (const h of harnesses.splice(0)) {
    h.release();
    h.agent.destroy();
    h.server.closeAllConnections();
    h.server.close();
  }
});

interface Reply {
  status: number;
  connection: string | undefined;
  body: string;
}

function get(h: Harness, path: string, agent: http.Agent | false = h.agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: h.port, path, agent }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, body }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

const errorCode = (p: Promise<unknown>) => p.then(() => 'no error', (e: NodeJS.ErrnoException) => e.code);

describe('graceful shutdown', () => {
  it('with nothing in flight: stops listening, closes idle keep-alive connections, closes, exits 0', async () => {
    const h = await harness();
    expect(await get(h, '/fast')).toEqual({ status: 200, connection: 'keep-alive', body: 'fast' });
    const idleSocket = Object.values(h.agent.freeSockets).flat()[0]!;
    const socketClosed = new Promise((r) => idleSocket.once('close', r));

    h.shutdown.stop('SIGTERM');
    expect(await h.exited).toBe(0);
    expect(h.events).toEqual(['close', 'exit 0']);
    await socketClosed;
    expect(await errorCode(get(h, '/fast', false))).toBe('ECONNREFUSED');
  });

  it('lets an in-flight request finish on a connection it then closes, refusing new connections meanwhile', async () => {
    const h = await harness();
    const slow = get(h, '/slow');
    await h.slowArrived;
    expect(h.shutdown.inFlight()).toBe(1);

    h.shutdown.stop('SIGTERM');
    expect(await errorCode(get(h, '/fast', false))).toBe('ECONNREFUSED');
    expect(h.events).toEqual([]); // nothing closed while the request runs

    h.release();
    expect(await slow).toEqual({ status: 200, connection: 'close', body: 'slow done' });
    expect(await h.exited).toBe(0);
    expect(h.events).toEqual(['close', 'exit 0']);
  });

  it('exits 1 at the deadline, dropping the request still in flight', async () => {
    const h = await harness({ timeoutMs: 300 });
    const slow = errorCode(get(h, '/slow'));
    await h.slowArrived;
    const t0 = Date.now();
    h.shutdown.stop('SIGTERM');
    expect(await h.exited).toBe(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(h.events).toEqual(['exit 1']);
    expect(await slow).toBe('ECONNRESET');
  });

  it('takes a repeat within the window as the same signal, and a later one as an order to exit 1 now', async () => {
    const h = await harness({ repeatWindowMs: 200 });
    void errorCode(get(h, '/slow'));
    await h.slowArrived;
    h.shutdown.stop('SIGINT');
    h.shutdown.stop('SIGINT'); // npm forwarding the Ctrl-C the terminal already delivered
    await new Promise((r) => setTimeout(r, 250));
    expect(h.events).toEqual([]);
    h.shutdown.stop('SIGINT');
    expect(await h.exited).toBe(1);
    expect(h.events).toEqual(['exit 1']);
  });

  it('exits 1 when closing fails', async () => {
    const h = await harness({
      close: async () => {
        throw new Error('elasticsearch client would not close');
      },
    });
    h.shutdown.stop('SIGTERM');
    expect(await h.exited).toBe(1);
  });
});
