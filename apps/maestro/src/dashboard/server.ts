import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClusterEvent, ClusterHandle } from '../cluster/cluster-handle.js';
import { DashboardError, DashboardRequestError } from './errors.js';
import { EventStreams, sseMessage } from './event-stream.js';
import { renderPage } from './page.js';
import { computeRates, type DashboardFrame } from './rates.js';
import {
  checkJsonContentType,
  checkLoopbackRequest,
  type DashboardRoute,
  MAX_BODY_BYTES,
  parseWeightBody,
  requireMember,
  routeRequest,
} from './requests.js';

/** Where the dashboard listens. */
export interface DashboardOptions {
  /** TCP port; `0` picks a free one. @default 0 */
  readonly port?: number;
  /** Only the loopback: the dashboard can kill processes. @default '127.0.0.1' */
  readonly host?: '127.0.0.1';
}

/** A running dashboard. */
export interface Dashboard {
  /** `http://127.0.0.1:<port>/`. */
  readonly url: string;
  /** Ends the live streams and stops listening; the group keeps running. */
  close(): Promise<void>;
}

/** How often a snapshot is taken, turned into rates and pushed to the pages. */
const TICK_MS = 500;
/** Frames a newly connected page receives: two minutes of chart. */
const HISTORY_FRAMES = 240;
const HISTORY_EVENTS = 200;

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
} as const;

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: DashboardRequestError): void {
  const headers: Record<string, string> = error.allow === undefined ? {} : { allow: error.allow.join(', ') };
  // A refused request may have left a body unread: do not keep the connection for the next one.
  if (error.status === 413) headers['connection'] = 'close';
  sendJson(res, error.status, { error: { code: error.code, message: error.message } }, headers);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const tooLarge = (): DashboardRequestError =>
      new DashboardRequestError(
        413,
        'PAYLOAD_TOO_LARGE',
        `the body may hold at most ${MAX_BODY_BYTES} bytes`,
      );
    if (declared > MAX_BODY_BYTES) {
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.pause();
        reject(tooLarge());
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const validatePort = (port: unknown): number => {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65_535)
    throw new DashboardError(
      'INVALID_OPTIONS',
      `the dashboard port must be an integer 0..65535, got ${String(port)}`,
    );
  return port;
};

/**
 * Serves the live dashboard of a running group on the loopback: the page at `/`, the group as
 * JSON at `GET /api/snapshot`, a Server-Sent Events stream at `GET /api/events` (a frame of
 * snapshot and rates every 500 ms, each {@link ClusterEvent} as it happens), and the member
 * buttons at `POST /api/members/<id>/<kill|stop|cont|restart|weight>`. Throws a
 * {@link DashboardError} for bad options; rejects when the port is taken.
 *
 * @example
 * const dashboard = await startDashboard(handle);
 * console.log(`dashboard: ${dashboard.url}`);
 * // … later
 * await dashboard.close();
 */
export async function startDashboard(
  handle: ClusterHandle,
  options: DashboardOptions = {},
): Promise<Dashboard> {
  const port = validatePort(options.port ?? 0);
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1')
    throw new DashboardError(
      'INVALID_OPTIONS',
      `the dashboard listens on 127.0.0.1 only, not ${String(host)}`,
    );
  const page = renderPage();
  const streams = new EventStreams();
  const frames: DashboardFrame[] = [];
  const events: ClusterEvent[] = [];

  const tick = (): void => {
    try {
      const snapshot = handle.snapshot();
      const frame: DashboardFrame = { snapshot, rates: computeRates(frames.at(-1)?.snapshot, snapshot) };
      frames.push(frame);
      if (frames.length > HISTORY_FRAMES) frames.shift();
      streams.broadcast(sseMessage('frame', frame));
    } catch (e) {
      streams.broadcast(sseMessage('fault', { message: `taking a snapshot failed: ${messageOf(e)}` }));
    }
  };
  const unsubscribe = handle.onEvent((event) => {
    events.push(event);
    if (events.length > HISTORY_EVENTS) events.shift();
    streams.broadcast(sseMessage('cluster', event));
  });
  tick();
  const timer = setInterval(tick, TICK_MS);

  const act = async (
    route: Extract<DashboardRoute, { kind: 'action' }>,
    req: IncomingMessage,
  ): Promise<void> => {
    const member = requireMember(
      handle.snapshot().members.map((m) => m.id),
      route.member,
    );
    let weight = 0;
    if (route.action === 'weight') {
      checkJsonContentType(req.headers['content-type']);
      weight = parseWeightBody(await readBody(req));
    } else {
      // Drain whatever came along (the page sends `{}`), within the same bound.
      await readBody(req);
    }
    try {
      if (route.action === 'kill') await handle.kill(member);
      else if (route.action === 'stop') await handle.stop(member);
      else if (route.action === 'cont') await handle.cont(member);
      else if (route.action === 'restart') await handle.restart(member);
      else await handle.setWeight(member, weight);
    } catch (e) {
      throw new DashboardRequestError(
        409,
        'CONFLICT',
        `${route.action} ${member} was refused: ${messageOf(e)}`,
      );
    }
  };

  const respond = async (route: DashboardRoute, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    switch (route.kind) {
      case 'page':
        res.writeHead(200, {
          ...SECURITY_HEADERS,
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': page.contentSecurityPolicy,
          'x-frame-options': 'DENY',
        });
        res.end(page.html);
        return;
      case 'icon':
        res.writeHead(204, SECURITY_HEADERS);
        res.end();
        return;
      case 'snapshot':
        sendJson(res, 200, { snapshot: handle.snapshot(), rates: frames.at(-1)?.rates ?? null, events });
        return;
      case 'events':
        streams.open(res, sseMessage('hello', { frames, events }));
        return;
      case 'action':
        await act(route, req);
        sendJson(res, 200, { ok: true, member: route.member, action: route.action });
        return;
    }
  };

  const server = createServer((req, res) => {
    let route: DashboardRoute;
    try {
      checkLoopbackRequest(req.headers.host, req.headers.origin);
      route = routeRequest(req.method, req.url);
    } catch (e) {
      failed(res, e);
      return;
    }
    respond(route, req, res).catch((e: unknown) => failed(res, e));
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}/`,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(timer);
        unsubscribe();
        streams.closeAll();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function failed(res: ServerResponse, e: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (e instanceof DashboardRequestError) sendError(res, e);
  else sendJson(res, 500, { error: { code: 'INTERNAL', message: messageOf(e) } });
}
