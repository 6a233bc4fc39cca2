import { numberAround, refusalOf, unconvertible } from '@maestro/vitest-config/garbage';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AvailabilityOptions,
  availabilityOptions,
  type ClientRequest,
  ConnectControlError,
  decodeLoadReport,
  encodeLoadReport,
  type LoadReport,
  LoadReportError,
  LogicalServer,
  type LogicalServerOptions,
  METHODS,
  ServerHealth,
} from '../src/index.js';
import { build, method, type Step, step } from './arbitraries.js';

/** The code of the ConnectControlError `run` throws, or undefined when it returns; any other throw fails. */
const refusal = refusalOf(ConnectControlError);

/** Valid logical-server options with one field replaced by a value of the right shape but any range. */
const anyOptions: fc.Arbitrary<LogicalServerOptions> = fc
  .tuple(
    method,
    fc.oneof(
      numberAround(0, 65535).map((port) => ({ port })),
      fc.string().map((method) => ({ method })),
      fc
        .array(
          fc.record(
            { id: fc.constantFrom('a', 'b', 'c', ''), domain: fc.string() },
            { requiredKeys: ['id'] },
          ),
          {
            maxLength: 4,
          },
        )
        .map((servers) => ({ servers })),
      fc.string().map((persistency) => ({ persistency })),
      numberAround(1, 1_800_000).map((persistencyTimeout) => ({ persistencyTimeout })),
      numberAround(1, 65_536).map((maxPersistentClients) => ({ maxPersistentClients })),
      numberAround(1, 60_000).map((reportTimeout) => ({ reportTimeout })),
      numberAround(1, 20_000).map((interval) => ({ availability: { interval } })),
      numberAround(1, 1000).map((retries) => ({ availability: { retries } })),
    ),
  )
  .map(
    ([m, change]) =>
      ({
        name: 'web',
        address: '192.0.2.10',
        port: 80,
        method: m,
        servers: [{ id: 'a' }, { id: 'b', domain: 'example.com' }],
        now: () => 0,
        random: () => 0.5,
        ...change,
      }) as LogicalServerOptions,
  );

/** A call that feeds a logical server of servers s0..s3 garbage: each must be refused. */
type Garbage =
  | { readonly kind: 'load'; readonly id: string; readonly load: unknown; readonly sequence: unknown }
  | { readonly kind: 'rtt'; readonly id: string; readonly rtt: unknown }
  | { readonly kind: 'probe'; readonly id: string; readonly ok: unknown }
  | { readonly kind: 'state'; readonly id: string };

const unknownId = fc.string().filter((id) => !/^s[0-3]$/.test(id));
const knownId = fc.constantFrom('s0', 's1', 's2', 's3');
const isSequence = (v: unknown): boolean =>
  v === undefined || (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffff_ffff);
const badLoad = numberAround(0, 10_000).filter((v) => !(Number.isFinite(v) && (v as number) >= 0));

const garbage: fc.Arbitrary<Garbage> = fc.oneof(
  fc.record({
    kind: fc.constant('load' as const),
    id: unknownId,
    load: fc.nat(10_000),
    sequence: fc.constant(undefined),
  }),
  fc.record({
    kind: fc.constant('load' as const),
    id: knownId,
    load: badLoad,
    sequence: fc.constant(undefined),
  }),
  fc.record({
    kind: fc.constant('load' as const),
    id: knownId,
    load: fc.nat(10_000),
    sequence: numberAround(0, 0xffff_ffff).filter((v) => !isSequence(v)),
  }),
  fc.record({ kind: fc.constant('rtt' as const), id: unknownId, rtt: fc.nat(500) }),
  fc.record({ kind: fc.constant('rtt' as const), id: knownId, rtt: badLoad }),
  fc.record({ kind: fc.constant('probe' as const), id: unknownId, ok: fc.boolean() }),
  fc.record({
    kind: fc.constant('probe' as const),
    id: knownId,
    ok: fc.anything().filter((v) => typeof v !== 'boolean'),
  }),
  fc.record({ kind: fc.constant('state' as const), id: unknownId }),
);

function applyGarbage(ls: LogicalServer, g: Garbage): string | undefined {
  switch (g.kind) {
    case 'load':
      return refusal(() => ls.reportLoad(g.id, g.load as number, g.sequence as number | undefined));
    case 'rtt':
      return refusal(() => ls.reportRtt(g.id, g.rtt as number));
    case 'probe':
      return refusal(() => ls.reportProbe(g.id, g.ok as boolean));
    default:
      return refusal(() => ls.state(g.id));
  }
}

