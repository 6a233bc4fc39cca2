import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeLoadReport,
  encodeLoadReport,
  type LoadReport,
  LoadReportError,
  MAX_LOAD,
  MAX_SERVER_ID_BYTES,
} from '../src/index.js';

const report = fc.record({
  // Graphemes can take many bytes: keep ids within the format's 64-byte limit.
  serverId: fc
    .string({ minLength: 1, maxLength: 16, unit: 'grapheme' })
    .filter((id) => new TextEncoder().encode(id).length <= MAX_SERVER_ID_BYTES),
  load: fc.integer({ min: 0, max: MAX_LOAD }),
  sequence: fc.integer({ min: 0, max: 0xffff_ffff }),
});

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(LoadReportError);
    return (error as LoadReportError).code;
  }
}

describe('load report codec', () => {
  it('should decode what it encodes', () => {
    fc.assert(
      fc.property(report, (r) => {
        expect(decodeLoadReport(encodeLoadReport(r))).toEqual(r);
      }),
    );
  });

  it('should reject any byte string with a LoadReportError or decode it to a report that re-encodes to it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        let decoded: ReturnType<typeof decodeLoadReport> | undefined;
        try {
          decoded = decodeLoadReport(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(LoadReportError);
          return;
        }
        expect(encodeLoadReport(decoded)).toEqual(bytes);
      }),
    );
  });

  it('should reject every truncation and every extension of a valid report', () => {
    fc.assert(
      fc.property(report, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 4 }), (r, cut, extra) => {
        const bytes = encodeLoadReport(r);
        expect(codeOf(() => decodeLoadReport(bytes.subarray(0, cut % bytes.length)))).toBe('TRUNCATED');
        const longer = new Uint8Array(bytes.length + extra.length);
        longer.set(bytes);
        longer.set(extra, bytes.length);
        expect(codeOf(() => decodeLoadReport(longer))).toBe('TRAILING_BYTES');
      }),
    );
  });

  it('should reject a valid report with any header byte mutated, or decode it consistently', () => {
    fc.assert(
      fc.property(report, fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 255 }), (r, at, xor) => {
        const bytes = encodeLoadReport(r);
        bytes[at] = (bytes[at] as number) ^ xor;
        const code = codeOf(() => decodeLoadReport(bytes));
        if (at <= 3) expect(code).toBe(['BAD_MAGIC', 'BAD_MAGIC', 'BAD_VERSION', 'BAD_FLAGS'][at]);
        else if (code === undefined) expect(encodeLoadReport(decodeLoadReport(bytes))).toEqual(bytes);
      }),
    );
  });

  it('should refuse a server id of 16 characters but more than 64 bytes (seed 1510735388)', () => {
    const id = ` ${'\u{1D158}\u{1D165}\u{1D16E}'.repeat(5)}\u{10000}`;
    expect(new TextEncoder().encode(id).length).toBeGreaterThan(MAX_SERVER_ID_BYTES);
    expect(codeOf(() => encodeLoadReport({ serverId: id, load: 0, sequence: 0 }))).toBe('BAD_SERVER_ID');
  });

  it('should lay out a report as documented', () => {
    const bytes = encodeLoadReport({ serverId: 'web-1', load: 4250, sequence: 7 });
    expect([...bytes]).toEqual([0x43, 0x4c, 1, 0, 0, 0, 0, 7, 0x10, 0x9a, 5, 0x77, 0x65, 0x62, 0x2d, 0x31]);
    expect(codeOf(() => encodeLoadReport({ serverId: '', load: 0, sequence: 0 }))).toBe('BAD_SERVER_ID');
    expect(codeOf(() => encodeLoadReport({ serverId: 'a', load: MAX_LOAD + 1, sequence: 0 }))).toBe(
      'LOAD_OUT_OF_RANGE',
    );
  });
  it('should keep a server id that starts with U+FEFF: a decoder that strips the BOM would give another id', () => {
    const report = { serverId: '\uFEFFweb-1', load: 1, sequence: 2 };
    expect(decodeLoadReport(encodeLoadReport(report))).toEqual(report);
    // A lone BOM is a 3-byte id, not the empty id the encoder refuses.
    const lone = { serverId: '\uFEFF', load: 0, sequence: 0 };
    expect(decodeLoadReport(encodeLoadReport(lone))).toEqual(lone);
    const bytes = Uint8Array.of(0x43, 0x4c, 1, 0, 0, 0, 0, 7, 0, 10, 4, 0xef, 0xbb, 0xbf, 0x61);
    expect(encodeLoadReport(decodeLoadReport(bytes))).toEqual(bytes);
  });

  it('should refuse a report that is not an object with INVALID_REPORT', () => {
    for (const report of [null, undefined, 5, 'x']) {
      expect(codeOf(() => encodeLoadReport(report as unknown as LoadReport))).toBe('INVALID_REPORT');
    }
  });
});
