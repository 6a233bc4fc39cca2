import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClusterEvent, ClusterSnapshot } from '../src/cluster/cluster-handle.js';
import { type Dashboard, DashboardError, startDashboard } from '../src/dashboard/index.js';
import { act, readEvents, send } from './dashboard-http.js';
import { FakeCluster } from './fake-cluster.js';

interface SnapshotAnswer {
  readonly snapshot: ClusterSnapshot;
}
interface ErrorAnswer {
  readonly error: { readonly code: string; readonly message: string };
}

const stateOf = async (url: string, member: string): Promise<string | undefined> => {
  const r = await send(url, 'GET', '/api/snapshot');
  return (JSON.parse(r.body) as SnapshotAnswer).snapshot.members.find((m) => m.id === member)?.state;
};

describe('startDashboard', () => {
  let cluster: FakeCluster;
  let dashboard: Dashboard;

  beforeEach(async () => {
    cluster = new FakeCluster({ members: 4, tickMs: 20, detectMs: 50 });
    dashboard = await startDashboard(cluster);
  });
  afterEach(async () => {
    await dashboard.close();
    await cluster.close();
  });

  it('should listen on the loopback only, on a free port', () => {
    expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*\/$/);
  });

  it('should answer GET /api/snapshot with the group as JSON', async () => {
    const r = await send(dashboard.url, 'GET', '/api/snapshot');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(r.body) as SnapshotAnswer;
    expect(body.snapshot.members.map((m) => m.id)).toEqual(cluster.snapshot().members.map((m) => m.id));
  });

  it('should serve one page that loads nothing from elsewhere, under a CSP', async () => {
    const r = await send(dashboard.url, 'GET', '/');
    expect(r.status).toBe(200);
    expect(r.body).not.toMatch(/<(script|link)[^>]+(src|href)="(?!data:)/);
    expect(r.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(r.body).toContain('uPlot');
  });

  it('should call the handle for every member button and answer 200', async () => {
    const answers = [
      await act(dashboard.url, 'sgm1', 'stop'),
      await act(dashboard.url, 'sgm1', 'cont'),
      await act(dashboard.url, 'sgm2', 'kill'),
      await act(dashboard.url, 'sgm2', 'restart'),
      await act(dashboard.url, 'sgm3', 'weight', { weight: 7 }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(cluster.calls).toEqual(['stop sgm1', 'cont sgm1', 'kill sgm2', 'restart sgm2', 'weight sgm3 7']);
    expect(cluster.snapshot().members.find((m) => m.id === 'sgm3')?.weight).toBe(7);
  });

  it('should show a kill in the snapshot', async () => {
    expect(await stateOf(dashboard.url, 'sgm2')).toBe('ACTIVE');
    await act(dashboard.url, 'sgm2', 'kill');
    expect(await stateOf(dashboard.url, 'sgm2')).toBe('KILLED');
  });

  it('should refuse an unknown member with a 404 naming the members', async () => {
    const r = await act(dashboard.url, 'sgm9', 'kill');
    expect(r.status).toBe(404);
    const body = JSON.parse(r.body) as ErrorAnswer;
    expect(body.error.code).toBe('UNKNOWN_MEMBER');
    expect(body.error.message).toContain('sgm1, sgm2, sgm3, sgm4');
    expect(cluster.calls).toEqual([]);
  });

  it('should refuse a bad weight with a 400 and leave the weight alone', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.integer({ min: 513 }),
          fc.integer({ max: -1 }),
          fc.double({ min: 0.1, max: 0.9 }),
          fc.string(),
        ),
        async (weight) => {
          const r = await act(dashboard.url, 'sgm1', 'weight', { weight });
          expect(r.status).toBe(400);
          expect((JSON.parse(r.body) as ErrorAnswer).error.message).toContain('0..512');
        },
      ),
      { numRuns: 25 },
    );
    expect(cluster.calls).toEqual([]);
  });

  it('should refuse a weight not sent as JSON with a 415', async () => {
    const r = await send(dashboard.url, 'POST', '/api/members/sgm1/weight', {
      headers: { 'content-type': 'text/plain' },
      body: '{"weight":1}',
    });
    expect(r.status).toBe(415);
    expect(cluster.calls).toEqual([]);
  });

  it('should refuse a body over the limit with a 413', async () => {
    const r = await act(dashboard.url, 'sgm1', 'weight', { weight: 1, pad: 'x'.repeat(10_000) });
    expect(r.status).toBe(413);
    expect(cluster.calls).toEqual([]);
  });

  it('should refuse a wrong method with a 405 and an Allow header', async () => {
    const get = await send(dashboard.url, 'GET', '/api/members/sgm1/kill');
    expect([get.status, get.headers['allow']]).toEqual([405, 'POST']);
    const post = await send(dashboard.url, 'POST', '/api/snapshot');
    expect([post.status, post.headers['allow']]).toEqual([405, 'GET, HEAD']);
    expect((JSON.parse(post.body) as ErrorAnswer).error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('should refuse another site (Host or Origin) with a 403 and kill nothing', async () => {
    const rebinding = await send(dashboard.url, 'POST', '/api/members/sgm1/kill', {
      headers: { host: 'attacker.example:80' },
    });
    const crossSite = await send(dashboard.url, 'POST', '/api/members/sgm1/kill', {
      headers: { origin: 'https://attacker.example' },
    });
    expect([rebinding.status, crossSite.status]).toEqual([403, 403]);
    expect(cluster.calls).toEqual([]);
  });

  it('should pass on a refused action as a 409 with the group message', async () => {
    await act(dashboard.url, 'sgm1', 'kill');
    const again = await act(dashboard.url, 'sgm1', 'kill');
    expect(again.status).toBe(409);
    expect((JSON.parse(again.body) as ErrorAnswer).error.message).toContain('sgm1 is not running');
  });

  it('should stream frames and the events as they happen', async () => {
    let killed = false;
    const seen = await readEvents(dashboard.url, (event, data) => {
      if (event === 'hello' && !killed) {
        killed = true;
        void act(dashboard.url, 'sgm3', 'kill');
      }
      return event === 'cluster' && (data as ClusterEvent).kind === 'detected';
    });
    const kinds = seen.map((s) => s.event);
    expect(kinds[0]).toBe('hello');
    expect((seen[0]?.data as { frames?: unknown[] } | undefined)?.frames?.length ?? 0).toBeGreaterThan(0);
    const events = seen.filter((s) => s.event === 'cluster').map((s) => (s.data as ClusterEvent).kind);
    expect(events).toEqual(['kill', 'detected']);
    expect(seen.find((s) => s.event === 'cluster')?.data).toMatchObject({ member: 'sgm3' });
  });

  it('should answer any request with JSON and a 2xx or 4xx, never a 5xx', async () => {
    const segment = fc.string({ maxLength: 12 }).map(encodeURIComponent);
    const path = fc.oneof(
      fc.constantFrom('/', '/api/snapshot', '/favicon.ico'),
      segment.map((s) => `/${s}`),
      fc.tuple(fc.constantFrom('sgm1', 'sgm2', 'sgm5'), segment).map(([m, a]) => `/api/members/${m}/${a}`),
      fc
        .tuple(segment, fc.constantFrom('kill', 'stop', 'cont', 'restart', 'weight'))
        .map(([m, a]) => `/api/members/${m}/${a}`),
    );
    const body = fc.oneof(
      fc.string({ maxLength: 64 }),
      fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'),
        path,
        body,
        fc.constantFrom('application/json', 'text/plain'),
        async (method, p, text, type) => {
          const r = await send(dashboard.url, method, p, {
            headers: { 'content-type': type },
            ...(method === 'GET' || method === 'HEAD' ? {} : { body: text }),
          });
          expect(r.status >= 200 && r.status < 500).toBe(true);
          if (r.status >= 400 && method !== 'HEAD') {
            const answer = JSON.parse(r.body) as ErrorAnswer;
            expect(answer.error.message.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('startDashboard options', () => {
  it('should refuse a port that is not one, with a DashboardError', async () => {
    const cluster = new FakeCluster({ tickMs: 0 });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.integer({ max: -1 }),
          fc.integer({ min: 65_536 }),
          fc.double().filter((p) => !Number.isInteger(p)),
        ),
        async (port) => {
          await expect(startDashboard(cluster, { port })).rejects.toBeInstanceOf(DashboardError);
        },
      ),
      { numRuns: 30 },
    );
    await cluster.close();
  });

  it('should stop listening and unsubscribe when closed', async () => {
    const cluster = new FakeCluster({ tickMs: 0 });
    const dashboard = await startDashboard(cluster);
    expect(cluster.listeners).toBe(1);
    await dashboard.close();
    expect(cluster.listeners).toBe(0);
    await expect(send(dashboard.url, 'GET', '/api/snapshot')).rejects.toThrow();
    await cluster.close();
  });
});