describe('bad input', () => {
  it('should accept availability options in range and refuse any others with INVALID_CONFIG', () => {
    fc.assert(
      fc.property(numberAround(1, 20_000), numberAround(1, 1000), (interval, retries) => {
        const ok =
          (interval == null || (Number.isFinite(interval) && (interval as number) > 0)) &&
          (retries == null ||
            (Number.isInteger(retries) && (retries as number) >= 1 && (retries as number) <= 1000));
        const options = { interval: interval as number, retries: retries as number };
        const code = refusal(() => availabilityOptions(options));
        expect(code === undefined).toBe(ok);
        if (code !== undefined) expect(code).toBe('INVALID_CONFIG');
      }),
    );
  });

  it('should refuse a probe whose result is not a boolean or whose time is not finite with INVALID_REPORT and keep the server as it was', () => {
    const badTime = numberAround(0, 1e6).filter((v) => typeof v !== 'number' || !Number.isFinite(v));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.nat(100_000)), { maxLength: 8 }),
        fc.oneof(
          fc.tuple(
            fc.anything().filter((v) => typeof v !== 'boolean'),
            fc.nat(),
          ),
          fc.tuple(fc.boolean(), badTime),
        ),
        (history, [ok, at]) => {
          const options = availabilityOptions({ interval: 1000, retries: 2 });
          const fed = new ServerHealth(options, 0);
          const twin = new ServerHealth(options, 0);
          for (const [good, t] of history) {
            fed.record(good, t);
            twin.record(good, t);
          }
          expect(refusal(() => fed.record(ok as boolean, at as number))).toBe('INVALID_REPORT');
          expect(refusal(() => fed.probeDue(at as number))).toBe(
            typeof at === 'number' && Number.isFinite(at) ? undefined : 'INVALID_REPORT',
          );
          expect([fed.state, fed.consecutiveFailures, fed.nextProbeAt]).toEqual([
            twin.state,
            twin.consecutiveFailures,
            twin.nextProbeAt,
          ]);
        },
      ),
    );
  });

  it('should build server health from options and a time that availabilityOptions accepts, and refuse any others with INVALID_CONFIG', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ interval: numberAround(1, 20_000), retries: numberAround(1, 1000) }),
          fc.anything(),
        ),
        numberAround(0, 1e6),
        (options, now) => {
          const optionsOk = refusal(() => availabilityOptions(options as AvailabilityOptions)) === undefined;
          const nowOk = typeof now === 'number' && Number.isFinite(now);
          const code = refusal(
            () => new ServerHealth(options as Required<AvailabilityOptions>, now as number),
          );
          expect(code).toBe(optionsOk && nowOk ? undefined : 'INVALID_CONFIG');
        },
      ),
    );
  });

  it('should refuse an option whose toString is not a function with a typed error (seed 128123)', () => {
    const odd = { toString: 0 } as unknown as number;
    expect(refusal(() => availabilityOptions({ interval: odd }))).toBe('INVALID_CONFIG');
    expect(refusal(() => build(2, 'random', 0, { port: odd }))).toBe('INVALID_CONFIG');
    expect(refusal(() => build(2, 'random', 0).ls.reportLoad('s0', odd))).toBe('INVALID_REPORT');
  });

  it('should build a logical server from any options or refuse them with INVALID_CONFIG, never throw anything else', () => {
    fc.assert(
      fc.property(anyOptions, (options) => {
        const code = refusal(() => new LogicalServer(options));
        expect(code === undefined).toBe(validOptions(options));
        if (code !== undefined) expect(code).toBe('INVALID_CONFIG');
      }),
    );
  });

  it('should take a maxPersistentClients that is a whole number of at least 1 and refuse any other with INVALID_CONFIG', () => {
    fc.assert(
      fc.property(numberAround(1, 65_536), (maxPersistentClients) => {
        const ok =
          maxPersistentClients == null ||
          (Number.isInteger(maxPersistentClients) && (maxPersistentClients as number) >= 1);
        const code = refusal(() =>
          build(2, 'random', 0, { maxPersistentClients: maxPersistentClients as number }),
        );
        expect(code).toBe(ok ? undefined : 'INVALID_CONFIG');
      }),
    );
  });

  it('should refuse options and requests of the wrong type with INVALID_CONFIG and INVALID_REQUEST and keep picking as before', () => {
    const odd = fc.oneof(unconvertible, fc.constant({ toString: null }), fc.constant(null), fc.integer());
    const base = (): LogicalServerOptions => ({
      name: 'web',
      address: '192.0.2.10',
      port: 80,
      method: 'domain',
      servers: [{ id: 'a', domain: 'a.example' }, { id: 'b' }],
      now: () => 0,
      random: () => 0.5,
    });
    fc.assert(
      fc.property(
        fc.constantFrom('options', 'name', 'servers', 'server', 'server id', 'domain', 'now', 'random'),
        odd,
        fc.constantFrom('request', 'client', 'service', 'request domain'),
        (where, v, inRequest) => {
          const o = base() as unknown as Record<string, unknown>;
          const servers = [{ id: 'a', domain: 'a.example' } as Record<string, unknown>, { id: 'b' }];
          if (where === 'server') servers[1] = v as Record<string, unknown>;
          else if (where === 'server id') (servers[1] as Record<string, unknown>)['id'] = v;
          else if (where === 'domain') (servers[0] as Record<string, unknown>)['domain'] = v;
          if (where === 'server' || where === 'server id' || where === 'domain') o['servers'] = servers;
          else if (where !== 'options') o[where] = v;
          const options = (where === 'options' ? v : o) as LogicalServerOptions;
          expect(refusal(() => new LogicalServer(options))).toBe('INVALID_CONFIG');
          const fed = new LogicalServer(base());
          const twin = new LogicalServer(base());
          const good = { client: '198.51.100.7', service: 443, domain: 'b.example' };
          const bad =
            inRequest === 'request'
              ? v
              : {
                  ...good,
                  [inRequest === 'request domain' ? 'domain' : inRequest]:
                    inRequest === 'service' && typeof v === 'number' ? v + 70000 : v,
                };
          expect(refusal(() => fed.pick(bad as ClientRequest))).toBe('INVALID_REQUEST');
          expect(fed.pick(good)).toBe(twin.pick(good));
        },
      ),
    );
  });

  it('should encode any report of the right shape or refuse it with a LoadReportError, and decode what it encodes', () => {
    const anyReport = fc.record({
      serverId: fc.oneof(fc.string({ maxLength: 70 }), fc.anything()),
      load: numberAround(0, 10_000),
      sequence: numberAround(0, 0xffff_ffff),
    });
    fc.assert(
      fc.property(anyReport, (report) => {
        let bytes: Uint8Array;
        try {
          bytes = encodeLoadReport(report as unknown as LoadReport);
        } catch (error) {
          expect(error).toBeInstanceOf(LoadReportError);
          return;
        }
        // -0 goes on the wire as 0.
        const { serverId, load, sequence } = report as LoadReport;
        expect(decodeLoadReport(bytes)).toEqual({ serverId, load: load + 0, sequence: sequence + 0 });
      }),
    );
  });

  it('should refuse every garbage report, probe and lookup with a typed error and behave as if it never came', () => {
    const scenario = fc.array(
      fc.oneof(
        step(4).map((s) => ({ s })),
        garbage.map((g) => ({ g })),
      ),
      {
        maxLength: 60,
      },
    );
    fc.assert(
      fc.property(fc.nat(), scenario, (seed, steps) => {
        for (const m of METHODS) {
          const fed = build(4, m, seed, { persistency: 'service' });
          const twin = build(4, m, seed, { persistency: 'service' });
          for (const item of steps) {
            if ('g' in item) {
              expect(applyGarbage(fed.ls, item.g)).toMatch(/^(UNKNOWN_SERVER|INVALID_REPORT)$/);
              continue;
            }
            const results = [fed, twin].map(({ ls, clock, ids }) => run(ls, clock, ids, item.s));
            expect(results[0]).toEqual(results[1]);
          }
          expect(fed.ids.map((id) => fed.ls.state(id))).toEqual(twin.ids.map((id) => twin.ls.state(id)));
        }
      }),
    );
  });
});

