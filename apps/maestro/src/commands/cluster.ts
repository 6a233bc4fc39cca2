import { fileURLToPath } from 'node:url';
import type { Command } from '../cli/command.js';
import { CliError } from '../cli/errors.js';
import type { Io } from '../cli/io.js';
import {
  flag,
  integerValue,
  numberValue,
  type OptionSpec,
  type Parsed,
  parseCommandArgs,
  stringOption,
  stringsOption,
} from '../cli/options.js';
import { createStyle } from '../cli/style.js';
import { Cluster, type ClusterOptions } from '../cluster/cluster.js';
import { loopThrough, replayThrough } from '../cluster/cluster-run.js';
import { runMemberProcess } from '../cluster/member-process.js';
import { loadReplay, type TrafficSource } from '../cluster/replay.js';
import { renderClusterText } from '../cluster/report.js';
import { parseSchedule } from '../cluster/schedule.js';
import { startDashboard } from '../dashboard/index.js';
import { resolveSettings, type SimulationFlags } from '../simulation/settings.js';

const HELP = `maestro cluster run [CAPTURE] [options]
maestro cluster up [CAPTURE] [options]

Runs a security group as real processes on loopback: an orchestrator (this process) and one
process per member (sgm1..sgmN), each with its own UDP socket on 127.0.0.1 (ports chosen free).
Members run the packages unchanged: the correction layer with its flow tables and expiry
(packets forwarded to their owner over UDP), HyperSync heartbeats, views, the agreed
distribution table and connection sync over UDP. A member the others see LOST leads to a new
table, which the orchestrator installs once every member of the view is ready for it.

"run" replays a capture (the bundled sample without CAPTURE, or generated traffic with
--packets) at --rate packets/s, applies the scheduled failures, and reports. "up" starts the
same group, replays the traffic in a loop, serves a live dashboard on 127.0.0.1 (member
states, load, corrections, sync, events; kill, restart and re-weight buttons) and runs until
Ctrl-C, printing its events.
Every member process ends with the orchestrator, even when the orchestrator is killed.

Options:
  --members N|LIST      N members sgm1..sgmN (default 4), or sgm1=100,sgm2=300,...
  --rate PPS            packets per second sent (default 1000)
  --packets N           replay generated traffic of N packets instead of a capture
  --flows F             concurrent flows of the generated traffic (default 1000)
  --seed S              seed of the generated traffic (default 1)
  --kill M@T            SIGKILL member M at T (seconds, or ms with "ms") from the first packet
  --stop M@T            SIGSTOP member M (a hung member)
  --cont M@T            SIGCONT member M
  --restart M@T         start a fresh process for M: it rejoins and gets a bulk resync
  --sync-loss SHARE     share (0..0.9) of HyperSync SYNC/ACK datagrams members drop
  --heartbeat-ms MS     HyperSync heartbeat interval (default 100)
  --dead-ms MS          silence after which a member is LOST (default 1000)
  --mode MODE           auto, general, user, network (default auto)
  --l3, --l4            Layer-3 or Layer-4 distribution
  --topology FILE       topology file (default: VLAN 100 internal, VLAN 200 external)
  --hash H              toeplitz, symmetric, keyed:<16 hex digits>
  --table-size N        distribution table buckets, a prime (default 65537)
  --json                the report as JSON on stdout (run)
  --port N              dashboard port on 127.0.0.1 (up; default: a free one)
  -h, --help            this text

The kill, stop, cont and restart options repeat (run). A new weight (dashboard) restarts the
member with it: members take their weight at start. NAT and policy rules are not applied by the
live group (use "maestro simulate" for them).

Examples:
  maestro cluster run
  maestro cluster run --rate 3000 --kill sgm2@3s --restart sgm2@6s
  maestro cluster run --stop sgm3@2s --cont sgm3@5s --sync-loss 0.1 --json
  maestro cluster run --packets 50000 --flows 5000 --rate 10000 --members 6
  maestro cluster up --members 4 --port 8080
`;

