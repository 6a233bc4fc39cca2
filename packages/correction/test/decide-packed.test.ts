import { createFlowKey, type FlowKey, flowKeyEquals, setFlowV6 } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CorrectionConfig,
  createDecisionBuffers,
  MemberEngine,
  PACKED_WORDS,
  PackedBatch,
  PackedWord,
  type Packet,
} from '../src/index.js';
import { anyTopology, logicalServer, natRules } from './arbitraries.js';
import {
  breaking,
  build,
  codeOf,
  correction,
  decideEach,
  expectBatchStopsAtThrow,
  expectSameEngine,
  freshAliasOf,
  originalSyn,
  type PacketSpec,
  packetSpec,
} from './batch-packets.js';
import { makeConfig } from './sim.js';

/** A word of a lane and a value that makes any lane impossible. */
const impossibleWord = fc.constantFrom<[number, number]>(
  [PackedWord.FAMILY, 5],
  [PackedWord.FAMILY, 0],
  [PackedWord.PROTOCOL, 256],
  [PackedWord.PORT_KIND, 4],
  [PackedWord.SRC_PORT, 70000],
  [PackedWord.DST_PORT, -1],
  [PackedWord.INGRESS, -1],
  [PackedWord.INGRESS, 99],
  [PackedWord.HOPS, 3],
  [PackedWord.TCP_FLAGS, 256],
  [PackedWord.MORE_FRAGMENTS, 2],
  [PackedWord.EMBEDDED, 7],
);

/**
 * `spec` within a pool of four connections, seldom garbage: a batch then often holds a creation
 * and, before it stops, later packets of the same connection.
 */
function narrow(spec: PacketSpec): PacketSpec {
  return {
    ...spec,
    client: spec.client % 2,
    server: spec.server % 2,
    port: 1024,
    bad: spec.bad && spec.reply,
  };
}

/**
 * The packet lane `lane` of `words` spells, read independently of the engine (DataView for the
 * IPv6 bytes), garbage kept where a packet field can hold it (so that `decide` refuses it too).
 */
function decodeLane(words: Int32Array, lane: number): Packet {
  const at = lane * PACKED_WORDS;
  const more = words[at + PackedWord.MORE_FRAGMENTS] as number;
  return {
    key: decodeKey(words, at),
    ingress: words[at + PackedWord.INGRESS] as number,
    ipId: (words[at + PackedWord.IP_ID] as number) >>> 0,
    moreFragments: (more === 0 ? false : more === 1 ? true : more) as boolean,
    tcpFlags: words[at + PackedWord.TCP_FLAGS] as number,
    bytes: (words[at + PackedWord.BYTES] as number) >>> 0,
    embedded: words[at + PackedWord.EMBEDDED] === 0 ? null : decodeKey(words, at + PackedWord.EMBEDDED),
    hops: words[at + PackedWord.HOPS] as number,
  };
}

function decodeKey(words: Int32Array, at: number): FlowKey {
  const family = words[at + PackedWord.FAMILY] as number;
  const key = createFlowKey();
  if (family === 6) {
    const address = (from: number) => {
      const bytes = new Uint8Array(16);
      const view = new DataView(bytes.buffer);
      for (let k = 0; k < 4; k++) view.setInt32(4 * k, words[from + k] as number);
      return bytes;
    };
    setFlowV6(key, 0, address(at + PackedWord.SRC), address(at + PackedWord.DST), 0, 0, 0);
  } else {
    key.family = family as 4;
    key.srcV4 = (words[at + PackedWord.SRC] as number) >>> 0;
    key.dstV4 = (words[at + PackedWord.DST] as number) >>> 0;
  }
  key.protocol = words[at + PackedWord.PROTOCOL] as number;
  key.portKind = words[at + PackedWord.PORT_KIND] as 0;
  key.srcPort = words[at + PackedWord.SRC_PORT] as number;
  key.dstPort = words[at + PackedWord.DST_PORT] as number;
  return key;
}

/**
 * Runs `packets` through `one` with decide until one throws and `batch` (the same packets) through
 * `many` with decidePacked, and asserts the same decisions, error, messages, counters and tables.
 */