/** What the documentation allows, written out independently of the constructor. */
function validOptions(o: LogicalServerOptions): boolean {
  const positive = (v: unknown): boolean => v == null || (Number.isFinite(v) && (v as number) > 0);
  const ids = o.servers.map((s) => s.id);
  const a = o.availability ?? {};
  return (
    Number.isInteger(o.port) &&
    o.port >= 0 &&
    o.port <= 65535 &&
    METHODS.includes(o.method) &&
    ids.length > 0 &&
    new Set(ids).size === ids.length &&
    (o.persistency == null || ['none', 'service', 'server'].includes(o.persistency)) &&
    positive(o.persistencyTimeout) &&
    (o.maxPersistentClients == null ||
      (Number.isInteger(o.maxPersistentClients) && o.maxPersistentClients >= 1)) &&
    positive(o.reportTimeout) &&
    positive(a.interval) &&
    (a.retries == null || (Number.isInteger(a.retries) && a.retries >= 1 && a.retries <= 1000))
  );
}

function run(
  ls: LogicalServer,
  clock: { advance(ms: number): void },
  ids: readonly string[],
  s: Step,
): string | boolean | undefined {
  switch (s.kind) {
    case 'probe':
      return ls.reportProbe(ids[s.server] as string, s.ok);
    case 'load':
      return ls.reportLoad(ids[s.server] as string, s.load, s.load);
    case 'rtt':
      ls.reportRtt(ids[s.server] as string, s.rtt);
      return undefined;
    case 'wait':
      clock.advance(s.ms);
      return undefined;
    default:
      return ls.pick({ client: s.client, service: s.service, domain: s.domain });
  }
}
