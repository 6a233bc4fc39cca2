import { type CorrectionMessage, createPacket, type Packet } from '@maestro/correction';
import { createFlowKey, flowKeyEquals, PortKind } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CliError } from '../src/cli/errors.js';
import { parseFailure } from '../src/cluster/schedule.js';
import {
  decodeCorrection,
  decodePacket,
  encodeCorrection,
  encodePacket,
  type PacketMeta,
  WireError,
} from '../src/cluster/wire.js';
import { maestro } from './run-cli.js';

const MEMBERS = ['sgm1', 'sgm2', 'sgm3', 'sgm4'];

const blankPacket = (): Packet => createPacket();

const flowKey = fc
  .record({
    family: fc.constantFrom(4 as const, 6 as const),
    protocol: fc.integer({ min: 0, max: 255 }),
    portKind: fc.constantFrom(PortKind.NONE, PortKind.PORTS, PortKind.ECHO, PortKind.FRAGMENT),
    srcV4: fc.nat({ max: 0xffffffff }),
    dstV4: fc.nat({ max: 0xffffffff }),
    src6: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    dst6: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    srcPort: fc.nat({ max: 0xffff }),
    dstPort: fc.nat({ max: 0xffff }),
  })
  .map((k) => {
    const key = createFlowKey();
    key.family = k.family;
    key.protocol = k.protocol;
    key.portKind = k.portKind;
    key.srcPort = k.srcPort;
    key.dstPort = k.dstPort;
    if (k.family === 4) {
      key.srcV4 = k.srcV4;
      key.dstV4 = k.dstV4;
    } else {
      key.src6.set(k.src6);
      key.dst6.set(k.dst6);
    }
    return key;
  });

describe('cluster datagrams', () => {
  it('should round-trip every packet datagram', () => {
    fc.assert(
      fc.property(
        flowKey,
        fc.option(flowKey, { nil: null }),
        fc.record({
          ingress: fc.nat({ max: 0xffffffff }),
          ipId: fc.nat({ max: 0xffffffff }),
          moreFragments: fc.boolean(),
          tcpFlags: fc.nat({ max: 255 }),
          bytes: fc.nat({ max: 0xffff }),
          hops: fc.nat({ max: 255 }),
          flow: fc.nat({ max: 0xffffffff }),
          first: fc.boolean(),
          sentAt: fc.nat({ max: 0xffffffff }),
        }),
        (key, embedded, f) => {
          const p: Packet = { ...f, key, embedded };
          const bytes = encodePacket(p, { flow: f.flow, first: f.first, sentAt: f.sentAt });
          const out = blankPacket();
          const meta: PacketMeta = { flow: 0, first: false, sentAt: 0 };
          decodePacket(bytes, out, createFlowKey(), meta);
          expect(flowKeyEquals(out.key, key)).toBe(true);
          expect(out.embedded === null ? null : flowKeyEquals(out.embedded, embedded ?? key)).toBe(
            embedded === null ? null : true,
          );
          expect({ ...meta }).toEqual({ flow: f.flow, first: f.first, sentAt: f.sentAt });
          expect([out.ingress, out.ipId, out.moreFragments, out.tcpFlags, out.bytes, out.hops]).toEqual([
            f.ingress,
            f.ipId,
            f.moreFragments,
            f.tcpFlags,
            f.bytes,
            f.hops,
          ]);
        },
      ),
    );
  });

  it('should round-trip every correction message', () => {
    fc.assert(
      fc.property(
        flowKey,
        fc.nat({ max: 0xffff }),
        fc.nat({ max: 0xffff }),
        fc.nat({ max: 0xffff_ffff }),
        fc.constantFrom('correct', 'uncorrect', 'fragment', 'expect', 'unexpect'),
        (key, from, owner, created, kind) => {
          const m: CorrectionMessage =
            kind === 'correct'
              ? { kind, from, to: 3, key, owner, reason: 2, created }
              : kind === 'uncorrect'
                ? { kind, from, to: 3, key, created }
                : { kind, from, to: 3, key, owner };
          expect(decodeCorrection(encodeCorrection(m), 3, createFlowKey())).toEqual(m);
        },
      ),
    );
  });

  it('should refuse a correction datagram with a field its kind does not have (reason, owner, creation time) with a WireError', () => {
    const key = createFlowKey();
    fc.assert(
      fc.property(
        fc.constantFrom('uncorrect', 'fragment', 'expect', 'unexpect'),
        fc.constantFrom(3, 6, 8),
        fc.integer({ min: 1, max: 255 }),
        (kind, offset, value) => {
          const m: CorrectionMessage =
            kind === 'uncorrect'
              ? { kind, from: 1, to: 0, key, created: 0 }
              : { kind, from: 1, to: 0, key, owner: 0 };
          const bytes = encodeCorrection(m);
          // Offset 3: reason; 6: owner (its low byte at 7, so 6 is its high byte); 8: created.
          const owned = kind !== 'uncorrect' && offset === 6;
          const timed = kind === 'uncorrect' && offset === 8;
          fc.pre(!owned && !timed);
          bytes[offset] = value;
          expect(() => decodeCorrection(bytes, 0, createFlowKey())).toThrow(WireError);
        },
      ),
    );
  });

  it('should reject random bytes with a WireError only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.boolean(), (bytes, packet) => {
        if (bytes.length >= 2) bytes.set([0x4d, packet ? 0x50 : 0x43]);
        try {
          if (packet)
            decodePacket(bytes, blankPacket(), createFlowKey(), { flow: 0, first: false, sentAt: 0 });
          else decodeCorrection(bytes, 0, createFlowKey());
        } catch (error) {
          expect(error).toBeInstanceOf(WireError);
        }
      }),
    );
  });
});

describe('cluster failure schedule', () => {
  it('should read MEMBER@TIME in seconds or milliseconds', () => {
    expect(parseFailure('kill', 'sgm2@3s', MEMBERS)).toEqual({ kind: 'kill', member: 'sgm2', at: 3000 });
    expect(parseFailure('stop', 'sgm3@1500ms', MEMBERS)).toEqual({ kind: 'stop', member: 'sgm3', at: 1500 });
    expect(parseFailure('cont', 'sgm3@2.5', MEMBERS)).toEqual({ kind: 'cont', member: 'sgm3', at: 2500 });
  });

  it('should answer any text with a failure of a member or a CliError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        try {
          const f = parseFailure('restart', text, MEMBERS);
          expect(MEMBERS).toContain(f.member);
          expect(f.at).toBeGreaterThanOrEqual(0);
        } catch (error) {
          expect(error).toBeInstanceOf(CliError);
        }
      }),
    );
  });
});

describe('maestro cluster errors', () => {
  it.each([
    [['cluster'], /expected "run" or "up"/],
    [['cluster', 'frob'], /expected "run" or "up"/],
    [['cluster', 'run', '--kill', 'sgm9@1s'], /sgm9 is not a member/],
    [['cluster', 'run', '--kill', 'sgm2'], /expected MEMBER@TIME/],
    [['cluster', 'run', '--rate', '0'], /--rate/],
    [['cluster', 'run', '--sync-loss', '2'], /--sync-loss/],
    [['cluster', 'run', '--dead-ms', '100', '--heartbeat-ms', '100'], /--dead-ms/],
    [['cluster', 'run', '--bogus'], /Unknown option/],
    [['cluster', 'up', 'a.pcap', 'b.pcap'], /unexpected argument/],
    [['cluster', 'run', '--packets', '10', 'x.pcap'], /not both/],
  ])('should reject bad cluster arguments with one line and exit 2: %j', (args, message) => {
    const r = maestro(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
