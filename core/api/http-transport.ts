import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import type { ApiReply } from '../contract/api';
import type { CallErrorCode } from '../contract/errors';
import type { EventHub } from '../events/event-hub';
import type { ApiRouter } from './api-router';

export interface HttpTransportOptions {
  router: ApiRouter;
  hub: EventHub;
  /** Random per run unless given (tests). */
  token?: string;
  port?: number;
  /** The built renderer, served at / for the browser mode. */
  staticDir?: string;
}

export interface HttpTransport {
  server: Server;
  url: string;
  token: string;
  /** The URL to open in a browser: sets the session cookie, then shows the app. */
  loginUrl: string;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
};

/**
 * The browser-mode transport: the same router over HTTP (POST /api/call/<name>) and server-sent
 * events (GET /api/events), on 127.0.0.1 only. Every request needs the per-run token (bearer
 * header, or the SameSite=Strict cookie set by /login?token=…), and a Host header naming this
 * server, which keeps other web pages (CSRF, DNS rebinding) out.
 */
export async function startHttpTransport(opts: HttpTransportOptions): Promise<HttpTransport> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const sockets = new Set<import('node:net').Socket>();
  let port = 0;

  const authorized = (req: IncomingMessage): boolean => {
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return false;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const cookie = /(?:^|;\s*)walkstream_token=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const given = bearer ?? cookie;
    return given !== undefined && safeEqual(given, token);
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    securityHeaders(res);
    try {
      if (url.pathname === '/login') {
        if (!safeEqual(url.searchParams.get('token') ?? '', token)) {
          return sendError(
            res,
            401,
            'UNAUTHORIZED',
            'This login link is not for this run: use the one `npm run web` printed last.',
          );
        }
        res.setHeader('Set-Cookie', `walkstream_token=${token}; HttpOnly; SameSite=Strict; Path=/`);
        res.writeHead(302, { Location: '/' }).end();
        return;
      }
      if (!authorized(req)) {
        return sendError(
          res,
          401,
          'UNAUTHORIZED',
          'Open the link printed by `npm run web` (it carries the session token).',
        );
      }
      if (req.method === 'POST' && url.pathname.startsWith('/api/call/')) {
        const name = decodeURIComponent(url.pathname.slice('/api/call/'.length));
        const body = await readBody(req);
        if (body === null) {
          // The client may still be sending: answer now, and close rather than read on.
          res.setHeader('Connection', 'close');
          return sendError(
            res,
            413,
            'PAYLOAD_TOO_LARGE',
            `The request body is over ${MAX_BODY / 1024} KiB; no API call takes that much.`,
          );
        }
        let input: unknown;
        try {
          input = body.length === 0 ? undefined : JSON.parse(body);
        } catch {
          return sendError(res, 400, 'INVALID_INPUT', 'The request body is not JSON.');
        }
        return send(res, 200, await opts.router.call(name, input));
      }
      if (req.method === 'GET' && url.pathname === '/api/events') {
        res.writeHead(200, {
          'Content-Type': 'text/event-stream',
          'Cache-Control': 'no-store',
          Connection: 'keep-alive',
        });
        res.write(': connected\n\n');
        const off = opts.hub.subscribeAll((topic, data) => {
          res.write(`event: ${topic}\ndata: ${JSON.stringify(data)}\n\n`);
        });
        const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
        // The response's close: the browser went away (tab closed, reconnecting) or the server stops.
        res.on('close', () => {
          off();
          clearInterval(keepAlive);
        });
        return;
      }
      if (req.method === 'GET' && opts.staticDir) return await serveStatic(opts.staticDir, url.pathname, res);
      notFound(res, url.pathname);
    } catch (err) {
      sendError(res, 500, 'INTERNAL', String((err as Error).message));
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    server,
    url,
    token,
    loginUrl: `${url}/login?token=${token}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function securityHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
  );
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Every refusal in the envelope the router's replies use, so a client reads them all one way. */
function sendError(res: ServerResponse, status: number, code: CallErrorCode, message: string): void {
  const reply: ApiReply<never> = { ok: false, error: { code, message, retriable: false } };
  send(res, status, reply);
}

function notFound(res: ServerResponse, pathname: string): void {
  sendError(res, 404, 'NOT_FOUND', `There is nothing at ${pathname}.`);
}

/**
 * The body as text, or null as soon as it is over MAX_BODY: the rest is read and dropped, so the
 * client, still sending, is not cut off before it reads the answer.
 */
function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) {
      req.resume();
      return resolve(null);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) return void chunks.push(c);
      chunks.length = 0;
      resolve(null); // once: a settled promise ignores the calls for later chunks, and 'end'
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function serveStatic(root: string, pathname: string, res: ServerResponse): Promise<void> {
  const rel = normalize(pathname === '/' ? '/index.html' : pathname).replace(/^(\.\.[/\\])+/, '');
  const file = join(root, rel);
  if (!file.startsWith(root)) return notFound(res, pathname);
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    notFound(res, pathname);
  }
}