const DEFAULT_RATE = 1000;

const FLAGS: OptionSpec = {
  port: { type: 'string' },
  members: { type: 'string' },
  rate: { type: 'string' },
  packets: { type: 'string' },
  flows: { type: 'string' },
  seed: { type: 'string' },
  kill: { type: 'string', multiple: true },
  stop: { type: 'string', multiple: true },
  cont: { type: 'string', multiple: true },
  restart: { type: 'string', multiple: true },
  'sync-loss': { type: 'string' },
  'heartbeat-ms': { type: 'string' },
  'dead-ms': { type: 'string' },
  mode: { type: 'string' },
  l3: { type: 'boolean' },
  l4: { type: 'boolean' },
  topology: { type: 'string' },
  hash: { type: 'string' },
  'table-size': { type: 'string' },
  json: { type: 'boolean' },
};

/** `maestro cluster`: a live security group of processes over UDP loopback. */
export const clusterCommand: Command = {
  name: 'cluster',
  summary: 'run a security group as real processes over UDP loopback, with failure injection',
  help: HELP,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === 'member') return runMemberProcess();
    if (sub !== 'run' && sub !== 'up') {
      throw new CliError(
        `cluster: expected "run" or "up", got ${sub === undefined ? 'nothing' : JSON.stringify(sub)} (see maestro cluster --help)`,
      );
    }
    const parsed = parseCommandArgs(`cluster ${sub}`, rest, FLAGS);
    const setup = clusterSetup(parsed, sub);
    return sub === 'run' ? run(parsed, setup, io) : up(parsed, setup, io);
  },
};

interface Setup {
  readonly options: ClusterOptions;
  readonly source: TrafficSource;
  readonly flags: SimulationFlags;
}

function optionalInteger(parsed: Parsed, name: string, fallback: number, min: number, max: number): number {
  const text = stringOption(parsed, name);
  return text === undefined ? fallback : integerValue(text, `--${name}`, min, max);
}

function clusterSetup(parsed: Parsed, sub: 'run' | 'up'): Setup {
  if (flag(parsed, 'l3') && flag(parsed, 'l4'))
    throw new CliError('cluster: --l3 and --l4 exclude each other');
  if (parsed.positionals.length > 1) {
    throw new CliError(`cluster ${sub}: unexpected argument ${JSON.stringify(parsed.positionals.at(-1))}`);
  }
  const capture = parsed.positionals[0];
  const flags: SimulationFlags = {
    capture,
    members: stringOption(parsed, 'members'),
    mode: stringOption(parsed, 'mode'),
    layer: flag(parsed, 'l3') ? 'l3' : flag(parsed, 'l4') ? 'l4' : undefined,
    tableSize: stringOption(parsed, 'table-size'),
    topology: stringOption(parsed, 'topology'),
    hash: stringOption(parsed, 'hash'),
    events: [],
  };
  const settings = resolveSettings(flags);
  if (settings.members.length > 64) throw new CliError('cluster: at most 64 member processes');
  const heartbeatMs = optionalInteger(parsed, 'heartbeat-ms', 100, 10, 10_000);
  const deadMs = optionalInteger(parsed, 'dead-ms', Math.max(1000, 3 * heartbeatMs), 20, 60_000);
  if (deadMs <= 2 * heartbeatMs)
    throw new CliError(`--dead-ms (${deadMs}) must be more than twice --heartbeat-ms (${heartbeatMs})`);
  const lossText = stringOption(parsed, 'sync-loss');
  const packetsText = stringOption(parsed, 'packets');
  if (packetsText !== undefined && capture !== undefined)
    throw new CliError(`cluster ${sub}: give a CAPTURE or --packets, not both`);
  const source: TrafficSource =
    packetsText === undefined
      ? { kind: 'capture', path: capture ?? bundledSample() }
      : {
          kind: 'generate',
          packets: integerValue(packetsText, '--packets', 1, 10_000_000),
          flows: optionalInteger(parsed, 'flows', 1000, 1, 1_000_000),
          seed: optionalInteger(parsed, 'seed', 1, 0, 0xffff_ffff),
        };
  const { capture: _ignored, ...memberFlags } = flags;
  return {
    flags,
    source,
    options: {
      entry: fileURLToPath(import.meta.url),
      members: settings.members,
      flags: memberFlags,
      heartbeatMs,
      deadMs,
      tableSize: settings.tableSize,
      syncLoss: lossText === undefined ? 0 : numberValue(lossText, '--sync-loss', 0, 0.9),
    },
  };
}

