import * as net from 'node:net';

/**
 * A loopback TCP proxy in front of the real Elasticsearch. `down()` cuts every open connection and resets new ones,
 * which is how the tests take Elasticsearch away without touching the cluster the other suites share. The listener
 * itself stays bound: a released ephemeral port can be handed to some other socket before it is re-bound.
 */
export class TcpProxy {
  private server?: net.Server;
  private sockets = new Set<net.Socket>();
  private available = true;

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
      client.pipe(upstream).pipe(client);
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

  async close(): Promise<void> {
    this.down();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
