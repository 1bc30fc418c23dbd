/**
 * Explicit WebSocket upgrade routing on the one HTTP server: each path prefix is
 * claimed by one endpoint (`/socket.io/`, `/yjs/`); anything else is refused.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export class UpgradeRouter {
  private readonly routes: { prefix: string; handle: UpgradeHandler }[] = [];
  private readonly sockets = new Set<Duplex>();

  constructor(server: Server) {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      const url = req.url ?? '';
      const route = this.routes.find((r) => url.startsWith(r.prefix));
      if (!route) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      route.handle(req, socket, head);
    });
  }

  /** Claims a path prefix. socket.io attaches its own listener, so it is registered as a pass-through. */
  add(prefix: string, handle: UpgradeHandler): void {
    this.routes.push({ prefix, handle });
  }

  /** Ends every upgraded connection (shutdown). */
  closeAll(): void {
    for (const s of this.sockets) s.destroy();
  }
}
