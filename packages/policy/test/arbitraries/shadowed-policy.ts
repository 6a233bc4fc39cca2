import fc from 'fast-check';
import { type Cidr, maskCidr, type Policy, type Range, type RuleMatch } from '../../src/index.js';
import { interfaces, ruleMatch } from './policies.js';

/** A block inside `c`: up to 12 more prefix bits, the extra bits taken from `noise`. */
function subBlock(c: Cidr, extra: number, noise: Uint8Array): Cidr {
  const max = c.family === 4 ? 32 : 128;
  const prefix = Math.min(max, c.prefix + extra);
  if (c.family === 4) {
    const low =
      (((noise[0] as number) << 24) | ((noise[1] as number) << 16) | ((noise[2] as number) << 8)) >>> 0;
    const keep = c.prefix === 0 ? 0 : (0xffff_ffff << (32 - c.prefix)) >>> 0;
    return maskCidr({ ...c, prefix, v4: ((c.v4 & keep) | (low & ~keep)) >>> 0 });
  }
  const v6 = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, c.prefix - 8 * i));
    const mask = (0xff00 >> keep) & 0xff;
    v6[i] = ((c.v6[i] as number) & mask) | ((noise[i] as number) & ~mask & 0xff);
  }
  return maskCidr({ ...c, prefix, v6 });
}

/** A range inside `r`, from two picks. */
function subRange(r: Range, a: number, b: number): Range {
  const from = r.from + (a % (r.to - r.from + 1));
  return { from, to: from + (b % (r.to - from + 1)) };
}

const EDGE_PORTS: readonly Range[] = [
  { from: 0, to: 0 },
  { from: 0, to: 1 },
  { from: 65535, to: 65535 },
  { from: 65534, to: 65535 },
  { from: 0, to: 65535 },
  { from: 1, to: 65534 },
];

/** One change that makes a copy of an earlier rule narrower (shadowed by it) or wider. */
interface Derivation {
  readonly from: number;
  readonly field: number;
  readonly widen: boolean;
  readonly extra: number;
  readonly noise: Uint8Array;
  readonly a: number;
  readonly b: number;
}

function derive(m: RuleMatch, d: Derivation): RuleMatch {
  const pick = <T>(list: readonly T[]): T | undefined => list[d.a % Math.max(1, list.length)];
  switch (d.field % 6) {
    case 0:
    case 1: {
      const key = d.field % 6 === 0 ? 'source' : 'destination';
      if (d.widen) return { ...m, [key]: [] };
      const c = pick(m[key]);
      return c === undefined ? m : { ...m, [key]: [subBlock(c, d.extra, d.noise)] };
    }
    case 2: {
      const key = d.b % 2 === 0 ? 'sourcePorts' : 'destinationPorts';
      if (d.widen) return { ...m, [key]: [] };
      const r = pick(m[key]) ?? (EDGE_PORTS[d.b % EDGE_PORTS.length] as Range);
      return { ...m, [key]: [subRange(r, d.a, d.b)] };
    }
    case 3: {
      if (d.widen) return { ...m, vlans: [] };
      const r = pick(m.vlans) ?? { from: 1, to: 4094 };
      return { ...m, vlans: [subRange(r, d.a, d.b)] };
    }
    case 4: {
      if (d.widen) return { ...m, protocols: [] };
      const p = pick(m.protocols);
      return { ...m, protocols: [p ?? (d.b % 2 === 0 ? 6 : 17)] };
    }
    default: {
      if (d.widen) return { ...m, interfaces: [] };
      const name = pick(m.interfaces);
      return name === undefined ? m : { ...m, interfaces: [name] };
    }
  }
}

/**
 * A policy where many rules are copies of earlier ones made narrower (so an earlier rule shadows
 * them, wholly or inside some region) or wider, over IPv4 and IPv6 blocks and port ranges at the
 * ends of the port space; more rules than a leaf holds, so that the matcher's tree cuts them.
 */
export function shadowedPolicy(maxRules = 60): fc.Arbitrary<Policy> {
  const derivation: fc.Arbitrary<Derivation> = fc.record({
    from: fc.nat(),
    field: fc.nat(),
    widen: fc.boolean(),
    extra: fc.integer({ min: 0, max: 12 }),
    noise: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    a: fc.nat(),
    b: fc.nat(),
  });
  return interfaces.chain((ifaces) => {
    const names = ifaces.map((i) => i.name);
    const base = ruleMatch(names);
    return fc
      .tuple(
        fc.array(base, { minLength: 1, maxLength: 8 }),
        fc.array(fc.array(derivation, { minLength: 1, maxLength: 3 }), { minLength: 8, maxLength: maxRules }),
        fc.array(fc.constantFrom(...EDGE_PORTS), { maxLength: 2 }),
      )
      .map(([roots, chains, edges]) => {
        const matches: RuleMatch[] = roots.map((m, i) => (i === 0 ? { ...m, destinationPorts: edges } : m));
        for (const chain of chains) {
          const from = matches[(chain[0] as Derivation).from % matches.length] as RuleMatch;
          matches.push(chain.reduce(derive, from));
        }
        return structuredClone({
          topology: { mode: 'auto' as const, layer: 'l4' as const, interfaces: ifaces },
          rules: matches.map((match) => ({ match, action: { sync: 'none' as const } })),
          nat: [],
        });
      });
  });
}
