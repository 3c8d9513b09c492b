import * as net from 'node:net';

/**
 * A loopback TCP proxy in front of the real Elasticsearch. Closing it is how the tests take Elasticsearch "down"
 * (connection refused, open sockets cut) without touching the cluster the other suites use.
 */
export class TcpProxy {
  private server?: net.Server;
  private sockets = new Set<net.Socket>();

  constructor(
    private readonly target: { host: string; port: number },
    public port = 0,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async open(): Promise<void> {
    const server = net.createServer((client) => {
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
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}
