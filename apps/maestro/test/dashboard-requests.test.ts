import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkLoopbackRequest,
  DashboardRequestError,
  parseWeightBody,
  requireMember,
  routeRequest,
} from '../src/dashboard/index.js';

const ACTIONS = ['kill', 'stop', 'cont', 'restart', 'weight'] as const;
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'CONNECT'];

/** Runs `f` and returns the DashboardRequestError it threw, failing on anything else. */
function refusal(f: () => unknown): DashboardRequestError {
  try {
    f();
  } catch (e) {
    if (e instanceof DashboardRequestError) return e;
    throw e;
  }
  throw new Error('expected a DashboardRequestError, got none');
}

describe('routeRequest', () => {
  it('should route every documented endpoint', () => {
    expect(routeRequest('GET', '/')).toEqual({ kind: 'page' });
    expect(routeRequest('GET', '/api/snapshot?x=1')).toEqual({ kind: 'snapshot' });
    expect(routeRequest('GET', '/api/events')).toEqual({ kind: 'events' });
    for (const action of ACTIONS)
      expect(routeRequest('POST', `/api/members/sgm2/${action}`)).toEqual({
        kind: 'action',
        action,
        member: 'sgm2',
      });
  });

  it('should give back any member id the page escaped', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.constantFrom(...ACTIONS), (id, action) => {
        const route = routeRequest('POST', `/api/members/${encodeURIComponent(id)}/${action}`);
        expect(route).toEqual({ kind: 'action', action, member: id });
      }),
    );
  });

  it('should refuse a method the path does not take with 405 naming the allowed ones', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('/', '/api/snapshot', '/api/events', '/api/members/sgm1/kill'),
        fc.constantFrom(...METHODS),
        (path, method) => {
          const allowed = path.startsWith('/api/members')
            ? ['POST']
            : path === '/api/events'
              ? ['GET']
              : ['GET', 'HEAD'];
          fc.pre(!allowed.includes(method));
          const e = refusal(() => routeRequest(method, path));
          expect(e.status).toBe(405);
          expect(e.allow).toEqual(allowed);
        },
      ),
    );
  });

  it('should answer any method and url with a route or a 4xx DashboardRequestError', () => {
    const url = fc.oneof(
      fc.string(),
      fc.string().map((s) => `/${s}`),
      fc.tuple(fc.string(), fc.string()).map(([a, b]) => `/api/members/${a}/${b}`),
      fc.string().map((s) => `/api/members/${s}/kill`),
    );
    fc.assert(
      fc.property(
        fc.option(fc.oneof(fc.constantFrom(...METHODS), fc.string())),
        fc.option(url),
        (method, raw) => {
          try {
            const route = routeRequest(method ?? undefined, raw ?? undefined);
            expect(['page', 'icon', 'snapshot', 'events', 'action']).toContain(route.kind);
          } catch (e) {
            expect(e).toBeInstanceOf(DashboardRequestError);
            const status = e instanceof DashboardRequestError ? e.status : 0;
            expect(status >= 400 && status < 500).toBe(true);
          }
        },
      ),
    );
  });
});

describe('parseWeightBody', () => {
  it('should accept every integer weight 0..512', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 512 }), (w) => {
        expect(parseWeightBody(JSON.stringify({ weight: w }))).toBe(w);
      }),
    );
  });

  it('should refuse any weight that is not an integer 0..512 with a 400 naming the range', () => {
    const bad = fc.oneof(
      fc.integer().filter((w) => w < 0 || w > 512),
      fc.double().filter((w) => !Number.isInteger(w)),
      fc.string(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.nat()),
    );
    fc.assert(
      fc.property(bad, (w) => {
        const e = refusal(() => parseWeightBody(JSON.stringify({ weight: w })));
        expect(e.status).toBe(400);
        expect(e.message).toContain('0..512');
      }),
    );
  });

  it('should refuse any body that is not {"weight": <integer>} with a 400', () => {
    const body = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.string().map((s) => `{"weight": ${s}`),
    );
    fc.assert(
      fc.property(body, (text) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        const w =
          typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && 'weight' in parsed
            ? parsed.weight
            : undefined;
        fc.pre(!(typeof w === 'number' && Number.isInteger(w) && w >= 0 && w <= 512));
        expect(refusal(() => parseWeightBody(text)).status).toBe(400);
      }),
    );
  });
});

describe('requireMember', () => {
  it('should refuse a member the group does not have with a 404 listing those it has', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string(), { maxLength: 6 }), fc.string(), (members, id) => {
        if (members.includes(id)) expect(requireMember(members, id)).toBe(id);
        else {
          const e = refusal(() => requireMember(members, id));
          expect([e.status, e.code]).toEqual([404, 'UNKNOWN_MEMBER']);
          for (const m of members) expect(e.message).toContain(m);
        }
      }),
    );
  });
});

describe('checkLoopbackRequest', () => {
  const port = fc.option(fc.integer({ min: 1, max: 65_535 }), { nil: undefined });
  const loopback = fc
    .tuple(fc.constantFrom('127.0.0.1', 'localhost', 'LOCALHOST', '[::1]'), port)
    .map(([h, p]) => (p === undefined ? h : `${h}:${p}`));

  it('should let the loopback in, with or without an Origin of its own', () => {
    fc.assert(
      fc.property(loopback, fc.option(loopback, { nil: undefined }), (host, origin) => {
        expect(() =>
          checkLoopbackRequest(host, origin === undefined ? undefined : `http://${origin}`),
        ).not.toThrow();
      }),
    );
  });

  it('should refuse any other Host or Origin with a 403', () => {
    const other = fc.domain().filter((d) => d !== 'localhost');
    fc.assert(
      fc.property(loopback, other, port, fc.boolean(), (host, domain, p, asOrigin) => {
        const foreign = p === undefined ? domain : `${domain}:${p}`;
        const e = asOrigin
          ? refusal(() => checkLoopbackRequest(host, `http://${foreign}`))
          : refusal(() => checkLoopbackRequest(foreign, undefined));
        expect(e.status).toBe(403);
      }),
    );
    expect(refusal(() => checkLoopbackRequest(undefined, undefined)).status).toBe(403);
    expect(refusal(() => checkLoopbackRequest('127.0.0.1', 'null')).status).toBe(403);
  });
});
