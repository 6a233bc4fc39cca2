// Floor of `maestro simulate`: `pnpm --filter @maestro/app bench:floor`.
// Times, end to end in processes of their own, the part of simulate's per-packet work that the
// issue's design cannot skip (read and decode, find the packet's connection in the ground truth,
// hash it to a member, find it in that member's table: bench/floor-stage.ts), stage by stage,
// against simulate itself on the same 1 M-packet capture, in alternating rounds. What simulate
// does beyond the last stage (the correction layer's decisions and messages, sync accounting, the
// timeline, expiry sweeps, the failure, NAT and ConnectControl checks) has to fit in the difference.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatRate, printTable } from '@maestro/bench-tools';
import { genArgs, PACKETS, simulateArgs } from './bench-run.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const STAGE = fileURLToPath(new URL('./dist/floor-stage.js', import.meta.url));
const ROUNDS = 3;
const capture = join(tmpdir(), `maestro-floor-${process.pid}.pcap`);

const STAGES = [
  'read and decode every packet',
  '+ find or insert its connection in the ground truth (one flow table)',
  "+ hash it by its VLAN's mode to one of 8 members (65 537-bucket table)",
  "+ find or insert it in that member's own flow table",
];

function seconds(args: string[]): number {
  const start = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const s = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${r.stderr}`);
  return s;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

try {
  seconds([CLI, ...genArgs(capture)]);
  const simulate = [CLI, ...simulateArgs(capture)];
  const times: number[][] = [[], [], [], [], []];
  for (let round = 0; round < ROUNDS; round++) {
    (times[4] as number[]).push(seconds(simulate));
    for (let stage = 0; stage < STAGES.length; stage++) {
      (times[stage] as number[]).push(seconds([STAGE, String(stage), capture]));
    }
  }
  const sim = median(times[4] as number[]);
  const rows: string[][] = [['stage', 'wall (median)', 'packets/s', 'of simulate']];
  for (let stage = 0; stage < STAGES.length; stage++) {
    const s = median(times[stage] as number[]);
    rows.push([
      STAGES[stage] as string,
      `${s.toFixed(2)} s`,
      formatRate(PACKETS / s),
      `${((100 * s) / sim).toFixed(0)} %`,
    ]);
  }
  rows.push([
    'maestro simulate (8 members, 1 failure)',
    `${sim.toFixed(2)} s`,
    formatRate(PACKETS / sim),
    '100 %',
  ]);
  printTable(rows);
  const floor = median(times[3] as number[]);
  const left = 1 - floor;
  console.log(
    left > 0
      ? `1 M packets/s end to end leaves ${left.toFixed(2)} s for all simulate does beyond the last stage; it spends ${(sim - floor).toFixed(2)} s there.`
      : `the last stage alone takes ${floor.toFixed(2)} s: more than 1 M packets/s end to end allows, before simulate's own work (${(sim - floor).toFixed(2)} s here).`,
  );
  console.log(
    `rounds: ${ROUNDS}, alternating; load average (1, 5, 15 min): ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
  );
} finally {
  rmSync(capture, { force: true });
}
