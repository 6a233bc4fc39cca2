import { statSync, unlinkSync } from 'node:fs';
import { loadavg } from 'node:os';
import {
  compileC,
  formatRate,
  haveCompiler,
  LIBPCAP_SOURCE,
  peakRssMiB,
  printTable,
  runJson,
} from '@maestro/bench-tools';
import { generateCaptureFile } from '../src/node.js';
import { childRun, oursReader, type ReaderName } from './readers.js';
import { type Contender, cpuRate, interleave, median, type Run, roundRatios, wallRate } from './rounds.js';

// Run with: pnpm --filter @maestro/pcap bench
//   BENCH_ROUNDS=n   interleaved rounds per capture (default 9)
//   BENCH_BIG_GB=0   skips the multi-GB memory run (default 3)
// Each round runs every reader once, in a rotating order, each in a fresh process that warms up
// on the same file first (JIT, page cache; see childRun). Rates are packets per second of process CPU time (the
// steadier figure on a shared machine) and of wall time; each ratio is taken within a round, and
// the median over the rounds is reported with the lowest and highest.

async function main(): Promise<void> {
  const packets = 1_000_000;
  const rounds = Number(process.env['BENCH_ROUNDS'] ?? 9);
  const bigGb = Number(process.env['BENCH_BIG_GB'] ?? 3);
  console.log(`load average at start: ${load()}; ${String(rounds)} rounds per capture`);

  // 1. Peak memory on a capture of several GB, while this process is still small.
  if (bigGb > 0) {
    const path = '/tmp/maestro-pcap-bench-big.pcap';
    const t0 = performance.now();
    generateCaptureFile(path, { packets: Math.round((bigGb * 2 ** 30) / 450), seed: 9 });
    const genSeconds = (performance.now() - t0) / 1000;
    const size = statSync(path).size;
    const before = peakRssMiB();
    try {
      const r = oursReader()(path);
      console.log(
        `multi-GB: ${(size / 2 ** 30).toFixed(2)} GiB, ${String(r.packets)} packets; generated in ${genSeconds.toFixed(1)} s, ` +
          `read + decoded at ${formatRate(cpuRate(r))} cpu, ${formatRate(wallRate(r))} wall; ` +
          `peak RSS ${before.toFixed(0)} MiB before reading, ${peakRssMiB().toFixed(0)} MiB after`,
      );
    } finally {
      unlinkSync(path);
    }
  }

  // 2. Read + decode to flow keys on 1 M-packet generated captures: whole packets, headers only.
  const libpcap = haveCompiler()
    ? compileC(LIBPCAP_SOURCE, { name: 'libpcap_loop', libs: ['-lpcap'] })
    : null;
  const rows: (string | number)[][] = [
    [
      'capture',
      'reader',
      'cpu rate, median',
      'wall rate, median',
      'ours / it, cpu',
      'ours / it, wall',
      '5-tuple sum',
    ],
  ];
  for (const [label, snaplen] of [
    ['whole packets', 262_144],
    ['snaplen 128', 128],
  ] as const) {
    const path = `/tmp/maestro-pcap-bench-${String(snaplen)}.pcap`;
    const tg = performance.now();
    generateCaptureFile(path, { packets, seed: 1 }, { snaplen });
    const mib = statSync(path).size / 2 ** 20;
    console.log(
      `${label}: generated ${String(packets)} packets (${mib.toFixed(0)} MiB) in ${((performance.now() - tg) / 1000).toFixed(2)} s`,
    );
    try {
      const contenders: Contender[] = [
        { name: '@maestro/pcap readCaptureFileSync + decode', run: () => inChild('ours', path) },
        { name: 'npm pcap-parser + same JS decode', run: () => inChild('pcap-parser', path) },
      ];
      if (libpcap !== null) {
        contenders.push({
          name: 'libpcap pcap_next_ex + C decode',
          run: () => {
            const c = runJson<Run>(libpcap, [path]);
            return { ...c, sum: c.sum % 2 ** 32 };
          },
        });
      }
      if (libpcap !== null) runJson(libpcap, [path]); // page cache
      const runs = await interleave(contenders, rounds);
      const mine = runs[0] as Run[];
      for (const [i, c] of contenders.entries()) {
        const theirs = runs[i] as Run[];
        rows.push([
          label,
          c.name,
          formatRate(median(theirs.map(cpuRate))),
          formatRate(median(theirs.map(wallRate))),
          i === 0 ? '1.00' : spread(roundRatios(mine, theirs, cpuRate)),
          i === 0 ? '1.00' : spread(roundRatios(mine, theirs, wallRate)),
          [...new Set(theirs.map((r) => r.sum))].join(' / '),
        ]);
      }
    } finally {
      unlinkSync(path);
    }
  }
  printTable(rows);
  console.log('ratios: median over rounds of the same-round ratio (lowest-highest)');
  console.log(`load average at end: ${load()}`);
}

/** One timed run of a JavaScript reader in a fresh node process (see {@link childRun}). */
function inChild(name: ReaderName, path: string): Run {
  const script = process.argv[1] as string;
  return runJson<Run>(process.execPath, ['--expose-gc', '--no-deprecation', script, '--child', name, path]);
}

function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
}

function spread(values: readonly number[]): string {
  const f = (x: number): string => x.toFixed(2);
  return `${f(median(values))} (${f(Math.min(...values))}-${f(Math.max(...values))})`;
}

if (process.argv[2] === '--child') {
  const run = await childRun(process.argv[3] as ReaderName, process.argv[4] as string);
  console.log(JSON.stringify(run));
} else {
  await main();
}
