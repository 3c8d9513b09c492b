import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gracefulShutdown } from '../../src/server/graceful-shutdown';

/**
 * The unready phase of a shutdown, on a real loopback server: from the signal, /readyz answers 503 while requests
 * (new connections included) are still served, so a load balancer stops routing before the listener closes.
 */
describe('graceful shutdown with an unready delay', () => {
  const servers: http.Server[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      s.close();
    }
  });

  async function start(unreadyDelayMs: number, timeoutMs = 10_000) {
    let unready = false;
    const server = http.createServer((req, res) => {
      if (req.url === '/readyz') res.writeHead(unready ? 503 : 200).end(unready ? 'draining' : 'ready');
      else res.end('served');
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const events: string[] = [];
    let exit!: (code: number) => void;
    const exited = new Promise<number>((r) => (exit = r));
    const shutdown = gracefulShutdown({
      httpServer: server,
      timeoutMs,
      unreadyDelayMs,
      markUnready: () => {
        unready = true;
        events.push('unready');
      },
      close: async () => void events.push('close'),
      exit: (code) => {
        events.push(`exit ${code}`);
        exit(code);
      },
    });
    return { port: (server.address() as AddressInfo).port, shutdown, events, exited };
  }

  const get = (port: number, path: string) =>
    new Promise<string>((resolve) =>
      http
        .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve(`${res.statusCode} ${body}`));
        })
        .on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? String(e))),
    );

  it('answers /readyz 503 and still serves new connections until the delay is over, then refuses them and exits 0', async () => {
    const h = await start(400);
    expect(await get(h.port, '/readyz')).toBe('200 ready');
    const t0 = Date.now();
    h.shutdown.stop('SIGTERM');
    expect(h.events).toEqual(['unready']);
    expect(await get(h.port, '/readyz')).toBe('503 draining');
    expect(await get(h.port, '/graphql')).toBe('200 served');
    expect(await h.exited).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);
    expect(h.events).toEqual(['unready', 'close', 'exit 0']);
    expect(await get(h.port, '/graphql')).toBe('ECONNREFUSED');
  });

  it('without a delay, turns unready and closes the listener at once', async () => {
    const h = await start(0);
    h.shutdown.stop('SIGTERM');
    expect(await get(h.port, '/readyz')).toBe('ECONNREFUSED');
    expect(await h.exited).toBe(0);
    expect(h.events).toEqual(['unready', 'close', 'exit 0']);
  });

  it('counts the delay against the deadline', async () => {
    const h = await start(1000, 200);
    h.shutdown.stop('SIGTERM');
    expect(await h.exited).toBe(1);
    expect(h.events).toEqual(['unready', 'exit 1']);
  });
});
