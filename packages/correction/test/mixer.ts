import { type FlowKey, PortKind } from '@maestro/hash';
import type { Distribute, Ingress } from '../src/index.js';

// A small deterministic distribution for tests (the orchestrator's real hash lives in
// @maestro/hash): the fields of each mode, mixed, then reduced to a member. General and five-tuple
// combine the two endpoints with a commutative sum, so they are direction-independent.

/** A 32-bit integer finaliser (lowbias32): the mix of the test distribution and of the bench's. */
export function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

function address(key: FlowKey, src: boolean): number {
  if (key.family === 4) return src ? key.srcV4 : key.dstV4;
  const bytes = src ? key.src6 : key.dst6;
  let h = 0x6a09e667;
  for (let i = 0; i < 16; i++) h = mix(h ^ ((bytes[i] as number) << (8 * (i % 4))));
  return h;
}

/** A distribution over `members` members, salted by `seed`. */
export function testDistribute(members: number, seed: number): Distribute {
  return (key: FlowKey, ingress: Ingress): number => {
    const l4 = ingress.layer === 'l4' && (key.portKind === PortKind.PORTS || key.portKind === PortKind.ECHO);
    const sp = l4 ? key.srcPort : 0;
    const dp = l4 ? key.dstPort : 0;
    let h: number;
    switch (ingress.mode) {
      case 'user':
        h = mix(mix(address(key, false) ^ seed) ^ sp);
        break;
      case 'network':
        h = mix(mix(address(key, true) ^ seed) ^ dp);
        break;
      default: {
        const a = mix(mix(address(key, true) ^ seed) ^ sp);
        const b = mix(mix(address(key, false) ^ seed) ^ dp);
        h = mix((a + b) ^ (ingress.mode === 'five-tuple' ? key.protocol : 0));
      }
    }
    return h % members;
  };
}
