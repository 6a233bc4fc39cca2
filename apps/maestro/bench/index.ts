// End-to-end benchmark of the CLI: `pnpm --filter @maestro/app bench`.
// 1. maestro simulate on a generated 1 M-packet, 50 000-flow capture, 8 members, one failure half
//    way: packets/s end to end (process start to report) and peak memory.
// 2. maestro stats on the same file against a libpcap C loop that extracts the same 5-tuples.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  compileC,
  formatRate,
  haveCompiler,
  LIBPCAP_SOURCE,
  printTable,
  runJson,
} from '@maestro/bench-tools';
import { genArgs, simulateArgs } from './bench-run.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const PRELOAD = fileURLToPath(new URL('./rss-at-exit.cjs', import.meta.url));
const capture = join(tmpdir(), `maestro-bench-${process.pid}.pcap`);

function run(args: string[]): { seconds: number; maxRssMiB: number; stdout: string } {
  const start = performance.now();
  const r = spawnSync(process.execPath, ['-r', PRELOAD, CLI, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`maestro ${args.join(' ')} failed: ${r.stderr}`);
  const rss = /maestro-bench maxrss-kib (\d+)/.exec(r.stderr);
  return { seconds, maxRssMiB: rss ? Number(rss[1]) / 1024 : Number.NaN, stdout: r.stdout };
}

try {
  run(genArgs(capture));
  const sim = run(simulateArgs(capture));
  const report = JSON.parse(sim.stdout) as {
    packets: number;
    misdelivered: number;
    events: { connectionsLost: number }[];
  };
  const stats = run(['stats', capture, '--json']);
  let c: { packets: number; seconds: number } | undefined;
  if (haveCompiler() && existsSync('/usr/include/pcap/pcap.h')) {
    c = runJson(compileC(LIBPCAP_SOURCE, { name: 'libpcap-loop', libs: ['-lpcap'] }), [capture]);
  }
  const statsRate = report.packets / stats.seconds;
  const simRate = report.packets / sim.seconds;
  // The host's speed swings with its other tenants: the C loop of the same run is the yardstick.
  const vsC = (rate: number): string =>
    c ? `${(rate / (c.packets / c.seconds)).toFixed(3)}x` : 'n/a (no libpcap-dev)';
  printTable([
    ['run', 'packets/s', 'wall', 'peak RSS', 'vs libpcap loop'],
    [
      'maestro simulate (8 members, 1 failure)',
      formatRate(simRate),
      `${sim.seconds.toFixed(2)} s`,
      `${sim.maxRssMiB.toFixed(0)} MiB`,
      vsC(simRate),
    ],
    [
      'maestro stats',
      formatRate(statsRate),
      `${stats.seconds.toFixed(2)} s`,
      `${stats.maxRssMiB.toFixed(0)} MiB`,
      vsC(statsRate),
    ],
    [
      'libpcap C loop (cc -O3)',
      c ? formatRate(c.packets / c.seconds) : 'n/a',
      c ? `${c.seconds.toFixed(2)} s` : '',
      '',
      '1.00x',
    ],
  ]);
  console.log(
    `simulate: misdelivered ${report.misdelivered}, connections lost ${report.events[0]?.connectionsLost}`,
  );
  const target = simRate >= 1_000_000 ? 'met' : 'not met';
  console.log(`simulate target 1 M packets/s end to end: ${target} (${formatRate(simRate)})`);
  console.log(
    `load average (1, 5, 15 min): ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
  );
} finally {
  rmSync(capture, { force: true });
}
