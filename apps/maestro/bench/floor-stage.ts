// One stage of the floor of `maestro simulate` (see floor.ts), as a process of its own so that its
// wall time counts start-up as the simulate row does. Usage: node bench/dist/floor-stage.js STAGE CAPTURE
// Stage 0 reads and decodes every packet; 1 also finds (or inserts) each packet's connection in a
// symmetric flow table, the ground truth simulate keeps; 2 also hashes the packet by the mode of
// the VLAN it entered (the default topology's) and looks its bucket up in an 8-member table; 3 also
// finds (or inserts) the connection in that member's own table, as the member's correction layer
// does. Each stage records the packet on the entries it found, as simulate does.
import { statSync } from 'node:fs';
import { FlowTable } from '@maestro/flowtable';
import {
  copyFlowKey,
  createFlowKey,
  createToeplitz,
  type DistributionMode,
  distributionHash,
  MICROSOFT_RSS_KEY,
} from '@maestro/hash';
import { DecodeStatus } from '@maestro/pcap';
import { readCaptureFileSync } from '@maestro/pcap/node';
import { maglev, rebalance } from '@maestro/weighting';

const MEMBERS = 8;
const [stageText = '', path = ''] = process.argv.slice(2);
const stage = Number(stageText);
if (!(stage >= 0 && stage <= 3) || path === '') {
  throw new Error('usage: floor-stage.js 0|1|2|3 CAPTURE');
}

// Sized as simulate sizes its tables: one connection per 768 bytes of capture for the ground
// truth, 1.25x an even share for each member.
const hint = Math.min(2 ** 20, Math.max(4096, Math.ceil(statSync(path).size / 768)));
const registry = new FlowTable({ symmetric: true, capacity: hint });
const tables = Array.from(
  { length: MEMBERS },
  () => new FlowTable({ symmetric: true, capacity: Math.ceil((1.25 * hint) / MEMBERS) }),
);
const members = Array.from({ length: MEMBERS }, (_, i) => ({ id: `sgm${i + 1}`, weight: 1 }));
const table = rebalance(maglev(members, { size: 65_537 }), members);
const owners = table.owners;
const hasher = createToeplitz(MICROSOFT_RSS_KEY);
const modeOf = (vlan: number): DistributionMode =>
  vlan === 100 ? 'user' : vlan === 200 ? 'network' : 'general';

// A find of its own compiled code boxes the key's words (see Simulation.lookup): wrapped, V8 inlines it.
function findIn(t: FlowTable, k: typeof key): number {
  return t.find(k);
}
const key = createFlowKey();
let packets = 0;
const perMember = new Float64Array(MEMBERS);
const summary = readCaptureFileSync(path, (p) => {
  packets++;
  if (stage === 0 || p.status !== DecodeStatus.OK) return;
  const ms = p.timestampSec * 1000 + Math.floor(p.timestampNs / 1e6);
  copyFlowKey(p.flow, key);
  let h = findIn(registry, key);
  const reply = h >= 0 && registry.lastReply;
  if (h < 0) h = registry.insert(key, ms, 0, 0);
  registry.record(h, ms, p.originalLength, p.tcpFlags, reply);
  if (stage === 1) return;
  const m = owners[table.bucketOf(distributionHash(key, modeOf(p.vlan), 'l4', hasher))] as number;
  perMember[m] = (perMember[m] as number) + 1;
  if (stage === 2) return;
  const t = tables[m] as FlowTable;
  let e = findIn(t, key);
  const back = e >= 0 && t.lastReply;
  if (e < 0) e = t.insert(key, ms, m, m);
  t.record(e, ms, p.originalLength, p.tcpFlags, back);
});
if (summary.error !== null) throw summary.error;
process.stdout.write(
  `${JSON.stringify({ stage, packets, connections: registry.size, perMember: [...perMember] })}\n`,
);
