import { fileURLToPath } from 'node:url';
import { createFlowKey, type FlowKey, IpProtocol, PortKind, reverseFlowKey, setFlowV4 } from '@maestro/hash';
import { setKernelThreshold } from '../src/bucket-index.js';
import { FlowTable } from '../src/index.js';

/** What {@link scenario} gives: whether the probe kernel and the record kernel ran, and a digest of every result. */
export interface ScenarioResult {
  readonly kernel: boolean;
  readonly records: boolean;
  readonly digest: number[];
}

/**
 * A table past 4 MiB of index (the WebAssembly kernel's size, when there is WebAssembly), grown
 * with aliases, then batches of `findMany` (keys, reverses, absent keys), `recordMany` on the hits,
 * `tryInsert` of fresh and present keys: every result folded into a digest. The table's records
 * go to their WebAssembly memory from the first entry (the kernel size lowered to 0 for the table's
 * construction and growth), so that recordMany runs in the record kernel when there is WebAssembly.
 * Run as a script (under `node --jitless`, which has no WebAssembly), it prints its result as JSON.
 */
export function scenario(): ScenarioResult {
  const before = setKernelThreshold(0);
  try {
    return run();
  } finally {
    setKernelThreshold(before);
  }
}

function run(): ScenarioResult {
  let x = 0x2545f491;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const key = (): FlowKey =>
    setFlowV4(createFlowKey(), IpProtocol.TCP, next(), next(), next() & 0xffff, 443, PortKind.PORTS);
  const table = new FlowTable({ symmetric: true });
  const keys = Array.from({ length: 120_000 }, key);
  keys.forEach((k, i) => {
    const h = table.tryInsert(k, 1, i & 0xffff, 0, 0, i % 2 === 0 ? key() : null);
    if (h < 0) table.tryInsert(k, 1, 0);
  });
  const digest = [0, 0, 0, 0];
  const fold = (slot: number, value: number): void => {
    digest[slot] = (Math.imul(digest[slot] as number, 31) + value) | 0;
  };
  const batch = Array.from({ length: 32 }, createFlowKey);
  const handles = new Int32Array(32);
  const flags = new Uint8Array(32);
  const bytes = new Uint32Array(32);
  const tcp = new Uint8Array(32);
  for (let start = 0; start + 32 <= keys.length; start += 32) {
    for (let i = 0; i < 32; i++) {
      const k = keys[(start * 7 + i * 977) % keys.length] as FlowKey;
      const how = next() % 3;
      const q = batch[i] as FlowKey;
      if (how === 1) reverseFlowKey(k, q);
      else setFlowV4(q, k.protocol, k.srcV4, k.dstV4, k.srcPort, how === 2 ? 444 : 443, PortKind.PORTS);
      bytes[i] = next() % 1500;
      tcp[i] = next() & 0xff;
    }
    fold(0, table.findMany(batch, handles, flags));
    for (let i = 0; i < 32; i++) fold(1, ((handles[i] as number) << 2) | (flags[i] as number));
    table.recordMany(handles, flags, 2 + (start % 5), bytes, tcp);
    if (start % 320 === 0) fold(2, table.tryInsert(next() % 2 === 0 ? key() : (batch[0] as FlowKey), 3, 1));
  }
  for (let h = 0; h < table.size; h++) fold(3, table.packets(h) + table.bytes(h) * 3 + table.state(h) * 7);
  const inner = table as unknown as { index: { kernel: unknown }; recordMemory: unknown };
  return { kernel: inner.index.kernel !== null, records: inner.recordMemory !== null, digest };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(scenario()));
