// Hashing throughput: `pnpm --filter @maestro/hash bench` (measures the built package, dist/, as
// users get it: turbo builds before it benches).
// Reports hashes/s for the table-driven Toeplitz (IPv4 4-tuple, IPv6 4-tuple), the keyed
// HalfSipHash-1-3 and the full distribution value, each against the same table-driven Toeplitz in
// C (cc -O3) in the same run, and counts garbage collections during the timed IPv4 loop (zero
// means the hot path allocates nothing).
import { PerformanceObserver } from 'node:perf_hooks';
import { compileC, formatRate, haveCompiler, measure, printTable, runJson } from '@maestro/bench-tools';
import {
  createFlowKey,
  createKeyedHash,
  createToeplitz,
  distributionHash,
  MICROSOFT_RSS_KEY,
  PortKind,
  setFlowV4,
} from '@maestro/hash';
import { TOEPLITZ_C } from './toeplitz-baseline.c.js';

const N = 1 << 20;
const MASK = N - 1;
const src = new Uint32Array(N);
const dst = new Uint32Array(N);
const ports = new Uint32Array(N);
const v6 = Array.from({ length: 1024 }, () => new Uint8Array(16));
let x = 2463534242;
const next = (): number => {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
};
for (let i = 0; i < N; i++) {
  src[i] = next();
  dst[i] = next();
  ports[i] = next();
}
for (const a of v6) for (let i = 0; i < 16; i++) a[i] = next() & 0xff;

const toeplitz = createToeplitz(MICROSOFT_RSS_KEY);
const keyed = createKeyedHash(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
const key = createFlowKey();

/**
 * IPv4 4-tuples per second through `hash`. The inputs are locals of this function: bundlers turn
 * module-level `const`s into `var`s, which V8 must then reload in the loop (about a third slower).
 */
function v4Throughput(hash: (s: number, d: number, sp: number, dp: number) => number): number {
  const s = src;
  const d = dst;
  const p = ports;
  return measure((n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const j = i & MASK;
      const sp = p[j] as number;
      acc ^= hash(s[j] as number, d[j] as number, sp >>> 16, sp & 0xffff);
    }
    return acc;
  }).opsPerSec;
}

let gcs = 0;
const observer = new PerformanceObserver((list) => {
  gcs += list.getEntries().length;
});
observer.observe({ entryTypes: ['gc'] });

const v4Rate = v4Throughput(toeplitz.v4);
await new Promise((resolve) => setImmediate(resolve));
const gcsDuringV4 = gcs;

const v6Rate = measure((n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const p = ports[i & MASK] as number;
    acc ^= toeplitz.v6(v6[i & 1023] as Uint8Array, v6[(i + 1) & 1023] as Uint8Array, p >>> 16, p & 0xffff);
  }
  return acc;
}).opsPerSec;

const keyedV4Rate = measure((n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const j = i & MASK;
    const p = ports[j] as number;
    acc ^= keyed.v4(src[j] as number, dst[j] as number, p >>> 16, p & 0xffff);
  }
  return acc;
}).opsPerSec;

const keyedV6Rate = measure((n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const p = ports[i & MASK] as number;
    acc ^= keyed.v6(v6[i & 1023] as Uint8Array, v6[(i + 1) & 1023] as Uint8Array, p >>> 16, p & 0xffff);
  }
  return acc;
}).opsPerSec;

const distributionRate = measure((n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const j = i & MASK;
    const p = ports[j] as number;
    setFlowV4(key, 6, src[j] as number, dst[j] as number, p >>> 16, p & 0xffff, PortKind.PORTS);
    acc ^= distributionHash(key, 'general', 'l4', toeplitz);
  }
  return acc;
}).opsPerSec;
observer.disconnect();

let c: { v4PerSec: number; v6PerSec: number } | undefined;
if (haveCompiler()) c = runJson(compileC(TOEPLITZ_C, { name: 'toeplitz' }));

const ratio = (js: number, base: number | undefined): string => (base ? `${(js / base).toFixed(2)}x` : 'n/a');
printTable([
  ['hash', 'rate', 'vs C table-driven Toeplitz (-O3)'],
  ['toeplitz v4 4-tuple (table)', formatRate(v4Rate), ratio(v4Rate, c?.v4PerSec)],
  ['toeplitz v6 4-tuple (table)', formatRate(v6Rate), ratio(v6Rate, c?.v6PerSec)],
  ['halfsiphash-1-3 v4 4-tuple', formatRate(keyedV4Rate), ratio(keyedV4Rate, c?.v4PerSec)],
  ['halfsiphash-1-3 v6 4-tuple', formatRate(keyedV6Rate), ratio(keyedV6Rate, c?.v6PerSec)],
  [
    'distributionHash general l4 (toeplitz)',
    formatRate(distributionRate),
    ratio(distributionRate, c?.v4PerSec),
  ],
  ['C toeplitz v4 4-tuple', c ? formatRate(c.v4PerSec) : 'n/a', '1.00x'],
  ['C toeplitz v6 4-tuple', c ? formatRate(c.v6PerSec) : 'n/a', '1.00x'],
]);
console.log(`garbage collections during the timed toeplitz v4 loop: ${gcsDuringV4}`);
