// The live group's capacity: `pnpm --filter @maestro/app bench:cluster`.
// The highest rate (packets/s) at which a 4-member group of processes over UDP loopback drops no
// packet, searched over rates (doubling, then bisection; bounded trials of a few seconds of
// generated traffic each), then one run at that rate with a member SIGKILLed for the detection
// and failover times. There is no C baseline: the figure is the whole group's, sockets included.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { formatRate, printTable } from '@maestro/bench-tools';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
/** Seconds of traffic per trial. */
const TRIAL_SECONDS = 4;
const MAX_TRIALS = 8;
const START_RATE = 2000;
/** A rate counts only if the orchestrator really sent at 95 % of it. */
const SENT_SHARE = 0.95;

interface Report {
  readonly packets: number;
  readonly achievedRate: number;
  readonly packetsDropped: number;
  readonly drops: Readonly<Record<string, number>>;
  readonly connectionsLost: number;
  readonly failover: readonly { detectMs: number | null; tableMs: number | null }[];
}

function runCluster(rate: number, extra: readonly string[]): Report {
  const packets = Math.round(rate * TRIAL_SECONDS);
  const args = [
    CLI,
    'cluster',
    'run',
    '--packets',
    String(packets),
    '--flows',
    '2000',
    '--rate',
    String(rate),
  ];
  const r = spawnSync(process.execPath, [...args, ...extra, '--json'], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`maestro cluster run at ${rate}/s failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Report;
}

function dropKinds(r: Report): string {
  const kinds = Object.entries(r.drops).filter(([, n]) => n > 0);
  return kinds.length === 0 ? '' : ` (${kinds.map(([k, n]) => `${k} ${n}`).join(', ')})`;
}

function clean(rate: number): { ok: boolean; report: Report } {
  const report = runCluster(rate, []);
  const ok = report.packetsDropped === 0 && report.achievedRate >= SENT_SHARE * rate;
  console.log(
    `  ${String(rate).padStart(7)}/s asked, ${Math.round(report.achievedRate)}/s sent, ${report.packetsDropped} dropped${dropKinds(report)}: ${ok ? 'clean' : 'not clean'}`,
  );
  return { ok, report };
}

console.log(
  `load average before: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (2 cores, shared)`,
);
let good = 0;
let bad = 0;
let rate = START_RATE;
let trials = 0;
// Doubling until a trial is not clean, then bisection between the last clean and the first not.
while (trials < MAX_TRIALS) {
  trials++;
  if (clean(rate).ok) good = rate;
  else bad = rate;
  if (bad === 0) rate *= 2;
  else if (good === 0) rate = Math.max(100, Math.floor(rate / 2));
  else if (bad - good <= Math.max(250, good / 10)) break;
  else rate = Math.floor((good + bad) / 2);
}
if (good === 0) {
  console.log('no clean rate found');
  process.exit(1);
}
const failover = runCluster(good, ['--kill', `sgm2@${Math.min(2, TRIAL_SECONDS / 2)}s`]);
const f = failover.failover[0];
console.log(
  `load average after:  ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
printTable([
  ['measure', 'value'],
  ['highest clean rate (4 members, 0 drops)', `${good} packets/s (${formatRate(good)})`],
  ['first rate with drops', bad === 0 ? 'not reached' : `${bad} packets/s`],
  ['failure detected (SIGKILL to first LOST)', `${f?.detectMs ?? 'never'} ms`],
  ['new table in force (SIGKILL to table)', `${f?.tableMs ?? 'never'} ms`],
  ['packets dropped in that failover run', String(failover.packetsDropped)],
  ['connections lost in that failover run', String(failover.connectionsLost)],
]);
