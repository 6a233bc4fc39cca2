import { statSync, unlinkSync } from 'node:fs';
import {
  compileC,
  formatRate,
  haveCompiler,
  LIBPCAP_SOURCE,
  peakRssMiB,
  printTable,
  runJson,
} from '@maestro/bench-tools';
import { PortKind } from '@maestro/hash';
import { DecodeStatus, type PacketRecord } from '../src/index.js';
import { generateCaptureFile, readCaptureFileSync } from '../src/node.js';
import { pcapParserRun } from './pcap-parser-baseline.js';

// Run with: pnpm --filter @maestro/pcap bench   (BENCH_BIG_GB=0 skips the multi-GB memory run)
// Rates are packets per second of wall time and of process CPU time: on a shared machine the CPU
// figure is the steadier one, and the ratios use it.
const PACKETS = 1_000_000;
const bigGb = Number(process.env['BENCH_BIG_GB'] ?? 3);

interface Run {
  readonly packets: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly sum: number;
}

let sum = 0;
function fold(p: PacketRecord): void {
  if (p.status !== DecodeStatus.OK) return;
  const f = p.flow;
  let src = f.srcV4;
  let dst = f.dstV4;
  if (f.family === 6) {
    src = 0;
    dst = 0;
    const s6 = f.src6;
    const d6 = f.dst6;
    for (let i = 0; i < 16; i += 4) {
      src ^=
        ((s6[i] as number) << 24) |
        ((s6[i + 1] as number) << 16) |
        ((s6[i + 2] as number) << 8) |
        (s6[i + 3] as number);
      dst ^=
        ((d6[i] as number) << 24) |
        ((d6[i + 1] as number) << 16) |
        ((d6[i + 2] as number) << 8) |
        (d6[i + 3] as number);
    }
  }
  const ports = f.portKind === PortKind.PORTS ? f.srcPort ^ f.dstPort : 0;
  sum = (sum + ((src ^ dst ^ f.protocol ^ ports) >>> 0)) >>> 0;
}

function ours(path: string): Run {
  sum = 0;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const summary = readCaptureFileSync(path, fold);
  const cpu = process.cpuUsage(cpu0);
  if (summary.error !== null) throw summary.error;
  return {
    packets: summary.packets,
    seconds: (performance.now() - start) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    sum,
  };
}

function best(runs: number, run: () => Run): Run {
  let top = run();
  for (let i = 1; i < runs; i++) {
    const r = run();
    if (r.cpuSeconds < top.cpuSeconds) top = r;
  }
  return top;
}

const rate = (r: Run): string =>
  `${formatRate(r.packets / r.seconds)} wall, ${formatRate(r.packets / r.cpuSeconds)} cpu`;

// 1. Peak memory on a capture of several GB, first, while this process is still small.
if (bigGb > 0) {
  const path = '/tmp/maestro-pcap-bench-big.pcap';
  const t0 = performance.now();
  generateCaptureFile(path, { packets: Math.round((bigGb * 2 ** 30) / 450), seed: 9 });
  const genSeconds = (performance.now() - t0) / 1000;
  const size = statSync(path).size;
  const before = peakRssMiB();
  try {
    const r = ours(path);
    console.log(
      `multi-GB: ${(size / 2 ** 30).toFixed(2)} GiB, ${r.packets} packets; generated in ${genSeconds.toFixed(1)} s, ` +
        `read + decoded at ${rate(r)}; peak RSS ${before.toFixed(0)} MiB before reading, ${peakRssMiB().toFixed(0)} MiB after`,
    );
  } finally {
    unlinkSync(path);
  }
}

// 2. Read + decode to flow keys on 1M-packet generated captures: whole packets, then headers only.
const libpcap = haveCompiler() ? compileC(LIBPCAP_SOURCE, { name: 'libpcap_loop', libs: ['-lpcap'] }) : null;
const rows: (string | number)[][] = [['capture', 'reader', 'packets/s', 'ours / it (cpu)', '5-tuple sum']];
for (const [label, snaplen] of [
  ['whole packets', 262_144],
  ['snaplen 128', 128],
] as const) {
  const path = `/tmp/maestro-pcap-bench-${String(snaplen)}.pcap`;
  const tg = performance.now();
  generateCaptureFile(path, { packets: PACKETS, seed: 1 }, { snaplen });
  const mib = statSync(path).size / 2 ** 20;
  console.log(
    `${label}: generated ${PACKETS} packets (${mib.toFixed(0)} MiB) in ${((performance.now() - tg) / 1000).toFixed(2)} s`,
  );
  try {
    ours(path); // warm-up: JIT and page cache
    const js = best(3, () => ours(path));
    const jsCpuRate = js.packets / js.cpuSeconds;
    rows.push([label, '@maestro/pcap readCaptureFileSync + decode', rate(js), '1.00', js.sum]);
    if (libpcap !== null) {
      const c = best(3, () => runJson<Run>(libpcap, [path]));
      rows.push([
        label,
        'libpcap pcap_next_ex + C decode',
        rate(c),
        (jsCpuRate / (c.packets / c.cpuSeconds)).toFixed(2),
        c.sum % 2 ** 32,
      ]);
    }
    const pp = await pcapParserRun(path);
    rows.push([
      label,
      'npm pcap-parser + same JS decode',
      rate(pp),
      (jsCpuRate / (pp.packets / pp.cpuSeconds)).toFixed(1),
      pp.sum,
    ]);
  } finally {
    unlinkSync(path);
  }
}
printTable(rows);