function expectSameAsDecide(
  one: MemberEngine,
  many: MemberEngine,
  packets: readonly Packet[],
  batch: PackedBatch,
  now: number,
): void {
  const { expected, error: expectedError } = decideEach(one, packets, now);
  const out = createDecisionBuffers(packets.length);
  const untouched = [0xee, -7, 0xee, 0xee];
  out.decision.fill(0xee);
  out.target.fill(-7);
  out.reason.fill(0xee);
  out.drop.fill(0xee);
  expect(codeOf(() => many.decidePacked(batch, now, out, packets.length))).toBe(expectedError);
  const lanes = packets.map((_, i) => [out.decision[i], out.target[i], out.reason[i], out.drop[i]]);
  expect(lanes.slice(0, expected.length)).toEqual(expected);
  // A lane that throws, and those after it, are not written.
  for (const lane of lanes.slice(expected.length)) expect(lane).toEqual(untouched);
  expectSameEngine(many, one);
}

describe('PackedBatch and decidePacked', () => {
  it('should make with decidePacked the same decisions, messages, counters and tables as decide one packet at a time', () => {
    fc.assert(
      fc.property(
        anyTopology,
        fc.option(natRules, { nil: [] }),
        logicalServer,
        fc.nat(5),
        fc.array(
          fc.tuple(
            fc.array(fc.tuple(packetSpec, impossibleWord), { maxLength: 80 }),
            fc.option(fc.nat(5), { nil: null }),
            fc.option(fc.nat(3), { nil: null }),
            fc.boolean(),
          ),
          { maxLength: 4 },
        ),
        fc.boolean(),
        (t, rules, servers, member, batches, breaks) => {
          const self = member % t.members;
          const configOf = (): CorrectionConfig =>
            (breaks ? breaking : (c: CorrectionConfig) => c)(makeConfig(t, rules, servers));
          const one = new MemberEngine(self, configOf());
          const many = new MemberEngine(self, configOf());
          let now = 1;
          for (const [specs, expectFrom, correctFor, v4] of batches) {
            now += 1000;
            // Side tables or none (then misses that can open nothing are decided inline).
            if (correctFor !== null) {
              const message = correction(t, self, originalSyn(correctFor));
              expect(codeOf(() => many.deliver(message, now))).toBe(codeOf(() => one.deliver(message, now)));
            }
            if (expectFrom !== null && one.owned.size > 0) {
              const parent = one.owned.keyAt(expectFrom % one.owned.size, createFlowKey());
              const related = { ...parent, srcPort: 0, dstPort: 2000 + expectFrom };
              expect(codeOf(() => many.expect(parent, related, now))).toBe(
                codeOf(() => one.expect(parent, related, now)),
              );
            }
            const aliasOf = freshAliasOf(t, self, rules, servers, now);
            // Or IPv4 only, in a narrow pool (an IPv6 creation makes every later miss of its batch a candidate).
            const lanes = specs.map(([s, w]): [PacketSpec, [number, number]] => [
              v4 ? narrow({ ...s, six: false }) : s,
              w,
            ]);
            const packets = lanes.map(([s]) => build(s, t.internal, t.external, aliasOf));
            const batch = new PackedBatch(Math.max(1, packets.length));
            packets.forEach((p, i) => {
              const [spec, [word, value]] = lanes[i] as [PacketSpec, [number, number]];
              // A garbage lane: the packet's own field is garbage for decide, a word for decidePacked.
              batch.set(i, spec.bad ? { ...p, bytes: 100 } : p);
              if (spec.bad) batch.words[PACKED_WORDS * i + word] = value;
            });
            expectSameAsDecide(one, many, packets, batch, now);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('should record every lane before one whose config function throws, and none after, as decide does', () => {
    expectBatchStopsAtThrow((engine, packets, now) => {
      const batch = new PackedBatch(packets.length);
      packets.forEach((p, i) => {
        batch.set(i, p);
      });
      engine.decidePacked(batch, now, createDecisionBuffers(packets.length), packets.length);
    });
  });

  it('should decide any lane words as decide decides the packet they spell, and reject impossible ones with INVALID_PACKET, changing nothing for them and after', () => {
    fc.assert(
      fc.property(
        anyTopology,
        fc.option(natRules, { nil: [] }),
        fc.array(
          fc.tuple(
            packetSpec.map((s) => (s.six ? s : narrow(s))),
            // Mostly none: an impossible lane stops the batch.
            fc.oneof(
              { arbitrary: fc.constant([]), weight: 12 },
              {
                arbitrary: fc.array(
                  fc.tuple(
                    fc.nat(PACKED_WORDS - 1),
                    fc.oneof(fc.integer({ min: -3, max: 260 }), fc.integer(), fc.constantFrom(4, 6, 0x10000)),
                  ),
                  { minLength: 1, maxLength: 2 },
                ),
                weight: 1,
              },
            ),
          ),
          { minLength: 1, maxLength: 40 },
        ),
        (t, rules, lanes) => {
          const one = new MemberEngine(0, makeConfig(t, rules));
          const many = new MemberEngine(0, makeConfig(t, rules));
          const batch = new PackedBatch(lanes.length);
          lanes.forEach(([spec, overwrites], i) => {
            batch.set(i, build({ ...spec, bad: false }, t.internal, t.external));
            for (const [word, value] of overwrites) batch.words[PACKED_WORDS * i + word] = value;
          });
          const packets = lanes.map((_, i) => decodeLane(batch.words, i));
          // Twice: the second pass finds what the first created.
          expectSameAsDecide(one, many, packets, batch, 1);
          expectSameAsDecide(one, many, packets, batch, 2);
        },
      ),
    );
  });

  it('should fill a lane with set that spells the packet, and reject an impossible packet or index with INVALID_PACKET, writing nothing', () => {
    fc.assert(
      fc.property(
        anyTopology,
        packetSpec,
        fc.integer({ min: -2, max: 5 }),
        fc.constantFrom<[string, unknown] | null>(
          null,
          ['ingress', -1],
          ['ingress', 2 ** 31],
          ['ingress', 0.5],
          ['ipId', 2 ** 32],
          ['tcpFlags', 256],
          ['bytes', Number.NaN],
          ['hops', 3],
          ['moreFragments', 1],
          ['embedded', { family: 9 }],
          ['key', null],
        ),
        (t, spec, index, garbage) => {
          const packet = build({ ...spec, bad: false }, t.internal, t.external);
          const batch = new PackedBatch(4);
          for (let i = 0; i < batch.words.length; i++) batch.words[i] = Math.imul(i, 0x9e3779b1);
          const before = batch.words.slice();
          const bad = garbage === null ? packet : ({ ...packet, [garbage[0]]: garbage[1] } as Packet);
          const ok = garbage === null && Number.isInteger(index) && index >= 0 && index < 4;
          expect(codeOf(() => batch.set(index, bad))).toBe(ok ? null : 'INVALID_PACKET');
          if (!ok) {
            expect(batch.words).toEqual(before);
            return;
          }
          const got = decodeLane(batch.words, index);
          expect(flowKeyEquals(got.key, packet.key)).toBe(true);
          expect(got.embedded === null).toBe(packet.embedded === null);
          if (got.embedded !== null && packet.embedded !== null) {
            expect(flowKeyEquals(got.embedded, packet.embedded)).toBe(true);
          }
          const fields = (p: Packet) => [p.ingress, p.ipId, p.moreFragments, p.tcpFlags, p.bytes, p.hops];
          expect(fields(got)).toEqual(fields(packet));
          for (let i = 0; i < before.length; i++) {
            if (i < PACKED_WORDS * index || i >= PACKED_WORDS * (index + 1))
              expect(batch.words[i]).toBe(before[i]);
          }
        },
      ),
    );
  });

  it('should reject a batch not made by PackedBatch, a bad count or short buffers with INVALID_PACKET and decide nothing', () => {
    fc.assert(
      fc.property(
        anyTopology,
        fc.array(packetSpec, { minLength: 1, maxLength: 10 }),
        fc.oneof(fc.integer({ min: -3, max: 20 }), fc.double()),
        fc.nat(13),
        (t, specs, count, room) => {
          const engine = new MemberEngine(0, makeConfig(t, []));
          const batch = new PackedBatch(specs.length);
          specs.forEach((s, i) => {
            batch.set(i, build({ ...s, bad: false }, t.internal, t.external));
          });
          // room 12 stands for a malformed buffers object, 13 for a look-alike batch
          const out = room === 12 ? ({ decision: new Uint8Array(20) } as never) : createDecisionBuffers(room);
          const given =
            room === 13 ? ({ capacity: batch.capacity, words: batch.words } as PackedBatch) : batch;
          const buffers = room === 13 ? createDecisionBuffers(20) : out;
          const ok =
            Number.isInteger(count) && count >= 0 && count <= specs.length && count <= room && room < 12;
          const code = codeOf(() => engine.decidePacked(given, 1, buffers, count));
          expect(code).toBe(ok ? null : 'INVALID_PACKET');
          if (!ok) expect(engine.stats()).toEqual(new MemberEngine(0, makeConfig(t, [])).stats());
        },
      ),
    );
  });

  it('should reject a capacity out of 1..2^20 with INVALID_PACKET', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -5, max: 0 }), fc.constantFrom(2 ** 20 + 1, 0.5, Number.NaN)),
        (n) => {
          expect(codeOf(() => new PackedBatch(n))).toBe('INVALID_PACKET');
        },
      ),
    );
  });
});
