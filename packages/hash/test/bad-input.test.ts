import { numberAround, refusalOf, throwingFields, unconvertible } from '@maestro/vitest-config/garbage';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertFlowKey,
  assertPort,
  cloneFlowKey,
  createDistributor,
  createFlowKey,
  createKeyedHash,
  createToeplitz,
  distributionHash,
  type FlowKey,
  flowKeyEquals,
  formatIPv6,
  HashError,
  isFlowKeyObject,
  MICROSOFT_RSS_KEY,
  parseFlow,
  parseIPv4,
  parseIPv6,
  parseProtocol,
} from '../src/index.js';
import { anyFlow, hashKey } from './arbitraries.js';

/** The code of the HashError `run` throws, or undefined when it returns; any other throw fails. */
const refusal = refusalOf(HashError);

/** Text near the address and flow syntaxes: random strings and shuffles of their pieces. */
const addressText: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc
    .array(
      fc.constantFrom('1', '255', '256', '0x1', '.', ':', '::', 'ffff', '%', '[', ']', '-1', ' ', '1e2'),
      {
        maxLength: 12,
      },
    )
    .map((p) => p.join('')),
);

/** Any flow key with one field replaced by a value of the right type but any range. */
const mangledKey: fc.Arbitrary<FlowKey> = fc
  .tuple(
    anyFlow,
    fc.oneof(
      numberAround(4, 6).map((family) => ({ family })),
      numberAround(0, 255).map((protocol) => ({ protocol })),
      numberAround(0, 0xffff_ffff).map((srcV4) => ({ srcV4 })),
      numberAround(0, 0xffff_ffff).map((dstV4) => ({ dstV4 })),
      numberAround(0, 0xffff).map((srcPort) => ({ srcPort })),
      numberAround(0, 0xffff).map((dstPort) => ({ dstPort })),
      numberAround(0, 3).map((portKind) => ({ portKind })),
      fc.uint8Array({ maxLength: 20, size: 'max' }).map((src6) => ({ src6 })),
      fc.uint8Array({ maxLength: 20, size: 'max' }).map((dst6) => ({ dst6 })),
      fc
        .constantFrom<unknown>(
          null,
          undefined,
          Array.from({ length: 16 }, () => 0),
          'bytes',
        )
        .map((src6) => ({ src6 })),
      // Values whose conversion to a number or a string throws, in any field.
      fc
        .tuple(
          fc.constantFrom('family', 'protocol', 'portKind', 'srcPort', 'dstPort', 'srcV4', 'dstV4'),
          unconvertible,
        )
        .map(([field, value]) => ({ [field]: value })),
    ),
  )
  .map(([key, change]) => ({ ...key, ...change }) as FlowKey);

