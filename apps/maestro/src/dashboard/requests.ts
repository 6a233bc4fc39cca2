import { MAX_WEIGHT } from '@maestro/weighting';
import { DashboardRequestError, describeValue } from './errors.js';

/** What a member button asks of the group. */
export type MemberAction = 'kill' | 'stop' | 'cont' | 'restart' | 'weight';

/** A request the dashboard understood. */
export type DashboardRoute =
  | { readonly kind: 'page' }
  | { readonly kind: 'icon' }
  | { readonly kind: 'snapshot' }
  | { readonly kind: 'events' }
  | { readonly kind: 'action'; readonly action: MemberAction; readonly member: string };

/** The largest request body read; a weight change is a few bytes. */
export const MAX_BODY_BYTES = 4096;

const ACTIONS: ReadonlySet<string> = new Set<MemberAction>(['kill', 'stop', 'cont', 'restart', 'weight']);
const READ: readonly string[] = ['GET', 'HEAD'];
const STATIC: ReadonlyMap<string, DashboardRoute> = new Map<string, DashboardRoute>([
  ['/', { kind: 'page' }],
  ['/index.html', { kind: 'page' }],
  ['/favicon.ico', { kind: 'icon' }],
  ['/api/snapshot', { kind: 'snapshot' }],
  ['/api/events', { kind: 'events' }],
]);
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

const notAllowed = (method: string, allow: readonly string[]): DashboardRequestError =>
  new DashboardRequestError(
    405,
    'METHOD_NOT_ALLOWED',
    `method ${describeValue(method)} is not allowed here; use ${allow.join(' or ')}`,
    allow,
  );

/**
 * Maps a request line to a route: `GET /`, `GET /api/snapshot`, `GET /api/events` (Server-Sent
 * Events), `POST /api/members/<id>/<kill|stop|cont|restart|weight>`. Throws a
 * {@link DashboardRequestError}: 404 for an unknown path, 405 for a method the path does not take,
 * 400 for a path that is not a path. The query string is ignored; whether the member exists is
 * checked later, against the group.
 */
export function routeRequest(method: string | undefined, url: string | undefined): DashboardRoute {
  const verb = method ?? '';
  const raw = url ?? '';
  const end = raw.search(/[?#]/);
  const path = end < 0 ? raw : raw.slice(0, end);
  if (!path.startsWith('/'))
    throw new DashboardRequestError(400, 'BAD_REQUEST', 'the request path must start with /');
  const fixed = STATIC.get(path);
  if (fixed !== undefined) {
    const allow: readonly string[] = fixed.kind === 'events' ? ['GET'] : READ;
    if (!allow.includes(verb)) throw notAllowed(verb, allow);
    return fixed;
  }
  const m = /^\/api\/members\/([^/]+)\/([^/]+)$/.exec(path);
  if (m === null || !ACTIONS.has(m[2] ?? '')) {
    throw new DashboardRequestError(
      404,
      'NOT_FOUND',
      `no such resource ${describeValue(path)}; try GET /, GET /api/snapshot, GET /api/events or POST /api/members/<id>/<kill|stop|cont|restart|weight>`,
    );
  }
  if (verb !== 'POST') throw notAllowed(verb, ['POST']);
  let member: string;
  try {
    member = decodeURIComponent(m[1] ?? '');
  } catch {
    throw new DashboardRequestError(
      400,
      'BAD_REQUEST',
      `the member in ${describeValue(path)} is badly escaped`,
    );
  }
  return { kind: 'action', action: m[2] as MemberAction, member };
}

/** Throws 404 unless `member` is one of the group's members. */
export function requireMember(members: readonly string[], member: string): string {
  if (!members.includes(member)) {
    throw new DashboardRequestError(
      404,
      'UNKNOWN_MEMBER',
      `no member ${describeValue(member)}; the group has ${members.join(', ') || 'no members'}`,
    );
  }
  return member;
}

/** Reads the new weight from a body like `{"weight": 200}`; 400 unless it is an integer 0..512. */
export function parseWeightBody(body: string): number {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new DashboardRequestError(400, 'BAD_REQUEST', `the body is not JSON: ${describeValue(body)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('weight' in value)) {
    throw new DashboardRequestError(
      400,
      'BAD_REQUEST',
      `the body must be an object like {"weight": 200}, got ${describeValue(value)}`,
    );
  }
  const { weight } = value;
  if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > MAX_WEIGHT) {
    throw new DashboardRequestError(
      400,
      'BAD_REQUEST',
      `weight must be an integer 0..${MAX_WEIGHT}, got ${describeValue(weight)}`,
    );
  }
  return weight;
}

function hostName(authority: string): string {
  const at = authority.lastIndexOf('@');
  const host = authority.slice(at + 1).toLowerCase();
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.indexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}

/**
 * Guards a server that can kill processes against other web sites: the `Host` must name the
 * loopback (a DNS-rebinding page names its own host), and an `Origin`, when a browser sends one,
 * must be a loopback page (a cross-site form or fetch names its own). 403 otherwise.
 */
export function checkLoopbackRequest(host: string | undefined, origin: string | undefined): void {
  if (host === undefined || !LOOPBACK_HOSTS.has(hostName(host))) {
    throw new DashboardRequestError(
      403,
      'FORBIDDEN',
      `the dashboard answers only to 127.0.0.1 or localhost, not to host ${describeValue(host)}`,
    );
  }
  if (origin === undefined) return;
  const m = /^http:\/\/([^/]+)$/.exec(origin);
  if (m === null || !LOOPBACK_HOSTS.has(hostName(m[1] ?? ''))) {
    throw new DashboardRequestError(
      403,
      'FORBIDDEN',
      `requests from ${describeValue(origin)} are refused: only the dashboard's own page may send them`,
    );
  }
}

/** 415 unless a body-carrying request says it is JSON. */
export function checkJsonContentType(contentType: string | undefined): void {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new DashboardRequestError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `send the body as application/json, not ${describeValue(contentType ?? 'no content type')}`,
    );
  }
}
