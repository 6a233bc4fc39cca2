import {
  compileC,
  formatRate,
  haveCompiler,
  measure,
  peakRssMiB,
  printTable,
  runJson,
  timeOnce,
} from '@maestro/bench-tools';
import { createFlowKey, type FlowKey, PortKind, setFlowV4 } from '@maestro/hash';
import { type Cidr, compilePolicy, maskCidr, matchLinear, type Policy, type Rule } from '../src/index.js';

// 10 000 rules in the shape of a real rule base: source and destination blocks of /8../32 inside
// 10.0.0.0/8 and 172.16.0.0/12, TCP or UDP, a destination port or range; a quarter leave the
// source open, a tenth the protocol. Packets are drawn from the same space.
const RULES = 10_000;
const PACKETS = 1 << 15;

let seed = 0x9e3779b9;
function rnd(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}
function address(): number {
  return rnd() & 1 ? (0x0a000000 | (rnd() & 0x00ffffff)) >>> 0 : (0xac100000 | (rnd() & 0x000fffff)) >>> 0;
}
function block(): Cidr {
  const prefix = 12 + (rnd() % 21);
  return maskCidr({ family: 4, prefix, v4: address(), v6: new Uint8Array(16) });
}
const PORTS = [22, 25, 53, 80, 123, 443, 445, 3389, 8080, 8443];

const rules: Rule[] = [];
const spec = new Int32Array(RULES * 9);
for (let i = 0; i < RULES; i++) {
  const src = rnd() % 4 === 0 ? undefined : block();
  const dst = block();
  const proto = rnd() % 10 === 0 ? undefined : rnd() & 1 ? 6 : 17;
  const lo = rnd() % 3 === 0 ? 1024 + (rnd() % 60000) : (PORTS[rnd() % PORTS.length] as number);
  const hi = lo >= 1024 ? Math.min(65535, lo + (rnd() % 1000)) : lo;
  rules.push({
    match: {
      interfaces: [],
      vlans: [],
      source: src === undefined ? [] : [src],
      destination: [dst],
      protocols: proto === undefined ? [] : [proto],
      sourcePorts: [],
      destinationPorts: [{ from: lo, to: hi }],
    },
    action: { sync: 'none' },
  });
  spec.set([src?.v4 ?? 0, src?.prefix ?? 0, dst.v4, dst.prefix, proto ?? -1, lo, hi, 0, 0], i * 9);
}
const policy: Policy = { topology: { mode: 'auto', layer: 'l4', interfaces: [] }, rules, nat: [] };

const keys: FlowKey[] = [];
const packetSpec = new Uint32Array(PACKETS * 5);
for (let i = 0; i < PACKETS; i++) {
  const key = createFlowKey();
  // Half the packets aim at a rule's destination port, so that matches happen at all depths.
  const dport = rnd() & 1 ? (PORTS[rnd() % PORTS.length] as number) : rnd() & 0xffff;
  setFlowV4(key, rnd() & 1 ? 6 : 17, address(), address(), 1024 + (rnd() % 64000), dport, PortKind.PORTS);
  keys.push(key);
  packetSpec.set([key.srcV4, key.dstV4, key.protocol, key.srcPort, key.dstPort], i * 5);
}

const { ms: compileMs, sink: compiled } = timeOnce(() => compilePolicy(policy), { samples: 1 });
let hits = 0;
for (const k of keys) if (compiled.match(k, -1, 0) >= 0) hits++;

const cold = compilePolicy(policy, { flowCache: 0 });
const uncached = measure(
  (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) acc += cold.match(keys[i & (PACKETS - 1)] as FlowKey, -1, 0);
    return acc;
  },
  { minMs: 300, samples: 3, warmupMs: 200 },
);
const fast = measure((n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) acc += compiled.match(keys[i & (PACKETS - 1)] as FlowKey, -1, 0);
  return acc;
});
const linear = measure(
  (n) => {
    let acc = 0;
    for (let i = 0; i < n; i++) acc += matchLinear(policy, keys[i & (PACKETS - 1)] as FlowKey, -1, 0);
    return acc;
  },
  { minMs: 200, samples: 2, warmupMs: 100 },
);