describe('bad input', () => {
  it('should parse IPv4 text or refuse it with INVALID_ADDRESS, never throw anything else', () => {
    fc.assert(
      fc.property(addressText, (text) => {
        const code = refusal(() => parseIPv4(text));
        if (code === undefined)
          expect(parseIPv4(text)).toBe(Math.min(Math.max(0, Math.trunc(parseIPv4(text))), 0xffff_ffff));
        else expect(code).toBe('INVALID_ADDRESS');
      }),
    );
  });

  it('should parse IPv6 text or refuse it with INVALID_ADDRESS and leave the output bytes as they were', () => {
    fc.assert(
      fc.property(addressText, fc.uint8Array({ minLength: 16, maxLength: 16 }), (text, out) => {
        const before = out.slice();
        const code = refusal(() => parseIPv6(text, out));
        if (code !== undefined) {
          expect(code).toBe('INVALID_ADDRESS');
          expect(out).toEqual(before);
        }
      }),
    );
  });

  it('should refuse to format an IPv6 address that is not 16 bytes with INVALID_ADDRESS', () => {
    fc.assert(
      // Not bytes at all (an array of 16 numbers, null, ...) is refused the same way.
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 40, size: 'max' }), fc.anything()), (bytes) => {
        fc.pre(!(bytes instanceof Uint8Array && bytes.length === 16));
        expect(refusal(() => formatIPv6(bytes as Uint8Array))).toBe('INVALID_ADDRESS');
      }),
    );
  });

  it('should parse a protocol name or number 0..255 or refuse it with INVALID_PROTOCOL', () => {
    fc.assert(
      // numbers as text; numberAround's other values (not numbers) go in as they are
      fc.property(
        fc.oneof(
          fc.string(),
          numberAround(0, 255).map((v) => (typeof v === 'number' ? String(v) : v)),
        ),
        (text) => {
          const code = refusal(() => parseProtocol(text as string));
          if (code === undefined) {
            const p = parseProtocol(text as string);
            expect(Number.isInteger(p) && p >= 0 && p <= 255).toBe(true);
          } else {
            expect(code).toBe('INVALID_PROTOCOL');
          }
        },
      ),
    );
  });

  it("should refuse anything that is not text, and an output that is not one, with each parser's typed error", () => {
    const notText = fc.oneof(fc.anything(), unconvertible).filter((v) => typeof v !== 'string');
    fc.assert(
      fc.property(notText, (value) => {
        expect(refusal(() => parseIPv4(value as string))).toBe('INVALID_ADDRESS');
        expect(refusal(() => parseIPv6(value as string))).toBe('INVALID_ADDRESS');
        expect(refusal(() => parseProtocol(value as string))).toBe('INVALID_PROTOCOL');
        expect(refusal(() => parseFlow(value as string))).toBe('INVALID_FLOW_TEXT');
      }),
    );
    // undefined is the default output, so not among them
    const notBytes16 = fc.oneof(
      fc.anything().filter((v) => v !== undefined),
      fc.uint8Array({ maxLength: 20 }).filter((b) => b.length !== 16),
    );
    // never two 16-byte arrays: anything, a short or long src6 beside anything, or getters that throw
    const notKey = fc.oneof(
      fc.anything().filter((v) => v !== undefined),
      fc.record({
        src6: fc.uint8Array({ maxLength: 20 }).filter((b) => b.length !== 16),
        dst6: fc.anything(),
      }),
      fc.constant(null).map(() => throwingFields(['src6', 'dst6'])),
    );
    fc.assert(
      fc.property(notBytes16, notKey, (bytes, key) => {
        expect(refusal(() => parseIPv6('2001:db8::1', bytes as Uint8Array))).toBe('INVALID_ADDRESS');
        expect(refusal(() => parseFlow('tcp 10.0.0.1:1 -> 10.0.0.2:2', key as FlowKey))).toBe('INVALID_KEY');
      }),
    );
  });

  it('should refuse an object without a toString as a protocol with INVALID_PROTOCOL (seed -1922640318)', () => {
    const odd = { toString: null } as unknown as string;
    expect(refusal(() => parseProtocol(odd))).toBe('INVALID_PROTOCOL');
    expect(refusal(() => parseFlow(odd))).toBe('INVALID_FLOW_TEXT');
  });

  it('should leave the output key of parseFlow as it was when the text is refused', () => {
    const endpoint = fc.constantFrom(
      '10.0.0.1',
      '10.0.0.1:80',
      '999.0.0.1:80',
      '10.0.0.1:99999',
      '[2001:db8::1]:53',
      '[2001:db8::1]:x',
      '[2001:db8::zz]:53',
      '2001:db8::2',
    );
    const text = fc
      .tuple(
        fc.constantFrom('tcp', 'udp', 'icmp', 'gre', 'bogus'),
        endpoint,
        fc.constantFrom('->', '=>'),
        endpoint,
        fc.constantFrom('', ' id 7', ' id 70000', ' frag', ' extra'),
      )
      .map(([proto, src, arrow, dst, tail]) => `${proto} ${src} ${arrow} ${dst}${tail}`);
    fc.assert(
      fc.property(anyFlow, text, (key, text) => {
        const out = cloneFlowKey(key);
        if (refusal(() => parseFlow(text, out)) !== undefined) {
          expect(flowKeyEquals(out, key)).toBe(true);
          expect([out.src6, out.dst6]).toEqual([key.src6, key.dst6]);
        }
      }),
    );
  });

  it('should refuse anything that is not a flow key object, and a key whose fields throw when read, with a HashError', () => {
    const throwing = throwingFields(['family', 'protocol', 'portKind']);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything().filter((v) => typeof v !== 'object' || v === null),
          fc.constant(throwing),
        ),
        (v) => {
          expect(refusal(() => assertFlowKey(v as FlowKey))).toBe('INVALID_ADDRESS');
        },
      ),
    );
  });

  it('should refuse a port that is not an integer 0..65535 with INVALID_PORT', () => {
    fc.assert(
      fc.property(numberAround(0, 0xffff), (port) => {
        fc.pre(!(Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 0xffff));
        expect(refusal(() => assertPort(port as number))).toBe('INVALID_PORT');
      }),
    );
  });

  it('should call an object a flow key object exactly when its src6 and dst6 are 16-byte Uint8Arrays', () => {
    const addressLike = fc.oneof(
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      fc.uint8Array({ maxLength: 20 }),
      fc.anything(),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ src6: addressLike, dst6: addressLike }, { requiredKeys: [] }),
          fc.constant(null).map(() => throwingFields(['src6', 'dst6'])),
          fc.anything(),
        ),
        (value) => {
          let expected = false;
          try {
            const { src6, dst6 } = value as { src6?: unknown; dst6?: unknown };
            const is16 = (a: unknown): boolean => a instanceof Uint8Array && a.length === 16;
            expected = typeof value === 'object' && value !== null && is16(src6) && is16(dst6);
          } catch {
            // a getter that throws: not a key object
          }
          expect(isFlowKeyObject(value)).toBe(expected);
        },
      ),
    );
    expect(isFlowKeyObject(createFlowKey())).toBe(true);
  });

  it('should accept a flow key with every field in range and refuse any other with a HashError', () => {
    fc.assert(
      fc.property(mangledKey, (key) => {
        const inRange =
          (key.family === 4 || key.family === 6) &&
          Number.isInteger(key.protocol) &&
          key.protocol >= 0 &&
          key.protocol <= 255 &&
          Number.isInteger(key.portKind) &&
          key.portKind >= 0 &&
          key.portKind <= 3 &&
          [key.srcPort, key.dstPort].every((p) => Number.isInteger(p) && p >= 0 && p <= 0xffff) &&
          (key.family === 4
            ? [key.srcV4, key.dstV4].every((a) => Number.isInteger(a) && a >= 0 && a <= 0xffff_ffff)
            : [key.src6, key.dst6].every((b) => b instanceof Uint8Array && b.length === 16));
        expect(refusal(() => assertFlowKey(key)) === undefined).toBe(inRange);
      }),
    );
  });

  it('should refuse keyed-hash rounds that are not integers 1..8 with INVALID_SEED', () => {
    fc.assert(
      fc.property(hashKey, fc.constantFrom('cRounds', 'dRounds'), numberAround(1, 8), (key, name, rounds) => {
        fc.pre(!(Number.isInteger(rounds) && (rounds as number) >= 1 && (rounds as number) <= 8));
        fc.pre(rounds !== undefined && rounds !== null);
        expect(refusal(() => createKeyedHash(key, { [name]: rounds as number }))).toBe('INVALID_SEED');
      }),
    );
  });

  it('should refuse a key that is not bytes with INVALID_SEED (keyed hash) or INVALID_KEY (Toeplitz)', () => {
    fc.assert(
      fc.property(
        fc.anything().filter((v) => !(v instanceof Uint8Array)),
        (key) => {
          expect(refusal(() => createKeyedHash(key as Uint8Array))).toBe('INVALID_SEED');
          expect(refusal(() => createToeplitz(key as Uint8Array))).toBe('INVALID_KEY');
        },
      ),
    );
  });

  it('should build a Toeplitz hasher from any byte key or refuse it with INVALID_KEY, and refuse inputs it cannot cover', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 48, size: 'max' }),
        fc.uint8Array({ maxLength: 48, size: 'max' }),
        (key, data) => {
          let h: ReturnType<typeof createToeplitz>;
          try {
            h = createToeplitz(key);
          } catch (error) {
            expect(error).toBeInstanceOf(HashError);
            expect((error as HashError).code).toBe('INVALID_KEY');
            expect(key.length).toBeLessThan(12);
            return;
          }
          const code = refusal(() => h.bytes(data));
          expect(code === undefined).toBe(data.length + 4 <= key.length);
          if (code !== undefined) expect(code).toBe('INVALID_KEY');
        },
      ),
    );
  });

  it('should refuse IPv6 addresses that are not 16 bytes with INVALID_INPUT_LENGTH on both hashers', () => {
    const toeplitz = createToeplitz(MICROSOFT_RSS_KEY);
    const keyed = createKeyedHash(new Uint8Array(8));
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 40, size: 'max' }),
        fc.uint8Array({ maxLength: 40, size: 'max' }),
        (src, dst) => {
          fc.pre(src.length !== 16 || dst.length !== 16);
          expect(refusal(() => toeplitz.v6(src, dst, 1, 2))).toBe('INVALID_INPUT_LENGTH');
          expect(refusal(() => keyed.v6(src, dst, 1, 2))).toBe('INVALID_INPUT_LENGTH');
        },
      ),
    );
  });

  it('should refuse any mode or layer that is not one of the known names with INVALID_MODE', () => {
    const h = createToeplitz(MICROSOFT_RSS_KEY);
    const known = ['user', 'network', 'general', 'five-tuple', 'l3', 'l4'];
    fc.assert(
      fc.property(
        anyFlow,
        fc.oneof(fc.string(), fc.anything(), fc.bigInt()).filter((v) => !known.includes(v as string)),
        fc.boolean(),
        (key, name, asMode) => {
          if (asMode) {
            expect(refusal(() => createDistributor(name as 'user', 'l4', h))).toBe('INVALID_MODE');
            expect(refusal(() => distributionHash(key, name as 'user', 'l4', h))).toBe('INVALID_MODE');
          } else {
            expect(refusal(() => createDistributor('general', name as 'l4', h))).toBe('INVALID_MODE');
            expect(refusal(() => distributionHash(key, 'general', name as 'l4', h))).toBe('INVALID_MODE');
          }
        },
      ),
    );
  });
});
