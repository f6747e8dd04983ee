/**
 * A TCP proxy on 127.0.0.1 (node:net) that can stall: while stalled, bytes in
 * both directions are held (connections stay open, nothing is lost) and
 * delivered in order when it heals. Workers reach PostgreSQL through it.
 */
import net from 'node:net';

/** A stallable proxy to `target`. */
export class StallProxy {
  private server: net.Server | undefined;
  private stalled = false;
  private readonly flushers = new Set<() => void>();
  private readonly sockets = new Set<net.Socket>();
  /** The local port, after `listen()`. */
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  /** Starts listening on a free port. */
  async listen(): Promise<number> {
    this.server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** Holds all traffic from now on. */
  stall(): void {
    this.stalled = true;
  }

  /** Delivers what was held and lets traffic through again. */
  heal(): void {
    this.stalled = false;
    for (const flush of this.flushers) flush();
  }

  /** Closes the listener and every proxied connection. */
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect(this.target.port, this.target.host);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const held: Array<[net.Socket, Buffer]> = [];
    const flush = () => {
      for (const [to, chunk] of held.splice(0)) if (!to.destroyed) to.write(chunk);
    };
    this.flushers.add(flush);
    const forward = (to: net.Socket) => (chunk: Buffer) => {
      if (this.stalled) held.push([to, chunk]);
      else {
        flush();
        to.write(chunk);
      }
    };
    client.on('data', forward(upstream));
    upstream.on('data', forward(client));
    const end = () => {
      this.flushers.delete(flush);
      this.sockets.delete(client);
      this.sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  }
}
