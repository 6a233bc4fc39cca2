import { createFlowKey, type FlowKey, IpProtocol, PortKind } from '@maestro/hash';
import { FlowTable } from '../src/index.js';
import { setInsertKernel } from '../src/keyed-entries.js';

// Insertions as @maestro/correction's decideMany does them for a member's new connections: a batch
// of 32 keys looked up with findMany (all missing), then a tryInsert of each, with or without an
// alias (a hide-NAT tuple: one translated address, a port from a slice); the key's bucket is then in
// cache and the alias's is not. Into a symmetric table of 1 M live entries (+ 0.5 M aliases, as the
// correction bench's owned table); each chunk's entries are removed again, untimed. Each insertion
// variant runs twice, through the WebAssembly insert of the large index and through the JavaScript
// steps it replaces (`setInsertKernel`), in the same rounds.
const BATCH = 32;
const CHUNK = 16_384;
const ROUNDS = 9;
const HIDE = 0xc0000201;

/** Nanoseconds of CPU time per insertion (findMany's cost subtracted). */
export interface InsertionCosts {
  /** Without an alias, through the WebAssembly insert. */
  readonly plain: number;
  /** With an alias, through the WebAssembly insert. */
  readonly alias: number;
  /** Without an alias, through the JavaScript steps. */
  readonly plainJs: number;
  /** With an alias, through the JavaScript steps. */
  readonly aliasJs: number;
}

/** Nanoseconds of CPU time per insertion (findMany's cost subtracted), without and with an alias. */
export function insertionCosts(live: number, rnd: () => number): InsertionCosts {
  // Sized as the correction bench sizes its owned table: for 1.3 M connections.
  const table = new FlowTable({ symmetric: true, capacity: Math.ceil(live * 1.3) });
  const key = tcpKey();
  const alias = tcpKey();
  for (let i = 0; i < live; i++) {
    fresh(key, rnd);
    const withAlias = (i & 1) === 0 ? hidden(key, alias, rnd) : null;
    if (table.tryInsert(key, 0, 1, 2, 0, withAlias) === -2) table.tryInsert(key, 0, 1, 2, 0, null);
  }
  const keys = Array.from({ length: CHUNK }, tcpKey);
  // The aliases' ports; one key object takes each alias in turn, as the correction layer's
  // translated tuple does (a separate object per alias would add its own cache miss).
  const aliasPorts = new Uint16Array(CHUNK);
  const batch = keys.slice(0, BATCH);
  const out = new Int32Array(BATCH);
  // Per round: findMany alone, + tryInsert, + tryInsert with alias, then the same two through the
  // JavaScript steps (ms of CPU time).
  const spent = Array.from({ length: ROUNDS }, () => [0, 0, 0, 0, 0]);
  let sink = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (let v = 0; v < 5; v++) {
      const variant = (round + v) % 5;
      setInsertKernel(variant < 3);
      for (let i = 0; i < CHUNK; i++) {
        fresh(keys[i] as FlowKey, rnd);
        aliasPorts[i] = 1024 + (rnd() % 64_000);
      }
      const c0 = process.cpuUsage();
      for (let from = 0; from < CHUNK; from += BATCH) {
        for (let j = 0; j < BATCH; j++) batch[j] = keys[from + j] as FlowKey;
        sink += table.findMany(batch, out);
        if (variant === 0) continue;
        for (let i = from; i < from + BATCH; i++) {
          const k = keys[i] as FlowKey;
          alias.dstV4 = k.dstV4;
          alias.srcPort = aliasPorts[i] as number;
          sink += table.tryInsert(k, 1, 1, 2, 0, variant === 2 || variant === 4 ? alias : null);
        }
      }
      const c = process.cpuUsage(c0);
      (spent[round] as number[])[variant] = (c.user + c.system) / 1000;
      for (let h = table.size - 1; h >= live; h--) table.removeAt(h);
    }
  }
  if (sink === 0.5) console.log(sink);
  // The median over rounds of each round's difference: a round that met a burst of load (or a
  // collection) on one variant does not move it.
  const perInsert = (variant: number): number =>
    (median(spent.map((r) => (r[variant] as number) - (r[0] as number))) * 1e6) / CHUNK;
  setInsertKernel(true);
  return { plain: perInsert(1), alias: perInsert(2), plainJs: perInsert(3), aliasJs: perInsert(4) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return ((s[(s.length - 1) >> 1] as number) + (s[s.length >> 1] as number)) / 2;
}

function tcpKey(): FlowKey {
  const k = createFlowKey();
  k.protocol = IpProtocol.TCP;
  k.portKind = PortKind.PORTS;
  k.dstPort = 443;
  return k;
}

function fresh(key: FlowKey, rnd: () => number): FlowKey {
  key.srcV4 = rnd();
  key.dstV4 = rnd();
  key.srcPort = 1024 + (rnd() % 64_000);
  return key;
}

function hidden(key: FlowKey, alias: FlowKey, rnd: () => number): FlowKey {
  alias.srcV4 = HIDE;
  alias.dstV4 = key.dstV4;
  alias.srcPort = 1024 + (rnd() % 64_000);
  return alias;
}