async function run(parsed: Parsed, setup: Setup, io: Io): Promise<number> {
  const ids = setup.options.members.map((m) => m.id);
  const schedule = parseSchedule(
    {
      kill: stringsOption(parsed, 'kill'),
      stop: stringsOption(parsed, 'stop'),
      cont: stringsOption(parsed, 'cont'),
      restart: stringsOption(parsed, 'restart'),
    },
    ids,
  );
  const rate = rateOption(parsed);
  const replay = loadReplay(setup.source, resolveSettings(setup.flags));
  const cluster = await Cluster.start(setup.options);
  const stop = onSignals(cluster);
  try {
    const report = await replayThrough(cluster, replay, { rate, schedule });
    if (flag(parsed, 'json')) io.out(`${JSON.stringify(report, null, 2)}\n`);
    else io.out(renderClusterText(report, createStyle(io.color)));
  } finally {
    stop();
    await cluster.close();
  }
  if (replay.damage !== null) {
    io.err(`maestro: ${replay.damage}\n`);
    return 1;
  }
  return 0;
}

async function up(parsed: Parsed, setup: Setup, io: Io): Promise<number> {
  const port = optionalInteger(parsed, 'port', 0, 0, 65535);
  const rate = rateOption(parsed);
  const replay = loadReplay(setup.source, resolveSettings(setup.flags));
  const cluster = await Cluster.start(setup.options);
  const stopSignals = onSignals(cluster);
  const style = createStyle(io.color);
  cluster.onEvent((e) => io.out(`${(e.at / 1000).toFixed(3).padStart(9)} s  ${e.detail}\n`));
  for (const m of cluster.snapshot().members) io.out(`${m.id}  pid ${m.pid ?? '-'}  ${m.state}\n`);
  const stopTraffic = loopThrough(cluster, replay, rate);
  let dashboard: { url: string; close(): Promise<void> } | undefined;
  try {
    dashboard = await startDashboard(cluster, { port });
  } catch (error) {
    stopTraffic();
    stopSignals();
    await cluster.close();
    throw error;
  }
  io.out(`dashboard: ${dashboard.url}\n`);
  io.out(style.dim(`replaying ${replay.source} in a loop at ${rate} packets/s; Ctrl-C stops the group\n`));
  stopSignals();
  await new Promise<void>((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      process.off('SIGHUP', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
    process.on('SIGHUP', done);
  });
  stopTraffic();
  await dashboard.close();
  await cluster.close();
  return 0;
}

function rateOption(parsed: Parsed): number {
  const text = stringOption(parsed, 'rate');
  return text === undefined ? DEFAULT_RATE : numberValue(text, '--rate', 1, 10_000_000);
}

/** Ctrl-C or SIGTERM during a run: end every member, then exit. Returns the uninstaller. */
function onSignals(cluster: Cluster): () => void {
  const handler = (): void => {
    cluster.close().finally(() => process.exit(130));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.on('SIGHUP', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
    process.off('SIGHUP', handler);
  };
}

function bundledSample(): string {
  return fileURLToPath(new URL('../samples/sample.pcap', import.meta.url));
}
