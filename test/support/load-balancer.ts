import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A round-robin TCP load balancer on loopback, standing for a Kubernetes Service in front of a
 * role's replicas: each new connection goes to the next backend port, and a backend that refuses
 * the connection (its process is dead, or restarting and not listening yet) is skipped, as a
 * Service skips a pod whose endpoint was removed. A connection stays with the backend it reached
 * for its whole life (keep-alive HTTP, WebSockets) and is cut when that backend goes away, which
 * is what its client sees when a replica crashes.
 */
export class LoadBalancer {
  /** Connections carried; attempts that found a backend refusing (and went on to the next); connections no backend took. */
  readonly stats = { connections: 0, skipped: 0, refused: 0 };
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private next = 0;
  port = 0;

  constructor(private readonly backends: number[]) {
    this.server = net.createServer((client) => this.accept(client));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', resolve);
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    // Nothing reads the client until a backend is connected: its bytes wait in the socket.
    this.track(client);
    client.on('error', () => client.destroy());
    const first = this.next;
    this.next = (this.next + 1) % this.backends.length;
    const attempt = (tried: number) => {
      if (client.destroyed) return;
      if (tried === this.backends.length) {
        this.stats.refused += 1;
        client.destroy();
        return;
      }
      const upstream = net.connect(this.backends[(first + tried) % this.backends.length], '127.0.0.1');
      const refused = () => {
        upstream.destroy();
        this.stats.skipped += 1;
        attempt(tried + 1);
      };
      upstream.once('error', refused);
      upstream.once('connect', () => {
        upstream.off('error', refused);
        if (client.destroyed) return void upstream.destroy();
        this.stats.connections += 1;
        this.track(upstream);
        const cut = () => {
          client.destroy();
          upstream.destroy();
        };
        upstream.on('error', cut).on('close', cut);
        client.on('close', cut);
        client.pipe(upstream);
        upstream.pipe(client);
      });
    };
    attempt(0);
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }
}
