import type { Style } from '../cli/style.js';
import type { ClusterEvent } from './cluster-handle.js';

/** One member in the report of `maestro cluster run`. */
export interface ClusterMemberReport {
  readonly id: string;
  readonly weight: number;
  /** Packets it processed as owner, over all its processes. */
  readonly packets: number;
  /** Connections it owns at the end. */
  readonly connections: number;
  readonly state: string;
  /** Packets it forwarded to another member (correction hops). */
  readonly forwarded: number;
  /** Processes it ran (1 + restarts). */
  readonly processes: number;
  /** Split connections it gave up to the member that created them first (they live on there, not expired). */
  readonly yielded: number;
}

/** A failure: how long until the group noticed, and until the orchestrator used the new table. */
export interface FailoverReport {
  readonly member: string;
  readonly kind: 'kill' | 'stop';
  /** From the failure to the first member seeing it LOST; null when never detected. */
  readonly detectMs: number | null;
  /** From the failure to the orchestrator distributing by a table without it; null when never. */
  readonly tableMs: number | null;
  /** Packets the orchestrator handed to the dead or hung process before the new table. */
  readonly packetsToFailed: number;
}

/** A restart: how long until the member was back in the table with its bulk resync done. */
export interface ResyncReport {
  readonly member: string;
  /** Null when it did not finish before the end of the run. */
  readonly ms: number | null;
  /** HyperSync records the new process applied by then. */
  readonly records: number;
}

/** The report of `maestro cluster run` (`--json` prints it as is). */
export interface ClusterReport {
  readonly source: string;
  /** Packets per second asked for, and achieved. */
  readonly rate: number;
  readonly achievedRate: number;
  readonly packets: number;
  readonly skipped: number;
  readonly flows: number;
  readonly durationMs: number;
  readonly members: readonly ClusterMemberReport[];
  readonly connectionsLost: number;
  /** Packets sent but processed by no member (sent − processed). */
  readonly packetsDropped: number;
  readonly drops: {
    /** Handed to a killed process, or to one before its death and never reported processed. */
    readonly failedMember: number;
    /** Found no connection although it had been created: its state was lost. */
    readonly noConnection: number;
    /** Found no connection that never existed: its first packet was dropped (with a failed member). */
    readonly orphaned: number;
    readonly unknownFragment: number;
    readonly unknownIcmp: number;
    /** Waited too long (a hung member's backlog). */
    readonly stale: number;
    /** Reached a member not ACTIVE (restarting, fenced). */
    readonly notActive: number;
    readonly other: number;
    /** The rest: lost in flight (forwarded to a dead member, socket overflow). */
    readonly unaccounted: number;
  };
  /** Flows owned by two members at once at the end (must be 0). */
  readonly duplicateOwners: number;
  readonly corrections: number;
  readonly tableVersions: number;
  /** Members (with a weight above 0) of the table in force at the end. */
  readonly tableMembers: readonly string[];
  readonly failover: readonly FailoverReport[];
  readonly resync: readonly ResyncReport[];
  readonly sync: { readonly records: number; readonly bytes: number };
  readonly events: readonly ClusterEvent[];
}

function ms(value: number | null): string {
  return value === null ? 'never' : `${value} ms`;
}

/** The report as text for a terminal. */
export function renderClusterText(r: ClusterReport, style: Style): string {
  const lines: string[] = [];
  lines.push(style.bold(`maestro cluster run: ${r.source}`));
  lines.push(
    `  ${r.packets} packets (${r.flows} flows) at ${r.rate}/s asked, ${Math.round(r.achievedRate)}/s sent, ${(r.durationMs / 1000).toFixed(1)} s`,
  );
  lines.push('');
  lines.push('  member    state        packets  connections  forwarded  yielded  processes');
  for (const m of r.members) {
    lines.push(
      `  ${m.id.padEnd(8)}  ${m.state.padEnd(10)}  ${String(m.packets).padStart(9)}  ${String(m.connections).padStart(11)}  ${String(m.forwarded).padStart(9)}  ${String(m.yielded).padStart(7)}  ${String(m.processes).padStart(9)}`,
    );
  }
  lines.push('');
  const lost = `connections lost: ${r.connectionsLost}`;
  lines.push(`  ${r.connectionsLost === 0 ? style.green(lost) : style.red(lost)}`);
  const d = r.drops;
  lines.push(
    `  packets dropped:  ${r.packetsDropped} (failed member ${d.failedMember}, no connection ${d.noConnection}, orphaned ${d.orphaned}, stale ${d.stale}, not active ${d.notActive}, fragments ${d.unknownFragment}, icmp ${d.unknownIcmp}, other ${d.other}, unaccounted ${d.unaccounted})`,
  );
  lines.push(`  duplicate owners: ${r.duplicateOwners}`);
  lines.push(`  corrections:      ${r.corrections} forwarded packets`);
  lines.push(`  sync:             ${r.sync.records} records, ${r.sync.bytes} bytes`);
  lines.push(`  tables installed: ${r.tableVersions} (in force: ${r.tableMembers.join(', ')})`);
  for (const f of r.failover) {
    lines.push(
      `  failover ${f.member} (${f.kind}): detected after ${ms(f.detectMs)}, new table after ${ms(f.tableMs)}, ${f.packetsToFailed} packets sent to it meanwhile`,
    );
  }
  for (const s of r.resync) {
    lines.push(`  resync ${s.member}: back in ${ms(s.ms)}, ${s.records} records applied`);
  }
  if (r.events.length > 0) {
    lines.push('');
    lines.push('  events:');
    for (const e of r.events) lines.push(`    ${(e.at / 1000).toFixed(3).padStart(8)} s  ${e.detail}`);
  }
  return `${lines.join('\n')}\n`;
}
