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
}

/** Requests under this prefix go to the feeds' instance once it is set. */
export const FEED_PREFIX = '/feeds/';

export function serviceServer(limits: ServerLimits) {
  let feeds: Handler | undefined;
  let closing = false;
  let sweeper: NodeJS.Timeout | undefined;

  return {
    serverFactory(service: Handler): Server {
      const server = createServer((req, res) => {
        if (feeds !== undefined && req.url !== undefined && req.url.startsWith(FEED_PREFIX)) {
          // Once the service is closing its answers carry `Connection: close`; so do the feeds'.
          if (closing) res.setHeader('connection', 'close');
          feeds(req, res);
        } else service(req, res);
      });
      server.requestTimeout = limits.requestTimeoutMs;
      server.keepAliveTimeout = limits.keepAliveTimeoutMs;

      const sockets = new Map<Socket, { seen: number; quietMs: number }>();
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
    /** The service is shutting down: feed answers tell clients to go. */
    beginClosing(): void {
      closing = true;
    },
  };
}
