import ipaddr from 'ipaddr.js';
import { HashError } from './errors.js';
import { shown } from './shown.js';

/**
 * Parses dotted-quad IPv4 text (exactly four decimal parts, as on the wire and in configs) into an
 * unsigned 32-bit number. Shorthand forms such as `10.1` or `0x0a000001` are refused.
 *
 * @example
 * parseIPv4('192.0.2.7'); // 3221226247
 */
export function parseIPv4(text: string): number {
  if (typeof text !== 'string' || !ipaddr.IPv4.isValidFourPartDecimal(text)) {
    throw new HashError('INVALID_ADDRESS', `not an IPv4 address (a.b.c.d, each 0..255): ${quoted(text)}`);
  }
  const [a, b, c, d] = ipaddr.IPv4.parse(text).octets as [number, number, number, number];
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** Formats an unsigned 32-bit IPv4 address as dotted quad. */
export function formatIPv4(address: number): string {
  return `${address >>> 24}.${(address >>> 16) & 0xff}.${(address >>> 8) & 0xff}.${address & 0xff}`;
}

/**
 * Parses IPv6 text (any RFC 4291 form, including an embedded IPv4 tail; no zone index) into its
 * 16 network-order bytes, written into `out` when given.
 */
export function parseIPv6(text: string, out: Uint8Array = new Uint8Array(16)): Uint8Array {
  if (!(out instanceof Uint8Array) || out.length !== 16) {
    throw new HashError(
      'INVALID_ADDRESS',
      `parseIPv6 writes into a Uint8Array of 16 bytes, got ${shown(out)}`,
    );
  }
  if (typeof text !== 'string' || text.includes('%') || !ipaddr.IPv6.isValid(text)) {
    throw new HashError('INVALID_ADDRESS', `not an IPv6 address: ${quoted(text)}`);
  }
  // ipaddr.js reads `::a.b.c.d` (RFC 4291's IPv4-compatible form, ::0102:0304) as `::ffff:a.b.c.d`:
  // the dotted tail is turned into its two groups first, so every form means what RFC 4291 says.
  const tail = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let hex = text;
  if (tail !== null) {
    const v4 = parseIPv4(tail[2] as string);
    hex = `${tail[1]}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  out.set(ipaddr.IPv6.parse(hex).toByteArray());
  return out;
}

/** Formats 16 network-order bytes as IPv6 text in RFC 5952 canonical form. */
export function formatIPv6(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 16) {
    throw new HashError(
      'INVALID_ADDRESS',
      `an IPv6 address is a Uint8Array of 16 bytes, got ${bytes instanceof Uint8Array ? `${bytes.length} bytes` : shown(bytes)}`,
    );
  }
  // RFC 5952 section 5: an IPv4-mapped address keeps its IPv4 tail in dotted form.
  if (bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `::ffff:${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  }
  const parts: number[] = [];
  for (let i = 0; i < 16; i += 2) parts.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  return new ipaddr.IPv6(parts).toRFC5952String();
}

/** Text as JSON for a message, anything else as {@link shown} puts it. */
function quoted(text: unknown): string {
  return typeof text === 'string' ? JSON.stringify(text) : shown(text);
}
