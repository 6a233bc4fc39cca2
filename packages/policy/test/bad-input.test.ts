import type { FlowKey } from '@maestro/hash';
import { unconvertible } from '@maestro/vitest-config/garbage';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Cidr,
  type CompileOptions,
  compilePolicy,
  maskV4,
  matchLinear,
  type NatRule,
  PacketBatch,
  type Policy,
  PolicyConfigError,
  type PolicyError,
  parseCidr,
  parsePolicy,
  parseRange,
  policyToConfig,
  printPolicy,
  type Range,
  type Rule,
  validatePolicy,
} from '../src/index.js';
import { corruptedPolicy } from './arbitraries/corrupted-policy.js';
import { garbagePacket, type UncheckedPacket } from './arbitraries/garbage-packet.js';
import { type Packet, packet } from './arbitraries/packets.js';
import { emptyMatch, natRule, policy } from './arbitraries/policies.js';
import { cidr } from './arbitraries/universe.js';
import { refusal } from './refusal.js';

/** Any number, the edges of `min..max` and just past them, and values that are not numbers at all. */
function numberAround(min: number, max: number): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(min - 1, min, max, max + 1, min + 0.5, max - 0.5, Number.NaN, Number.POSITIVE_INFINITY),
    fc.integer({ min: Math.floor(min) - 10, max: Math.ceil(max) + 10 }),
    fc.double(),
    fc.anything().filter((v) => typeof v !== 'number'),
  );
}

const isIntIn = (v: unknown, min: number, max: number): boolean =>
  Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

const TEXT = 'topology:\n  interfaces:\n    - { name: eth1-01, zone: internal }\nrules: []\n';

/** A range of which one end is anything and the other in range, unless both are. */
function badRange(min: number, max: number): fc.Arbitrary<Range> {
  return fc
    .tuple(numberAround(min, max), fc.integer({ min, max }), fc.boolean())
    .map(([v, ok, first]) => (first ? { from: v, to: ok } : { from: ok, to: v }) as Range)
    .filter((r) => !(isIntIn(r.from, min, max) && isIntIn(r.to, min, max) && r.from <= r.to));
}

/** One match field of a rule replaced by a value the matcher cannot take. */
const badMatch: fc.Arbitrary<Partial<Rule['match']>> = fc.oneof(
  badRange(1, 4094).map((r) => ({ vlans: [r] })),
  badRange(0, 65535).map((r) => ({ sourcePorts: [r] })),
  badRange(0, 65535).map((r) => ({ destinationPorts: [r] })),
  numberAround(0, 255)
    .filter((p) => !isIntIn(p, 0, 255))
    .map((p) => ({ protocols: [p as number] })),
  numberAround(0, 32)
    .filter((p) => !isIntIn(p, 0, 32))
    .map((prefix) => ({
      source: [{ family: 4 as const, prefix: prefix as number, v4: 0, v6: new Uint8Array(16) }],
    })),
  numberAround(4, 6)
    .filter((f) => f !== 4 && f !== 6)
    .map((family) => ({ destination: [{ family: family as 4, prefix: 8, v4: 0, v6: new Uint8Array(16) }] })),
  numberAround(0, 0xffff_ffff)
    .filter((v4) => !isIntIn(v4, 0, 0xffff_ffff))
    .map((v4) => ({ source: [{ family: 4 as const, prefix: 0, v4: v4 as number, v6: new Uint8Array(16) }] })),
  fc
    .uint8Array({ maxLength: 20, size: 'max' })
    .filter((b) => b.length !== 16)
    .map((v6) => ({ destination: [{ family: 6 as const, prefix: 64, v4: 0, v6 }] })),
);

/** `list` with `item` put in at `at` (modulo its length + 1). */
function insert<T>(list: readonly T[], at: number, item: T): T[] {
  const i = at % (list.length + 1);
  return [...list.slice(0, i), item, ...list.slice(i)];
}

/**
 * A NAT rule of well-formed blocks and integer ports with one part replaced by any value of its
 * kind: a block of any family and length, a source or destination of any family added, no source,
 * ports anywhere near 1..65535 in either order. Some are good rules, most are not.
 */
