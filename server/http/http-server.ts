// The service's HTTP server (Fastify's `serverFactory`): it hands feed requests to the feeds' own Fastify
// instance (feeds/feed-instance.ts) and the rest to the service, and it applies the socket limits itself
// (Fastify applies none to a server it did not create).
// Inactive connections are found by a sweep, not by a timer per socket: Node's socket timeout re-arms a
// timer on every read and write, which costs a feed poll about as much as the rest of it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface ServerLimits {
  /** A connection that neither sends nor is sent anything for this long is closed (a stuck or slow client). */
  inactivityMs: number;
  /** The whole request (headers and body) must arrive within this. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /**
   * Once shutdown begins, idle keep-alive connections stay open this long, so that a request a client
   * sent on one just before it learned of the shutdown is answered (with `Connection: close`), not reset.
   */
  closingGraceMs: number;
}

/** Requests under this prefix go to the feeds' instance once it is set. */
export const FEED_PREFIX = '/feeds/';

/** Answers a request itself (true) or leaves it to the service (false). */
type MaybeHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

export function serviceServer(limits: ServerLimits) {
  let feeds: Handler | undefined;
  let pages: MaybeHandler | undefined;
  let closing = false;
  let sweeper: NodeJS.Timeout | undefined;
  let http: Server | undefined;
  let graceOver = false;
  let reapIdle = (): void => {};
  let openSockets: Map<Socket, unknown> = new Map();

  return {
    serverFactory(service: Handler): Server {
      const server = createServer((req, res) => {
        if (feeds !== undefined && req.url !== undefined && req.url.startsWith(FEED_PREFIX)) {
          // Once the service is closing its answers carry `Connection: close`; so do the feeds'.
          if (closing) res.setHeader('connection', 'close');
          feeds(req, res);
          return;
        }
        // Kept public pages (pages/page-cache.ts) are answered before the service's router and hooks.
        if (pages !== undefined) {
          if (closing) res.setHeader('connection', 'close');
          if (pages(req, res)) return;
          if (closing) res.removeHeader('connection');
        }
        service(req, res);
      });
      http = server;
      // Node's server.close() closes idle keep-alive connections at once (and Fastify's close() may ask for
      // it too): a request a client is sending on one at that moment is reset. Until the grace period after
      // shutdown began has passed, such calls leave them open; beginClosing() closes them after it.
      const closeIdle = server.closeIdleConnections.bind(server);
      server.closeIdleConnections = () => {
        if (!closing || graceOver) closeIdle();
      };
      reapIdle = closeIdle;
      server.requestTimeout = limits.requestTimeoutMs;
      server.keepAliveTimeout = limits.keepAliveTimeoutMs;

      const sockets = new Map<Socket, { seen: number; quietMs: number }>();
      openSockets = sockets;
      server.on('connection', (socket: Socket) => {
        // Quiet time counts from the first sweep after the connection: it is closed after at least
        // `inactivityMs` without a byte either way (at most one sweep interval more).
        sockets.set(socket, { seen: -1, quietMs: 0 });
        socket.once('close', () => sockets.delete(socket));
      });
      const every = Math.max(10, Math.min(limits.inactivityMs / 4, 15_000));
      const sweep = () => {
        for (const [socket, state] of sockets) {
          const seen = socket.bytesRead + socket.bytesWritten;
          state.quietMs = seen === state.seen ? state.quietMs + every : 0;
          state.seen = seen;
          if (state.quietMs >= limits.inactivityMs) socket.destroy();
        }
      };
      server.once('listening', () => {
        sweeper = setInterval(sweep, every);
        sweeper.unref();
      });
      server.once('close', () => clearInterval(sweeper));
      return server;
    },
    useFeeds(handler: Handler): void {
      feeds = handler;
    },
    /** Kept pages: GETs and HEADs the handler answers from memory; it returns false for anything else. */
    usePages(handler: MaybeHandler): void {
      pages = handler;
    },
    /**
     * The service is shutting down (the listener closes next): every answer from now on tells its client
     * to go, and after the grace period connections without a request in progress are closed, until none
     * is left (the server's close() waits for them all).
     */
    beginClosing(): void {
      closing = true;
      const server = http;
      if (server === undefined) return;
      const reap = () => reapIdle();
      const grace = setTimeout(() => {
        graceOver = true;
        reap();
        const again = setInterval(reap, 100);
        again.unref();
        server.once('close', () => clearInterval(again));
      }, limits.closingGraceMs);
      grace.unref();
      server.once('close', () => clearTimeout(grace));
    },
    /** The shutdown deadline: every connection still open is cut off (a slow client). */
    cutOff(): number {
      const server = http;
      if (server === undefined) return 0;
      const open = openSockets.size;
      for (const socket of openSockets.keys()) socket.destroy();
      server.closeAllConnections();
      return open;
    },
  };
}
