import { type BitsetPool, CountingSet } from './bitset-pool.js';
import type { Cidr } from './cidr.js';

/**
 * A multibit prefix trie (4 bits per level, controlled prefix expansion) mapping an address to
 * the class of rules whose blocks contain it. Every entry holds the class for its 4-bit
 * extension, so a lookup keeps the last class seen and stops at the first missing child: at most
 * 8 steps for IPv4 and 32 for IPv6.
 */
export interface PrefixTrie {
  /** `child[node * 16 + nibble]`: the next node, or -1. */
  readonly child: Int32Array;
  /** `cls[node * 16 + nibble]`: the rule class of addresses under that entry. */
  readonly cls: Int32Array;
}

/** One rule's block to insert. */
export interface TrieEntry {
  readonly cidr: Cidr;
  readonly rule: number;
}

function nibble(cidr: Cidr, level: number): number {
  if (cidr.family === 4) return (cidr.v4 >>> (28 - 4 * level)) & 15;
  const byte = cidr.v6[level >>> 1] as number;
  return (level & 1) === 0 ? byte >>> 4 : byte & 15;
}

interface Expansion {
  readonly first: number;
  readonly count: number;
  readonly rule: number;
}

/**
 * Builds the trie of one address family. `base` holds the rules that match every address of the
 * family (no condition, or a /0 block); `entries` the rules' longer blocks of this family.
 */
export function buildPrefixTrie(
  entries: readonly TrieEntry[],
  base: readonly number[],
  pool: BitsetPool,
  ruleCount: number,
): PrefixTrie {
  const child: number[] = new Array<number>(16).fill(-1);
  const expansions: Expansion[][] = [[]];
  const work = new CountingSet(ruleCount, pool.words);
  for (const rule of base) work.add(rule);
  for (const { cidr, rule } of entries) {
    if (cidr.prefix === 0) {
      work.add(rule);
      continue;
    }
    const level = (cidr.prefix - 1) >>> 2;
    let node = 0;
    for (let l = 0; l < level; l++) {
      const e = node * 16 + nibble(cidr, l);
      let next = child[e] as number;
      if (next < 0) {
        next = expansions.length;
        expansions.push([]);
        for (let i = 0; i < 16; i++) child.push(-1);
        child[e] = next;
      }
      node = next;
    }
    const free = 4 * (level + 1) - cidr.prefix;
    const first = nibble(cidr, level) & ~((1 << free) - 1);
    (expansions[node] as Expansion[]).push({ first, count: 1 << free, rule });
  }
  const cls = new Int32Array(child.length);
  const rootClass = pool.intern(work.set);
  const fill = (node: number, inherited: number): void => {
    const here = expansions[node] as Expansion[];
    for (let e = 0; e < 16; e++) {
      const covering = here.filter((x) => e >= x.first && e < x.first + x.count);
      for (const x of covering) work.add(x.rule);
      const c = covering.length === 0 ? inherited : pool.intern(work.set);
      cls[node * 16 + e] = c;
      const next = child[node * 16 + e] as number;
      if (next >= 0) fill(next, c);
      for (const x of covering) work.remove(x.rule);
    }
  };
  fill(0, rootClass);
  return { child: Int32Array.from(child), cls };
}

/** The rule class of an IPv4 address (an unsigned 32-bit number). No allocation. */
export function lookupV4(trie: PrefixTrie, address: number): number {
  const { child, cls } = trie;
  let node = 0;
  let c = 0;
  for (let shift = 28; shift >= 0; shift -= 4) {
    const e = (node << 4) | ((address >>> shift) & 15);
    c = cls[e] as number;
    node = child[e] as number;
    if (node < 0) break;
  }
  return c;
}

/** The rule class of an IPv6 address (16 bytes). No allocation. */
export function lookupV6(trie: PrefixTrie, address: Uint8Array): number {
  const { child, cls } = trie;
  let node = 0;
  let c = 0;
  for (let i = 0; i < 16; i++) {
    const byte = address[i] as number;
    let e = (node << 4) | (byte >>> 4);
    c = cls[e] as number;
    node = child[e] as number;
    if (node < 0) break;
    e = (node << 4) | (byte & 15);
    c = cls[e] as number;
    node = child[e] as number;
    if (node < 0) break;
  }
  return c;
}