const wellFormedNat: fc.Arbitrary<NatRule> = fc.oneof(
  natRule,
  fc
    .tuple(natRule, cidr)
    .map(([r, c]): NatRule => (r.kind === 'static' ? { ...r, translated: c } : { ...r, address: c })),
  fc
    .tuple(natRule, cidr, fc.nat())
    .map(
      ([r, c, at]): NatRule =>
        r.kind === 'static' ? { ...r, original: c } : { ...r, source: insert(r.source, at, c) },
    ),
  fc
    .tuple(natRule, cidr, fc.nat())
    .map(
      ([r, c, at]): NatRule =>
        r.kind === 'static' ? r : { ...r, destination: insert(r.destination, at, c) },
    ),
  natRule.map((r): NatRule => (r.kind === 'static' ? r : { ...r, source: [] })),
  fc
    .tuple(natRule, fc.integer({ min: -2, max: 65_537 }), fc.integer({ min: -2, max: 65_537 }))
    .map(([r, from, to]): NatRule => (r.kind === 'static' ? r : { ...r, ports: { from, to } })),
);

/** A malformed block: a family other than 4 or 6, a prefix out of range, an address of the wrong kind. */
const malformedBlock: fc.Arbitrary<Cidr> = badMatch
  .map((m) => (m.source ?? m.destination)?.[0])
  .filter((c): c is Cidr => c !== undefined);

/** A NAT rule with one part of the wrong shape: a malformed block, an unknown kind, ports not integers. */
const malformedNat: fc.Arbitrary<NatRule> = fc
  .tuple(
    natRule,
    malformedBlock,
    fc
      .oneof(
        fc.string(),
        fc.constant(null),
        numberAround(1, 65535).filter((v) => !Number.isInteger(v)),
      )
      .filter((v) => v !== 'hide' && v !== 'static'),
    fc.nat(2),
  )
  .map(([r, block, junk, how]) => {
    if (how === 0)
      return r.kind === 'static'
        ? { ...r, translated: block }
        : { ...r, destination: [...r.destination, block] };
    if (how === 1) return { ...r, kind: junk } as unknown as NatRule;
    return r.kind === 'static'
      ? ({ ...r, kind: 'hide' } as unknown as NatRule)
      : { ...r, ports: { from: junk as number, to: 65535 } };
  });

/** Ways to break one part of a good packet. */
const BREAKERS: readonly ((p: Packet) => UncheckedPacket)[] = [
  (p) => ({ ...p, vlan: 4096 }),
  (p) => ({ ...p, vlan: p.vlan + 0.5 }),
  (p) => ({ ...p, iface: p.iface + 0.5 }),
  (p) => ({ ...p, key: { ...p.key, protocol: 256 } }),
  (p) => ({ ...p, key: { ...p.key, dstPort: 65536 } }),
  (p) => ({ ...p, key: { ...p.key, srcPort: -1 } }),
  (p) => ({ ...p, key: { ...p.key, portKind: 4 } }),
];