const C_LINEAR = `
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <time.h>
static uint32_t s = 0x9e3779b9u;
static uint32_t rnd(void) { s ^= s << 13; s ^= s >> 17; s ^= s << 5; return s; }
int main(int argc, char **argv) {
  int n = atoi(argv[1]), p = atoi(argv[2]);
  FILE *f = fopen(argv[3], "rb");
  int32_t *r = malloc(sizeof(int32_t) * 9 * n); uint32_t *k = malloc(sizeof(uint32_t) * 5 * p);
  if (fread(r, sizeof(int32_t), 9 * n, f) != (size_t)(9 * n) || fread(k, sizeof(uint32_t), 5 * p, f) != (size_t)(5 * p)) return 1;
  uint32_t *sm = malloc(4 * n), *dm = malloc(4 * n);
  for (int i = 0; i < n; i++) {
    sm[i] = r[i*9+1] ? 0xffffffffu << (32 - r[i*9+1]) : 0;
    dm[i] = r[i*9+3] ? 0xffffffffu << (32 - r[i*9+3]) : 0;
  }
  long long iters = 0, acc = 0; struct timespec a, b; clock_gettime(CLOCK_MONOTONIC, &a);
  double el = 0;
  do {
    for (int j = 0; j < 4096; j++, iters++) {
      const uint32_t *q = k + 5 * (rnd() % p); int m = -1;
      for (int i = 0; i < n; i++) {
        const int32_t *x = r + 9 * i;
        if (((q[0] ^ (uint32_t)x[0]) & sm[i]) || ((q[1] ^ (uint32_t)x[2]) & dm[i])) continue;
        if (x[4] >= 0 && (uint32_t)x[4] != q[2]) continue;
        if (q[4] < (uint32_t)x[5] || q[4] > (uint32_t)x[6]) continue;
        m = i; break;
      }
      acc += m;
    }
    clock_gettime(CLOCK_MONOTONIC, &b); el = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
  } while (el < 0.5);
  printf("{\\"opsPerSec\\": %f, \\"sink\\": %lld}\\n", iters / el, acc);
  return 0;
}
`;

let cRate: number | undefined;
if (haveCompiler()) {
  const { writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const file = join(tmpdir(), `policy-bench-${process.pid}.bin`);
  const buf = new Uint8Array(spec.byteLength + packetSpec.byteLength);
  buf.set(new Uint8Array(spec.buffer), 0);
  buf.set(new Uint8Array(packetSpec.buffer), spec.byteLength);
  writeFileSync(file, buf);
  const bin = compileC(C_LINEAR, { name: 'policy-linear' });
  cRate = runJson<{ opsPerSec: number }>(bin, [RULES, PACKETS, file]).opsPerSec;
}

console.log(
  `policy matcher, ${RULES} rules, ${PACKETS} packets (${((100 * hits) / PACKETS).toFixed(1)} % match a rule); compile ${compileMs.toFixed(0)} ms`,
);
printTable([
  ['matcher', 'matches/s', 'vs C linear scan'],
  [
    'compiled, flow cache warm (64 Ki slots)',
    formatRate(fast.opsPerSec),
    cRate ? `${(fast.opsPerSec / cRate).toFixed(1)}x` : 'n/a',
  ],
  [
    'compiled, no cache (every lookup classified)',
    formatRate(uncached.opsPerSec),
    cRate ? `${(uncached.opsPerSec / cRate).toFixed(1)}x` : 'n/a',
  ],
  [
    'matchLinear (JS reference)',
    formatRate(linear.opsPerSec),
    cRate ? `${(linear.opsPerSec / cRate).toFixed(2)}x` : 'n/a',
  ],
  ['C linear first-match scan (cc -O3)', cRate ? formatRate(cRate) : 'no compiler', '1x'],
]);
console.log(
  `target >= 5 M/s: warm ${fast.opsPerSec >= 5e6 ? 'met' : 'NOT met'}, uncached ${uncached.opsPerSec >= 5e6 ? 'met' : 'NOT met'}; peak RSS ${peakRssMiB().toFixed(0)} MiB`,
);
