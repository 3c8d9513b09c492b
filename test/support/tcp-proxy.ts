import * as net from 'node:net';

/**
 * A loopback TCP proxy in front of the real Elasticsearch. `down()` cuts every open connection and resets new ones,
 * which is how the tests take Elasticsearch away without touching the cluster the other suites share; `latency(ms)`
 * holds every chunk Elasticsearch sends back for that long (a slow cluster). The listener itself stays bound: a
 * released ephemeral port can be handed to some other socket before it is re-bound.
 */
export class TcpProxy {
  private server?: net.Server;
  private sockets = new Set<net.Socket>();
  private available = true;
  private delayMs = 0;
  /** Called with the request line of each request a client sends (`POST /_bulk?refresh=false HTTP/1.1`). */
  onRequest?: (requestLine: string) => void;
  /** Called when Elasticsearch starts answering, with the line of the request it answers (before any latency). */
  onResponse?: (requestLine: string) => void;

  constructor(private readonly target: { host: string; port: number }) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as net.AddressInfo).port}`;
  }

  async open(): Promise<void> {
    const server = net.createServer((client) => {
      if (!this.available) return client.resetAndDestroy();
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      let requestLine = '';
      client.on('data', (chunk: Buffer) => {
        const line = /^(GET|POST|PUT|HEAD|DELETE) \S+ HTTP\/1\.1/.exec(chunk.subarray(0, 2048).toString('latin1'));
        if (line) {
          requestLine = line[0];
          this.onRequest?.(requestLine);
        }
      });
      client.pipe(upstream);
      // Timers of equal delay fire in the order they were set, so the byte stream keeps its order.
      upstream.on('data', (chunk: Buffer) => {
        if (/^HTTP\/1\.1 /.test(chunk.subarray(0, 9).toString('latin1'))) this.onResponse?.(requestLine);
        if (this.delayMs === 0) client.write(chunk);
        else setTimeout(() => client.writable && client.write(chunk), this.delayMs);
      });
      upstream.on('end', () => (this.delayMs === 0 ? client.end() : setTimeout(() => client.end(), this.delayMs)));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    this.server = server;
  }

  down(): void {
    this.available = false;
    for (const s of this.sockets) s.resetAndDestroy();
  }

  up(): void {
    this.available = true;
  }

  /** Every answer from now on arrives `ms` later (0: no delay). */
  latency(ms: number): void {
    this.delayMs = ms;
  }

  async close(): Promise<void> {
    this.down();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