describe('bad input', () => {
  it('should refuse a parse or print format other than yaml or json with INVALID_FORMAT', () => {
    const p = parsePolicy('policy.yaml', TEXT);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom('YAML', 'yml', 'toml', ' json')), (format) => {
        fc.pre(format !== 'yaml' && format !== 'json');
        expect(refusal(() => parsePolicy('policy.yaml', TEXT, { format: format as 'yaml' }))).toBe(
          'INVALID_FORMAT',
        );
        expect(refusal(() => printPolicy(p, { format: format as 'yaml' }))).toBe('INVALID_FORMAT');
      }),
    );
  });

  it('should compile with a flow cache of 0 or a power of two up to 2^24 and refuse any other size', () => {
    const p = parsePolicy('policy.yaml', TEXT);
    fc.assert(
      fc.property(
        fc.oneof(
          numberAround(0, 4096),
          fc.integer({ min: 0, max: 12 }).map((k) => 2 ** k),
          fc.constant(2 ** 25),
        ),
        (flowCache) => {
          const valid =
            flowCache == null ||
            (isIntIn(flowCache, 0, 2 ** 24) && ((flowCache as number) & ((flowCache as number) - 1)) === 0);
          expect(refusal(() => compilePolicy(p, { flowCache: flowCache as number }))).toBe(
            valid ? 'accepted' : 'INVALID_POLICY',
          );
        },
      ),
    );
  });

  it('should compile with the wasm option true, false or absent (null too) and refuse any other value or options', () => {
    const p = parsePolicy('policy.yaml', TEXT);
    fc.assert(
      fc.property(fc.oneof(fc.boolean(), fc.constant(undefined), fc.anything()), (wasm) => {
        const valid = wasm == null || typeof wasm === 'boolean';
        expect(refusal(() => compilePolicy(p, { wasm: wasm as boolean }))).toBe(
          valid ? 'accepted' : 'INVALID_POLICY',
        );
      }),
    );
    fc.assert(
      fc.property(
        fc.anything().filter((o) => typeof o !== 'object' || o === null),
        (options) => {
          expect(refusal(() => compilePolicy(p, options as CompileOptions))).toBe(
            options === undefined ? 'accepted' : 'INVALID_POLICY',
          );
        },
      ),
    );
  });

  it('should refuse text arguments that are not text, and policies not of the documented shape, with a PolicyError', () => {
    const odd = fc.oneof(unconvertible, fc.constant({ toString: null }), fc.constant(null), fc.boolean());
    const p = parsePolicy('policy.yaml', TEXT);
    fc.assert(
      fc.property(
        odd,
        fc.constantFrom(
          'policy',
          'topology',
          'interfaces',
          'rules',
          'rule',
          'match',
          'vlans',
          'nat',
          'nat rule',
        ),
        (v, where) => {
          expect(refusal(() => parseCidr(v as string))).toBe('INVALID_CIDR');
          expect(refusal(() => parseRange(v as string, 0, 65535, 'port'))).toBe('INVALID_RANGE');
          expect(refusal(() => parsePolicy(v as string, TEXT))).toBe('INVALID_CONFIG');
          const rule = { match: emptyMatch, action: { management: true } };
          const bad =
            where === 'policy'
              ? v
              : where === 'topology'
                ? { ...p, topology: v }
                : where === 'interfaces'
                  ? { ...p, topology: { ...p.topology, interfaces: v } }
                  : where === 'rules'
                    ? { ...p, rules: v }
                    : where === 'rule'
                      ? { ...p, rules: [v] }
                      : where === 'match'
                        ? { ...p, rules: [{ ...rule, match: v }] }
                        : where === 'nat'
                          ? { ...p, nat: v }
                          : where === 'nat rule'
                            ? { ...p, nat: [v] }
                            : { ...p, rules: [{ ...rule, match: { ...rule.match, vlans: v } }] };
          expect(refusal(() => compilePolicy(bad as Policy))).toBe('INVALID_POLICY');
        },
      ),
    );
  });

  it('should give the netmask of every IPv4 prefix 0..32 and refuse any other prefix with INVALID_CIDR', () => {
    fc.assert(
      fc.property(numberAround(0, 32), (prefix) => {
        if (!isIntIn(prefix, 0, 32)) {
          expect(refusal(() => maskV4(prefix as number))).toBe('INVALID_CIDR');
          return;
        }
        const p = prefix as number;
        expect(maskV4(p)).toBe(2 ** 32 - 2 ** (32 - p));
      }),
    );
  });

  it('should refuse a hand-built policy with any match field out of range with INVALID_POLICY', () => {
    fc.assert(
      fc.property(policy(4), fc.nat(), badMatch, (p, pick, change) => {
        fc.pre(p.rules.length > 0);
        const at = pick % p.rules.length;
        const rules = p.rules.map((r, i) => (i === at ? { ...r, match: { ...r.match, ...change } } : r));
        const bad: Policy = { ...p, rules };
        expect(refusal(() => compilePolicy(bad))).toBe('INVALID_POLICY');
      }),
    );
  });

  it('should refuse a hand-built NAT rule exactly when the loader refuses it as printed, and any malformed one', () => {
    const verdict = (run: () => unknown): unknown => {
      try {
        run();
        return 'accepted';
      } catch (error) {
        return error;
      }
    };
    fc.assert(
      fc.property(
        policy(2),
        fc.nat(),
        fc.oneof(
          wellFormedNat.map((rule) => ({ rule, wellFormed: true })),
          malformedNat.map((rule) => ({ rule, wellFormed: false })),
        ),
        (p, pick, { rule, wellFormed }) => {
          const at = pick % (p.nat.length + 1);
          const bad: Policy = { ...p, nat: [...p.nat.slice(0, at), rule, ...p.nat.slice(at + 1)] };
          const compiled = verdict(() => compilePolicy(bad));
          if (!wellFormed) {
            expect(refusal(() => compilePolicy(bad))).toBe('INVALID_POLICY');
            return;
          }
          const loaded = verdict(() => validatePolicy(policyToConfig(bad)));
          if (loaded === 'accepted') {
            expect(compiled).toBe('accepted');
            return;
          }
          expect(loaded).toBeInstanceOf(PolicyConfigError);
          expect(refusal(() => compilePolicy(bad))).toBe('INVALID_POLICY');
          // The compiler names its first problem by the path the loader reports it at.
          const path = (compiled as PolicyError).message.split(': ')[0];
          expect((loaded as PolicyConfigError).issues.map((i) => i.path)).toContain(path);
        },
      ),
    );
  });

  it('should refuse a hand-built policy exactly when the loader refuses its printout, at a place the loader names', () => {
    fc.assert(
      fc.property(corruptedPolicy, (bad) => {
        let loaded: unknown = 'accepted';
        try {
          parsePolicy('printout.yaml', printPolicy(bad));
        } catch (error) {
          loaded = error;
        }
        const compiled = refusal(() => compilePolicy(bad));
        if (loaded === 'accepted') {
          expect(compiled).toBe('accepted');
          return;
        }
        expect(loaded).toBeInstanceOf(PolicyConfigError);
        expect(compiled).toBe('INVALID_POLICY');
        // The compiler names its first problem by the path the loader reports it at.
        let message = '';
        try {
          compilePolicy(bad);
        } catch (error) {
          message = (error as PolicyError).message;
        }
        const path = message.split(': ')[0] as string;
        if (path.startsWith('$')) {
          expect((loaded as PolicyConfigError).issues.map((i) => i.path)).toContain(path);
        }
      }),
    );
  });

  it('should match every packet as the naive evaluator does after any number of refused packets', () => {
    fc.assert(
      fc.property(
        policy(8),
        fc.array(packet, { minLength: 1, maxLength: 6 }),
        fc.array(
          fc.oneof(
            fc.nat().map((i) => ({ i })),
            garbagePacket.map((g) => ({ g })),
            // A packet of the pool with one part broken: its cache slot is that of a good packet.
            fc.tuple(fc.nat(), fc.constantFrom(...BREAKERS)).map(([j, breaker]) => ({ j, breaker })),
          ),
          { maxLength: 40 },
        ),
        (p, pool, steps) => {
          const compiled = compilePolicy(p, { flowCache: 16 });
          for (const step of steps) {
            if ('i' in step) {
              const { key, iface, vlan } = pool[step.i % pool.length] as Packet;
              expect(compiled.match(key, iface, vlan)).toBe(matchLinear(p, key, iface, vlan));
              continue;
            }
            const bad = 'g' in step ? step.g : step.breaker(pool[step.j % pool.length] as Packet);
            expect(
              refusal(() => compiled.match(bad.key as FlowKey, bad.iface as number, bad.vlan as number)),
            ).toBe('INVALID_PACKET');
          }
        },
      ),
    );
  });

  it('should refuse values whose toString is not a function with a typed error (shrunk counterexample)', () => {
    const odd = { toString: 0 } as unknown as number;
    const compiled = compilePolicy(parsePolicy('policy.yaml', TEXT));
    const key = { family: 4, protocol: 6, srcV4: 0, dstV4: 0, srcPort: 0, dstPort: 0, portKind: 1 };
    expect(refusal(() => compilePolicy(compiled.policy, { flowCache: odd }))).toBe('INVALID_POLICY');
    expect(refusal(() => new PacketBatch(odd))).toBe('INVALID_PACKET');
    expect(refusal(() => new PacketBatch(1).set(odd, key as unknown as FlowKey, 0, 0))).toBe(
      'INVALID_PACKET',
    );
  });

  it('should make a batch of any capacity 1..2^24 or refuse the capacity with INVALID_PACKET', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: -4, max: 64 }),
          fc.constantFrom(0.5, 2 ** 24 + 1, 2 ** 40, Number.NaN, Number.POSITIVE_INFINITY, -0),
          fc.double().filter((d) => !Number.isInteger(d) || d > 2 ** 24),
          fc.anything().filter((v) => typeof v !== 'number'),
        ),
        (capacity) => {
          expect(refusal(() => new PacketBatch(capacity as number))).toBe(
            isIntIn(capacity, 1, 2 ** 24) ? 'accepted' : 'INVALID_PACKET',
          );
        },
      ),
    );
  });
});
