import { describeValue, LoadReportError } from './errors.js';

/** The UDP port load agents report to by default. */
export const LOAD_AGENT_PORT = 18212;

/** The report format version this codec writes and reads. */
export const LOAD_REPORT_VERSION = 1;

/** Largest load value: hundredths of a percent, so 10000 is 100 %. */
export const MAX_LOAD = 10_000;

/** Longest server id, in UTF-8 bytes. */
export const MAX_SERVER_ID_BYTES = 64;

const MAGIC_0 = 0x43; // 'C'
const MAGIC_1 = 0x4c; // 'L'
const HEADER = 11;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** One load-agent report. */
export interface LoadReport {
  /** The reporting real server's id (1..64 UTF-8 bytes). */
  readonly serverId: string;
  /** Load in hundredths of a percent, 0..10000. */
  readonly load: number;
  /** The agent's report counter (unsigned 32-bit, wraps); lets a receiver drop reordered reports. */
  readonly sequence: number;
}

/**
 * Encodes a report as one UDP payload. Format version 1, all integers big-endian:
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0 | 2 | magic `0x43 0x4c` ("CL") |
 * | 2 | 1 | version, 1 |
 * | 3 | 1 | flags, 0 (reserved; a receiver refuses any set bit) |
 * | 4 | 4 | sequence, unsigned, wrapping |
 * | 8 | 2 | load, 0..10000 (hundredths of a percent) |
 * | 10 | 1 | server id length n, 1..64 |
 * | 11 | n | server id, UTF-8 |
 *
 * The payload is exactly 11 + n bytes; anything after it is refused, not ignored.
 *
 * @example
 * encodeLoadReport({ serverId: 'web-1', load: 4250, sequence: 7 }); // 16 bytes
 */
export function encodeLoadReport(report: LoadReport): Uint8Array {
  if (typeof report !== 'object' || report === null) {
    throw new LoadReportError(
      'INVALID_REPORT',
      `a load report is { serverId, load, sequence }, got ${describeValue(report)}`,
    );
  }
  const { serverId, load, sequence } = report;
  if (!Number.isInteger(load) || load < 0 || load > MAX_LOAD) {
    throw new LoadReportError(
      'LOAD_OUT_OF_RANGE',
      `load must be an integer 0..${MAX_LOAD}, got ${describeValue(load)}`,
    );
  }
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > 0xffff_ffff) {
    throw new LoadReportError(
      'INVALID_REPORT',
      `sequence must be an unsigned 32-bit integer, got ${describeValue(sequence)}`,
    );
  }
  if (typeof serverId !== 'string') {
    throw new LoadReportError('BAD_SERVER_ID', 'server id must be a string');
  }
  const id = new TextEncoder().encode(serverId);
  if (id.length < 1 || id.length > MAX_SERVER_ID_BYTES || LONE_SURROGATE.test(serverId)) {
    throw new LoadReportError(
      'BAD_SERVER_ID',
      `server id must be 1..${MAX_SERVER_ID_BYTES} bytes of well-formed UTF-8`,
    );
  }
  const out = new Uint8Array(HEADER + id.length);
  const view = new DataView(out.buffer);
  out[0] = MAGIC_0;
  out[1] = MAGIC_1;
  out[2] = LOAD_REPORT_VERSION;
  out[3] = 0;
  view.setUint32(4, sequence);
  view.setUint16(8, load);
  out[10] = id.length;
  out.set(id, HEADER);
  return out;
}

// ignoreBOM: a leading U+FEFF is part of the id; stripping it would decode to another id (or an
// empty one) that does not re-encode to the payload.
const DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes one UDP payload; throws a {@link LoadReportError} naming what is wrong (truncated,
 * wrong magic or version, reserved flags set, load out of range, bad server id, trailing bytes).
 */
export function decodeLoadReport(payload: Uint8Array): LoadReport {
  if (!(payload instanceof Uint8Array)) {
    throw new LoadReportError('INVALID_REPORT', 'a load report is a Uint8Array UDP payload');
  }
  if (payload.length < HEADER) {
    throw new LoadReportError(
      'TRUNCATED',
      `a load report has at least ${HEADER + 1} bytes, got ${payload.length}`,
    );
  }
  if (payload[0] !== MAGIC_0 || payload[1] !== MAGIC_1) {
    throw new LoadReportError(
      'BAD_MAGIC',
      `a load report starts with 0x434c ("CL"), got 0x${hex(payload[0])}${hex(payload[1])}`,
    );
  }
  if (payload[2] !== LOAD_REPORT_VERSION) {
    throw new LoadReportError(
      'BAD_VERSION',
      `load report version ${payload[2]} is not supported (only ${LOAD_REPORT_VERSION})`,
    );
  }
  if (payload[3] !== 0) {
    throw new LoadReportError('BAD_FLAGS', `reserved flags must be 0, got 0x${hex(payload[3])}`);
  }
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const sequence = view.getUint32(4);
  const load = view.getUint16(8);
  if (load > MAX_LOAD) {
    throw new LoadReportError(
      'LOAD_OUT_OF_RANGE',
      `load must be 0..${MAX_LOAD} (hundredths of a percent), got ${describeValue(load)}`,
    );
  }
  const n = payload[10] as number;
  if (n < 1 || n > MAX_SERVER_ID_BYTES) {
    throw new LoadReportError(
      'BAD_SERVER_ID',
      `server id length must be 1..${MAX_SERVER_ID_BYTES}, got ${n}`,
    );
  }
  if (payload.length < HEADER + n) {
    throw new LoadReportError(
      'TRUNCATED',
      `the server id needs ${n} bytes, only ${payload.length - HEADER} remain`,
    );
  }
  if (payload.length > HEADER + n) {
    throw new LoadReportError(
      'TRAILING_BYTES',
      `${payload.length - HEADER - n} bytes follow the report; the payload must end with it`,
    );
  }
  let serverId: string;
  try {
    serverId = DECODER.decode(payload.subarray(HEADER, HEADER + n));
  } catch {
    throw new LoadReportError('BAD_SERVER_ID', 'the server id is not valid UTF-8');
  }
  return { serverId, load, sequence };
}

function hex(byte: number | undefined): string {
  return (byte ?? 0).toString(16).padStart(2, '0');
}
