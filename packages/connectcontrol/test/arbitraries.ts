import fc from 'fast-check';
import { expect } from 'vitest';
import { LogicalServer, type LogicalServerOptions, type Method } from '../src/index.js';

/** A seeded PRNG (mulberry32) returning numbers in [0, 1): the injected random source. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A manual clock. */
export interface ManualClock {
  now(): number;
  advance(ms: number): void;
}

/** A clock that moves only when told. */
export function manualClock(start = 0): ManualClock {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

/** Any method. */
export const method: fc.Arbitrary<Method> = fc.constantFrom(
  'server-load',
  'round-trip',
  'round-robin',
  'random',
  'domain',
);

/** A client address. */
export const client: fc.Arbitrary<string> = fc.constantFrom(
  '198.51.100.1',
  '198.51.100.2',
  '203.0.113.9',
  '2001:db8::5',
);

/** A domain name over a small label set. */
export const domain: fc.Arbitrary<string> = fc
  .array(fc.constantFrom('eu', 'us', 'example', 'com', 'net', 'a', 'b'), { minLength: 1, maxLength: 4 })
  .map((labels) => labels.join('.'));

/** Builds a logical server of `n` real servers with a manual clock and a seeded random source. */
export function build(
  n: number,
  m: Method,
  seed: number,
  extra: Partial<LogicalServerOptions> = {},
): { ls: LogicalServer; clock: ManualClock; ids: string[] } {
  const clock = manualClock(1_000);
  const ids = Array.from({ length: n }, (_, i) => `s${i}`);
  const ls = new LogicalServer({
    name: 'web',
    address: '192.0.2.10',
    port: 80,
    method: m,
    servers: ids.map((id, i) => ({
      id,
      domain: ['eu.example.com', 'us.example.com', 'example.net', 'a.eu.example.com'][i % 4] as string,
    })),
    availability: { interval: 1_000, retries: 2 },
    reportTimeout: 10_000,
    now: clock.now,
    random: mulberry32(seed),
    ...extra,
  });
  return { ls, clock, ids };
}

/** One step of a random scenario against a logical server. */
export type Step =
  | { readonly kind: 'probe'; readonly server: number; readonly ok: boolean }
  | { readonly kind: 'load'; readonly server: number; readonly load: number }
  | { readonly kind: 'rtt'; readonly server: number; readonly rtt: number }
  | { readonly kind: 'wait'; readonly ms: number }
  | { readonly kind: 'pick'; readonly client: string; readonly service: number; readonly domain: string };

/**
 * A random step over `n` servers. `harsh`: probes fail three times in four (servers are often
 * failed when a pick comes) and loads and round trips tie often.
 */
export function step(n: number, harsh = false): fc.Arbitrary<Step> {
  const server = fc.nat(n - 1);
  return fc.oneof(
    fc.record({
      kind: fc.constant('probe' as const),
      server,
      ok: harsh ? fc.nat(3).map((x) => x === 0) : fc.boolean(),
    }),
    fc.record({ kind: fc.constant('load' as const), server, load: fc.nat(harsh ? 3 : 10_000) }),
    fc.record({ kind: fc.constant('rtt' as const), server, rtt: fc.nat(harsh ? 3 : 500) }),
    fc.record({ kind: fc.constant('wait' as const), ms: fc.nat(15_000) }),
    fc.record({ kind: fc.constant('pick' as const), client, service: fc.constantFrom(80, 443), domain }),
  );
}

/** Runs `steps` against a built logical server, checking that every pick is of an up server. */
export function replayNeverFailed(
  { ls, clock, ids }: ReturnType<typeof build>,
  steps: readonly Step[],
): void {
  for (const s of steps) {
    if (s.kind === 'probe') ls.reportProbe(ids[s.server] as string, s.ok);
    else if (s.kind === 'load') ls.reportLoad(ids[s.server] as string, s.load);
    else if (s.kind === 'rtt') ls.reportRtt(ids[s.server] as string, s.rtt);
    else if (s.kind === 'wait') clock.advance(s.ms);
    else {
      const picked = ls.pick({ client: s.client, service: s.service, domain: s.domain });
      const healthy = ids.filter((id) => ls.state(id) === 'up');
      if (healthy.length === 0) expect(picked).toBeUndefined();
      else expect(healthy).toContain(picked);
    }
  }
}
