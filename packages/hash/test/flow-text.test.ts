import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cloneFlowKey,
  createFlowKey,
  flowKeyEquals,
  formatFlow,
  formatIPv4,
  formatIPv6,
  HashError,
  PortKind,
  parseFlow,
  parseIPv4,
  parseIPv6,
  reverseFlowKey,
} from '../src/index.js';
import { anyFlow, ipv6Bytes, u32 } from './arbitraries.js';

describe('flow text', () => {
  it('should parse what it formats (IPv4 and IPv6, every port kind)', () => {
    fc.assert(fc.property(anyFlow, (key) => flowKeyEquals(parseFlow(formatFlow(key)), key)));
  });

  it('should format IPv4 addresses as dotted quads that parse back', () => {
    fc.assert(fc.property(u32, (a) => parseIPv4(formatIPv4(a)) === a));
  });

  it('should format IPv6 in RFC 5952 form that parses back', () => {
    fc.assert(
      fc.property(ipv6Bytes, (bytes) => {
        const text = formatIPv6(bytes);
        return (
          text === text.toLowerCase() &&
          !/(^|:)0[0-9a-f]/.test(text) &&
          parseIPv6(text).every((b, i) => b === bytes[i])
        );
      }),
    );
  });

  it('should read an IPv6 address with a dotted IPv4 tail as those 32 bits after the groups before it', () => {
    const dotted = (b: Uint8Array): string => Array.from(b.subarray(12), String).join('.');
    fc.assert(
      fc.property(ipv6Bytes, fc.nat(6), (bytes, zeros) => {
        // The first six groups written out, the first `zeros` of them forced to 0 and compressed.
        const groups = Array.from({ length: 6 }, (_, i) =>
          i < zeros ? 0 : ((bytes[2 * i] as number) << 8) | (bytes[2 * i + 1] as number),
        );
        const want = Uint8Array.from(bytes);
        want.fill(0, 0, 2 * zeros);
        const head =
          zeros === 0
            ? `${groups.map((g) => g.toString(16)).join(':')}:`
            : `::${groups
                .slice(zeros)
                .map((g) => `${g.toString(16)}:`)
                .join('')}`;
        expect([...parseIPv6(`${head}${dotted(want)}`)]).toEqual([...want]);
      }),
    );
    // RFC 4291's IPv4-compatible form, and the IPv4-mapped and NAT64 ones.
    expect([...parseIPv6('::1.2.3.4')]).toEqual([...new Array(12).fill(0), 1, 2, 3, 4]);
    expect([...parseIPv6('::ffff:1.2.3.4')]).toEqual([...new Array(10).fill(0), 0xff, 0xff, 1, 2, 3, 4]);
    expect([...parseIPv6('64:ff9b::192.0.2.33')]).toEqual([
      0,
      0x64,
      0xff,
      0x9b,
      ...new Array(8).fill(0),
      192,
      0,
      2,
      33,
    ]);
  });

  it.each([
    ['tcp 10.0.0.1:1234 -> 192.0.2.7:443', 'tcp 10.0.0.1:1234 -> 192.0.2.7:443'],
    ['UDP [2001:DB8:0:0:0:0:0:1]:53 -> [2001:db8::2]:5353', 'udp [2001:db8::1]:53 -> [2001:db8::2]:5353'],
    ['icmp 10.0.0.1 -> 10.0.0.2 id 7', 'icmp 10.0.0.1 -> 10.0.0.2 id 7'],
    ['6 10.0.0.1 -> 10.0.0.2 frag', 'tcp 10.0.0.1 -> 10.0.0.2 frag'],
    ['47 10.0.0.1 -> 10.0.0.2', 'gre 10.0.0.1 -> 10.0.0.2'],
    [
      'icmpv6 ::ffff:1.2.3.4 -> 2001:db8:0:1:1:1:1:1 id 9',
      'icmpv6 ::ffff:1.2.3.4 -> 2001:db8:0:1:1:1:1:1 id 9',
    ],
    ['sctp [2001:db8::1:0:0:1]:1 -> [::]:2', 'sctp [2001:db8::1:0:0:1]:1 -> [::]:2'],
  ])('should read %s as %s', (input, canonical) => {
    expect(formatFlow(parseFlow(input))).toBe(canonical);
  });

  it('should read the fields of a flow', () => {
    const key = parseFlow('tcp 10.0.0.1:1234 -> 192.0.2.7:443');
    expect([key.family, key.protocol, key.srcV4, key.dstV4, key.srcPort, key.dstPort, key.portKind]).toEqual([
      4,
      6,
      0x0a000001,
      0xc0000207,
      1234,
      443,
      PortKind.PORTS,
    ]);
  });

  it.each([
    ['tcp 10.0.0.1:99999 -> 1.2.3.4:1', 'INVALID_PORT'],
    ['tcp 10.0.0.1:-1 -> 1.2.3.4:1', 'INVALID_PORT'],
    ['tcp 10.0.0.1 -> 1.2.3.4', 'INVALID_FLOW_TEXT'],
    ['tcp 1.2.3 -> 1.2.3.4:5', 'INVALID_ADDRESS'],
    ['tcp 256.1.1.1:1 -> 1.2.3.4:5', 'INVALID_ADDRESS'],
    ['tcp [2001:db8::g]:1 -> [::1]:5', 'INVALID_ADDRESS'],
    ['tcp [fe80::1%eth0]:1 -> [::1]:5', 'INVALID_ADDRESS'],
    ['tcp 10.0.0.1:1 -> [::1]:5', 'INVALID_FLOW_TEXT'],
    ['foo 10.0.0.1:1 -> 10.0.0.2:2', 'INVALID_PROTOCOL'],
    ['udp 10.0.0.1:1 => 10.0.0.2:2', 'INVALID_FLOW_TEXT'],
    ['udp 10.0.0.1 -> 10.0.0.2 id 3', 'INVALID_FLOW_TEXT'],
    ['gre 10.0.0.1:1 -> 10.0.0.2:2', 'INVALID_FLOW_TEXT'],
    ['', 'INVALID_FLOW_TEXT'],
  ])('should reject %j with %s', (input, code) => {
    expect(() => parseFlow(input)).toThrow(expect.objectContaining({ code, name: 'HashError' }));
  });

  it('should reject any garbage with a HashError and nothing else', () => {
    const pieces = fc.constantFrom(
      'tcp',
      'udp',
      'icmp',
      '->',
      '10.0.0.1',
      ':',
      '[',
      ']',
      '::1',
      '65536',
      'id',
      'frag',
      ' ',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(pieces).map((p) => p.join('')),
        ),
        (text) => {
          try {
            parseFlow(text);
            return true;
          } catch (error) {
            return error instanceof HashError;
          }
        },
      ),
    );
  });
});

describe('flow keys', () => {
  it('should give back the flow when reversed twice', () => {
    fc.assert(
      fc.property(anyFlow, (key) => {
        const twice = reverseFlowKey(reverseFlowKey(key, createFlowKey()), createFlowKey());
        return flowKeyEquals(twice, key);
      }),
    );
  });

  it('should reverse in place to the same result as into a fresh key', () => {
    fc.assert(
      fc.property(anyFlow, (key) => {
        const fresh = reverseFlowKey(key, createFlowKey());
        return (
          flowKeyEquals(reverseFlowKey(cloneFlowKey(key), cloneFlowKey(key)), fresh) &&
          flowKeyEquals(reverseFlowKey(key, key), fresh)
        );
      }),
    );
  });
});
