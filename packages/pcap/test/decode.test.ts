import { assertFlowKey, type FlowKey, PortKind } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeGeneral } from '../src/decode.js';
import {
  createPacketRecord,
  DecodeStatus,
  decodeFrame,
  LinkType,
  type PacketRecord,
  PcapError,
  readCapture,
  writeCapture,
} from '../src/index.js';
import { commonFrameArb, frameArb, linkTypeArb } from './arbitraries.js';
import { buildFrame, type IpSpec, keyProtocolOf, LINK_TYPES } from './frame-builder.js';

function expectKey(key: FlowKey, ip: IpSpec, nonFirstFragment: boolean): void {
  expect(key.family).toBe(ip.family);
  expect(key.protocol).toBe(keyProtocolOf(ip));
  if (ip.family === 4) {
    expect([key.srcV4, key.dstV4]).toEqual([ip.src, ip.dst]);
  } else {
    expect([...key.src6, ...key.dst6]).toEqual([...(ip.src as number[]), ...(ip.dst as number[])]);
  }
  if (nonFirstFragment) {
    expect([key.portKind, key.srcPort, key.dstPort]).toEqual([PortKind.FRAGMENT, 0, 0]);
  } else if (ip.l4.kind === 'ports') {
    expect([key.portKind, key.srcPort, key.dstPort]).toEqual([PortKind.PORTS, ip.l4.srcPort, ip.l4.dstPort]);
  } else if (ip.l4.kind === 'echo') {
    expect([key.portKind, key.srcPort, key.dstPort]).toEqual([PortKind.ECHO, ip.l4.id, ip.l4.id]);
  } else {
    expect([key.portKind, key.srcPort, key.dstPort]).toEqual([PortKind.NONE, 0, 0]);
  }
}

/**
 * The decode fields of a record (not the capture fields), as a plain value to compare; the IP
 * header's offset counts from `base` (where a reader put the frame).
 */
function decoded(rec: PacketRecord, base = 0): unknown {
  const key = (k: FlowKey): unknown => ({ ...k, src6: [...k.src6], dst6: [...k.dst6] });
  return {
    status: rec.status,
    flow: key(rec.flow),
    vlan: rec.vlan,
    tcpFlags: rec.tcpFlags,
    fragment: [rec.isFragment, rec.fragmentId, rec.fragmentOffset, rec.moreFragments],
    truncated: rec.truncated,
    ipOffset: rec.ipOffset < 0 ? rec.ipOffset : rec.ipOffset - base,
    inner: rec.hasInner ? key(rec.inner) : null,
  };
}

