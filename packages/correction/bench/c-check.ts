import type { MemberEngine } from '../src/index.js';
import type { CDecisionResult } from './c-decision.js';

/** The outcomes of a run that the C baseline and an engine must agree on (see {@link cDifferences}). */
export type DecisionSummary = Pick<
  CDecisionResult,
  | 'process'
  | 'forward'
  | 'create'
  | 'drop'
  | 'noConnection'
  | 'natExhausted'
  | 'nat'
  | 'asymmetric'
  | 'messages'
  | 'connections'
  | 'aliases'
  | 'packets'
  | 'bytes'
  | 'states'
  | 'backups'
>;

/** The fields of a {@link DecisionSummary}, in the order differences are listed. */
const SUMMARY_FIELDS: readonly (keyof DecisionSummary)[] = [
  'process',
  'forward',
  'create',
  'drop',
  'noConnection',
  'natExhausted',
  'nat',
  'asymmetric',
  'messages',
  'connections',
  'aliases',
  'packets',
  'bytes',
  'states',
  'backups',
];

/**
 * An engine's counters after the fill and the stream, the messages it sent (counted by the
 * bench as it drained them), and what its owned table holds: connections, translated tuples, the
 * packets and bytes recorded on them, how many are in each TCP state and have each backup.
 */
export function engineSummary(engine: MemberEngine, messages: number, members: number): DecisionSummary {
  const stats = engine.stats();
  const owned = engine.owned;
  let packets = 0;
  let bytes = 0;
  const states = new Array<number>(13).fill(0);
  const backups = new Array<number>(members).fill(0);
  for (let h = 0; h < owned.size; h++) {
    packets += owned.packets(h);
    bytes += owned.bytes(h);
    const state = owned.state(h);
    states[state] = (states[state] ?? 0) + 1;
    const backup = owned.backup(h);
    backups[backup] = (backups[backup] ?? 0) + 1;
  }
  return {
    process: stats.process,
    forward: stats.forward,
    create: stats.create,
    drop: stats.drop,
    noConnection: stats.drops.noConnection,
    natExhausted: stats.drops.natExhausted,
    nat: stats.reasons.nat.decisions,
    asymmetric: stats.reasons.asymmetric.decisions,
    messages,
    connections: owned.size,
    aliases: owned.aliasCount,
    packets,
    bytes,
    states,
    backups,
  };
}

/**
 * Where the C baseline's outcomes differ from an engine's (`name` labels the engine), one line
 * each; also any packet the C counted as unsupported or invalid. Empty when they agree.
 */
export function cDifferences(name: string, js: DecisionSummary, c: CDecisionResult): string[] {
  const lines: string[] = [];
  for (const field of SUMMARY_FIELDS) {
    const a = String(js[field]);
    const b = String(c[field]);
    if (a !== b) lines.push(`${name}: ${field} ${a}, C ${b}`);
  }
  if (c.unsupported !== 0 || c.invalid !== 0) {
    lines.push(`C: ${c.unsupported} packets of kinds it does not model, ${c.invalid} impossible packets`);
  }
  return lines;
}
