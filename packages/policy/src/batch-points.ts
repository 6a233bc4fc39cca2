import { PACKET_WORDS, PacketWord } from './packet-batch.js';
import { PORTS_KIND } from './packet-point.js';
import { POINT_STRIDE, ROOT_WORD } from './point-layout.js';
import {
  F_DPORT,
  F_DST4,
  F_DST6,
  F_IFACE,
  F_PROTO,
  F_SPORT,
  F_SRC,
  F_VLAN,
  NO_PORTS,
  SIGN,
} from './rule-boxes.js';
import { Code } from './wasm-emit.js';

/**
 * The conversion of a {@link PacketBatch}'s packets into points, twice: in JavaScript
 * ({@link batchPoints}) and as a WebAssembly function for the tree kernel ({@link convertCode}),
 * which does it without bounds checks. Both refuse the same packets and write the same points.
 * Internal to the package.
 */

/**
 * Writes packets `from .. from+count-1` of `words` (a batch's words) as points into `out` (packet
 * `from + l` at `POINT_STRIDE * l`, with the root of its family's tree, `root4` or `root6`, in its
 * root word) and their families into `families[l]`. Returns `count`, or the lane of the first
 * packet refused: family not 4 or 6, port kind not 0..3, protocol not 0..255, a port not
 * 0..65535, VLAN not 0..4095.
 */
export function batchPoints(
  words: Int32Array,
  from: number,
  count: number,
  interfaceCount: number,
  out: Int32Array,
  families: Int32Array,
  root4: number,
  root6: number,
): number {
  for (let l = 0; l < count; l++) {
    const r = PACKET_WORDS * (from + l);
    const at = POINT_STRIDE * l;
    const f = words[r + PacketWord.FAMILY] as number;
    const kind = words[r + PacketWord.PORT_KIND] as number;
    const vlan = words[r + PacketWord.VLAN] as number;
    const protocol = words[r + PacketWord.PROTOCOL] as number;
    const sp = words[r + PacketWord.SRC_PORT] as number;
    const dp = words[r + PacketWord.DST_PORT] as number;
    if (
      kind >>> 0 > 3 ||
      vlan >>> 0 > 4095 ||
      protocol >>> 0 > 255 ||
      sp >>> 0 > 0xffff ||
      dp >>> 0 > 0xffff ||
      (f !== 4 && f !== 6)
    ) {
      return l;
    }
    const iface = words[r + PacketWord.IFACE] as number;
    const known = ((iface - interfaceCount) >> 31) & ~(iface >> 31);
    out[at + F_IFACE] = (iface + 1) & known;
    out[at + F_VLAN] = vlan;
    out[at + F_PROTO] = protocol;
    // 0 for PortKind.PORTS, 1 for the three kinds without ports.
    const noPorts = ((kind ^ PORTS_KIND) + 3) >> 2;
    const keep = noPorts - 1;
    out[at + F_SPORT] = (sp & keep) | (NO_PORTS & -noPorts);
    out[at + F_DPORT] = (dp & keep) | (NO_PORTS & -noPorts);
    families[l] = f;
    if (f === 4) {
      out[at + F_SRC] = (words[r + PacketWord.SRC] as number) ^ SIGN;
      out[at + F_DST4] = (words[r + PacketWord.DST] as number) ^ SIGN;
      out[at + ROOT_WORD] = root4;
    } else {
      for (let w = 0; w < 4; w++) {
        out[at + F_SRC + w] = (words[r + PacketWord.SRC + w] as number) ^ SIGN;
        out[at + F_DST6 + w] = (words[r + PacketWord.DST + w] as number) ^ SIGN;
      }
      out[at + ROOT_WORD] = root6;
    }
  }
  return count;
}

// Parameters of `convert`, then its locals, by index.
const RECORDS = 0;
const COUNT = 1;
const POINTS = 2;
const FAMILIES = 3;
const ROOT4 = 4;
const ROOT6 = 5;
const IFACES = 6;
const K = 7;
const R = 8;
const P = 9;
const F = 10;
const KIND = 11;
const NO = 12;
const IFACE = 13;

/** Parameters of {@link convertCode}'s function. */
export const CONVERT_PARAMS: number = IFACES + 1;
/** Locals of {@link convertCode}'s function besides its parameters. */
export const CONVERT_LOCALS: number = IFACE + 1 - CONVERT_PARAMS;

/**
 * `convert(recordsAt, count, pointsAt, familiesAt, root4, root6, interfaceCount)`:
 * {@link batchPoints} over `count` packets' words at byte `recordsAt`, points at `pointsAt`,
 * families at `familiesAt`; returns `count` or the lane of the first refused packet.
 */
export function convertCode(): Code {
  const c = new Code();
  const word = (field: number): Code => c.get(R).load(4 * field);
  c.const(0).set(K);
  c.block().loop();
  c.get(K).get(COUNT).geS().brIf(1);
  c.get(K).const(6).shl().tee(P).get(RECORDS).add().set(R);
  c.get(P).get(POINTS).add().set(P);
  word(PacketWord.FAMILY).set(F);
  word(PacketWord.PORT_KIND).set(KIND);
  // Refused: any field out of range, or a family other than 4 and 6.
  c.get(KIND).const(3).gtU();
  word(PacketWord.VLAN).const(4095).gtU().or();
  word(PacketWord.PROTOCOL).const(255).gtU().or();
  word(PacketWord.SRC_PORT).const(0xffff).gtU().or();
  word(PacketWord.DST_PORT).const(0xffff).gtU().or();
  c.get(F).const(4).ne().get(F).const(6).ne().and().or();
  c.if().get(K).return().end();
  word(PacketWord.IFACE).set(IFACE);
  c.get(P);
  c.get(IFACE).const(1).add();
  c.get(IFACE).get(IFACES).sub().const(31).shrS();
  c.get(IFACE).const(31).shrS().const(-1).xor().and().and();
  c.store(4 * F_IFACE);
  c.get(P);
  word(PacketWord.VLAN).store(4 * F_VLAN);
  c.get(P);
  word(PacketWord.PROTOCOL).store(4 * F_PROTO);
  c.get(KIND).const(PORTS_KIND).xor().const(3).add().const(2).shrS().set(NO);
  for (const [field, to] of [
    [PacketWord.SRC_PORT, F_SPORT],
    [PacketWord.DST_PORT, F_DPORT],
  ] as const) {
    c.get(P);
    word(field).get(NO).const(1).sub().and();
    c.const(NO_PORTS).const(0).get(NO).sub().and().or();
    c.store(4 * to);
  }
  c.get(FAMILIES).get(K).const(2).shl().add().get(F).store(0);
  c.get(F).const(4).eq().if();
  c.get(P);
  word(PacketWord.SRC)
    .const(SIGN)
    .xor()
    .store(4 * F_SRC);
  c.get(P);
  word(PacketWord.DST)
    .const(SIGN)
    .xor()
    .store(4 * F_DST4);
  c.get(P)
    .get(ROOT4)
    .store(4 * ROOT_WORD);
  c.end();
  c.get(F).const(6).eq().if();
  for (let w = 0; w < 4; w++) {
    c.get(P);
    word(PacketWord.SRC + w)
      .const(SIGN)
      .xor()
      .store(4 * (F_SRC + w));
    c.get(P);
    word(PacketWord.DST + w)
      .const(SIGN)
      .xor()
      .store(4 * (F_DST6 + w));
  }
  c.get(P)
    .get(ROOT6)
    .store(4 * ROOT_WORD);
  c.end();
  c.get(K).const(1).add().set(K).br(0);
  c.end().end();
  c.get(COUNT);
  return c;
}