describe('decodeFrame', () => {
  it('should decode every field a built frame carries', () => {
    const rec = createPacketRecord();
    fc.assert(
      fc.property(frameArb, (spec) => {
        const frame = buildFrame(spec);
        const status = decodeFrame(LINK_TYPES[spec.link], frame, 0, frame.length, rec);
        expect(status).toBe(DecodeStatus.OK);
        const frag = spec.ip.fragment;
        const nonFirst = frag !== null && frag.offset > 0;
        expectKey(rec.flow, spec.ip, nonFirst);
        expect(rec.truncated).toBe(false);
        expect(rec.vlan).toBe(spec.link === 'ethernet' && spec.tags.length > 0 ? spec.tags[0]?.vid : -1);
        const isFragment = frag !== null && (frag.offset > 0 || frag.more);
        expect(rec.isFragment).toBe(isFragment);
        expect([rec.fragmentId, rec.fragmentOffset, rec.moreFragments]).toEqual(
          isFragment && frag !== null ? [frag.id, frag.offset, frag.more] : [0, 0, false],
        );
        const l4 = spec.ip.l4;
        expect(rec.tcpFlags).toBe(!nonFirst && l4.kind === 'ports' && l4.protocol === 6 ? l4.tcpFlags : 0);
        expect(rec.hasInner).toBe(!nonFirst && l4.kind === 'error');
        if (!nonFirst && l4.kind === 'error') expectKey(rec.inner, l4.inner, false);
      }),
    );
  });

  it('should never throw on random bytes, and give a valid key whenever it says OK', () => {
    const rec = createPacketRecord();
    fc.assert(
      fc.property(linkTypeArb, fc.uint8Array({ maxLength: 200 }), (linkType, bytes) => {
        const status = decodeFrame(linkType, bytes, 0, bytes.length, rec);
        expect(Object.values(DecodeStatus)).toContain(status);
        if (status === DecodeStatus.OK) assertFlowKey(rec.flow);
        if (rec.hasInner) assertFlowKey(rec.inner);
        expect(rec.vlan).toBeGreaterThanOrEqual(-1);
        expect(rec.vlan).toBeLessThan(4096);
      }),
    );
  });

  it('should mark a frame cut inside its headers as truncated or malformed, never read past the cut', () => {
    const rec = createPacketRecord();
    fc.assert(
      fc.property(frameArb, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (spec, where) => {
        const frame = buildFrame(spec);
        const cut = Math.floor(where * frame.length);
        // Garbage after the cut proves that nothing past it is read.
        const padded = new Uint8Array(frame.length + 64).fill(0xee);
        padded.set(frame.subarray(0, cut));
        const status = decodeFrame(LINK_TYPES[spec.link], padded, 0, cut, rec);
        const full = createPacketRecord();
        decodeFrame(LINK_TYPES[spec.link], frame, 0, frame.length, full);
        if (status === DecodeStatus.OK) {
          expect(rec.flow.family).toBe(full.flow.family);
          expect(rec.flow.srcV4).toBe(full.flow.srcV4);
          expect([...rec.flow.src6]).toEqual([...full.flow.src6]);
          if (rec.flow.portKind === PortKind.PORTS) expect(rec.flow.srcPort).toBe(full.flow.srcPort);
        } else {
          expect(status).toBe(DecodeStatus.MALFORMED);
          expect(rec.truncated || cut === 0).toBe(true);
        }
      }),
    );
  });

  it('should decode Ethernet frames, damaged or not, exactly as the general decoder (common-frame shortcuts)', () => {
    const ethernetFrame = fc.oneof(
      commonFrameArb,
      frameArb.map((spec) => ({ ...spec, link: 'ethernet' as const, tags: spec.tags.slice(0, 2) })),
    );
    // Cuts and overwritten fields land in the headers (`at` counts from the IP header), with small
    // numbers (lengths, offsets, flags) or anything.
    const damage = fc.record({
      cut: fc.option(fc.nat({ max: 110 })),
      fields: fc.array(
        fc.record({
          // Version, lengths, fragment field and protocol of either family, then the TCP data offset.
          at: fc.oneof(fc.constantFrom(0, 2, 3, 4, 5, 6, 7, 9, 32, 52), fc.integer({ min: -4, max: 60 })),
          value: fc.oneof(fc.nat({ max: 24 }), fc.nat({ max: 0xff }), fc.nat({ max: 0xffff })),
          wide: fc.boolean(),
        }),
        { maxLength: 3 },
      ),
    });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(ethernetFrame, fc.option(damage)), { minLength: 1, maxLength: 8 }),
        (frames) => {
          // One record each, reused across frames as the readers reuse theirs.
          const fast = createPacketRecord();
          const general = createPacketRecord();
          const expected: unknown[] = [];
          const cut: Uint8Array[] = [];
          for (const [spec, hurt] of frames) {
            const frame = buildFrame(spec);
            let length = frame.length;
            if (hurt !== null) {
              if (hurt.cut !== null) length = Math.min(hurt.cut, length);
              for (const field of hurt.fields) {
                const { value, wide } = field;
                const at = 14 + 4 * spec.tags.length + field.at;
                if (wide && at + 1 < frame.length) {
                  frame[at] = value >> 8;
                  frame[at + 1] = value & 0xff;
                } else if (at < frame.length) {
                  frame[at] = value & 0xff;
                }
              }
            }
            decodeFrame(LinkType.ETHERNET, frame, 0, length, fast);
            decodeGeneral(LinkType.ETHERNET, frame, 0, length, general);
            expect(decoded(fast)).toEqual(decoded(general));
            expected.push(decoded(general));
            cut.push(frame.subarray(0, length));
          }
          // The classic reader's loop has its own copy of the shortcut: the same frames in a
          // capture must come out the same.
          const capture = writeCapture(cut.map((data) => ({ timestampSec: 0, timestampNs: 0, data })));
          const read: unknown[] = [];
          readCapture(capture, (p) => read.push(decoded(p, p.dataOffset)));
          expect(read).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('should reject a window outside the buffer with a typed error', () => {
    const rec = createPacketRecord();
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 40 }), fc.integer({ min: -5, max: 40 }), (offset, length) => {
        fc.pre(offset < 0 || length < 0 || offset + length > 20);
        expect(() => decodeFrame(LinkType.ETHERNET, new Uint8Array(20), offset, length, rec)).toThrow(
          PcapError,
        );
      }),
    );
  });

  it('should take the outer VLAN of an 802.1ad + 802.1Q stack', () => {
    const rec = createPacketRecord();
    const frame = buildFrame({
      link: 'ethernet',
      tags: [
        { tpid: 0x88a8, vid: 200 },
        { tpid: 0x8100, vid: 2001 },
      ],
      ip: {
        family: 4,
        src: 0x0a000001,
        dst: 0x0a000002,
        options: 0,
        extensions: [],
        fragment: null,
        l4: { kind: 'ports', protocol: 17, srcPort: 53, dstPort: 5353, tcpFlags: 0 },
        payload: 0,
      },
    });
    decodeFrame(LinkType.ETHERNET, frame, 0, frame.length, rec);
    expect(rec.vlan).toBe(200);
  });

  it('should take the VLAN of a pre-standard 0x9100 QinQ stack', () => {
    const rec = createPacketRecord();
    const ip: IpSpec = {
      family: 6,
      src: new Array<number>(16).fill(1),
      dst: new Array<number>(16).fill(2),
      options: 0,
      extensions: [],
      fragment: null,
      l4: { kind: 'ports', protocol: 6, srcPort: 1234, dstPort: 443, tcpFlags: 0x02 },
      payload: 0,
    };
    const tags = [
      { tpid: 0x9100 as 0x8100, vid: 300 },
      { tpid: 0x9100 as 0x8100, vid: 7 },
    ];
    const frame = buildFrame({ link: 'ethernet', tags, ip });
    expect(decodeFrame(LinkType.ETHERNET, frame, 0, frame.length, rec)).toBe(DecodeStatus.OK);
    expect(rec.vlan).toBe(300);
    expectKey(rec.flow, ip, false);
  });

  it('should call a first fragment (offset 0, more fragments) a fragment and keep its ports', () => {
    const rec = createPacketRecord();
    for (const family of [4, 6] as const) {
      const ip: IpSpec = {
        family,
        src: family === 4 ? 0x0a000001 : new Array<number>(16).fill(1),
        dst: family === 4 ? 0x0a000002 : new Array<number>(16).fill(2),
        options: 0,
        extensions: family === 6 ? [0] : [],
        fragment: { id: 0xbeef, offset: 0, more: true },
        l4: { kind: 'ports', protocol: 17, srcPort: 53, dstPort: 5353, tcpFlags: 0 },
        payload: 16,
      };
      const frame = buildFrame({ link: 'ethernet', tags: [], ip });
      expect(decodeFrame(LinkType.ETHERNET, frame, 0, frame.length, rec)).toBe(DecodeStatus.OK);
      expectKey(rec.flow, ip, false);
      expect([rec.isFragment, rec.fragmentId, rec.fragmentOffset, rec.moreFragments]).toEqual([
        true,
        0xbeef,
        0,
        true,
      ]);
    }
  });

  it('should key the fragments of an IPv6 datagram with destination options after or before its fragment header', () => {
    const rec = createPacketRecord();
    const l4 = { kind: 'ports', protocol: 6, srcPort: 40000, dstPort: 443, tcpFlags: 0x18 } as const;
    const base = {
      family: 6,
      src: new Array<number>(16).fill(1),
      dst: new Array<number>(16).fill(2),
      options: 0,
      l4,
      payload: 16,
    } as const;
    const decode = (ip: IpSpec): unknown[] => {
      const frame = buildFrame({ link: 'ethernet', tags: [], ip });
      expect(decodeFrame(LinkType.ETHERNET, frame, 0, frame.length, rec)).toBe(DecodeStatus.OK);
      const k = rec.flow;
      return [
        k.protocol,
        k.portKind,
        k.srcPort,
        k.dstPort,
        rec.tcpFlags,
        rec.isFragment,
        rec.fragmentId,
        rec.fragmentOffset,
        rec.moreFragments,
      ];
    };
    // RFC 8200 4.1 order: fragment header, then the final destination's options, then TCP.
    const after = { ...base, extensions: [], trailing: [60] } as const;
    expect(decode({ ...after, fragment: { id: 9, offset: 0, more: true } })).toEqual([
      6,
      PortKind.PORTS,
      40000,
      443,
      0x18,
      true,
      9,
      0,
      true,
    ]);
    // A later fragment carries no options header and no TCP header, only the fragment header's
    // Next Header (60): the upper-layer protocol is not in the packet.
    expect(decode({ ...after, fragment: { id: 9, offset: 1448, more: false } })).toEqual([
      60,
      PortKind.FRAGMENT,
      0,
      0,
      0,
      true,
      9,
      1448,
      false,
    ]);
    // Options before the fragment header travel in every fragment; the fragment header names TCP.
    const before = { ...base, extensions: [60], trailing: [] } as const;
    expect(decode({ ...before, fragment: { id: 9, offset: 0, more: true } })).toEqual([
      6,
      PortKind.PORTS,
      40000,
      443,
      0x18,
      true,
      9,
      0,
      true,
    ]);
    expect(decode({ ...before, fragment: { id: 9, offset: 1448, more: false } })).toEqual([
      6,
      PortKind.FRAGMENT,
      0,
      0,
      0,
      true,
      9,
      1448,
      false,
    ]);
  });

  it('should leave the fragment fields at zero for an atomic IPv6 fragment, as for a whole datagram', () => {
    const rec = createPacketRecord();
    for (const trailing of [[], [60]] as const) {
      const frame = buildFrame({
        link: 'ethernet',
        tags: [],
        ip: {
          family: 6,
          src: new Array<number>(16).fill(1),
          dst: new Array<number>(16).fill(2),
          options: 0,
          extensions: [],
          trailing,
          fragment: { id: 0xbeef, offset: 0, more: false },
          l4: { kind: 'ports', protocol: 17, srcPort: 53, dstPort: 5353, tcpFlags: 0 },
          payload: 0,
        },
      });
      expect(decodeFrame(LinkType.ETHERNET, frame, 0, frame.length, rec)).toBe(DecodeStatus.OK);
      expect([rec.flow.protocol, rec.flow.portKind, rec.flow.srcPort, rec.flow.dstPort]).toEqual([
        17,
        PortKind.PORTS,
        53,
        5353,
      ]);
      expect([rec.isFragment, rec.fragmentId, rec.fragmentOffset, rec.moreFragments]).toEqual([
        false,
        0,
        0,
        false,
      ]);
    }
  });

  it('should say NOT_IP for ARP and UNSUPPORTED_LINK_TYPE for an unknown link type', () => {
    const rec = createPacketRecord();
    const arp = Uint8Array.from([
      ...new Array<number>(12).fill(1),
      0x08,
      0x06,
      ...new Array<number>(28).fill(0),
    ]);
    expect(decodeFrame(LinkType.ETHERNET, arp, 0, arp.length, rec)).toBe(DecodeStatus.NOT_IP);
    expect(decodeFrame(105, arp, 0, arp.length, rec)).toBe(DecodeStatus.UNSUPPORTED_LINK_TYPE);
  });
});
