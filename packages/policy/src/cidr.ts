import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '@maestro/hash';
import { describeValue, PolicyError } from './errors.js';

/**
 * An address block: the network address (host bits zero) and its prefix length. IPv4 blocks keep
 * the address in `v4` (an unsigned 32-bit number; `v6` all zero); IPv6 blocks keep 16
 * network-order bytes in `v6` (`v4` is 0). A single host is a block of full length (/32, /128).
 */
export interface Cidr {
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** Prefix length: 0..32 for IPv4, 0..128 for IPv6. */
  readonly prefix: number;
  /** IPv4 network address as an unsigned 32-bit number (0 for IPv6). */
  readonly v4: number;
  /** IPv6 network address, 16 bytes (all zero for IPv4). */
  readonly v6: Uint8Array;
}

const CIDR_SYNTAX = 'an IPv4 or IPv6 address block like 10.0.0.0/8, 2001:db8::/32 or a host 192.0.2.7';

/**
 * The netmask of an IPv4 prefix length as an unsigned 32-bit number; `INVALID_CIDR` unless the
 * prefix is a whole number 0..32 (a shift count taken modulo 32 would give another block's mask).
 */
export function maskV4(prefix: number): number {
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) {
    throw new PolicyError(
      'INVALID_CIDR',
      `an IPv4 prefix length is a whole number 0..32, got ${describeValue(prefix)}`,
    );
  }
  return prefix === 0 ? 0 : (0xffff_ffff << (32 - prefix)) >>> 0;
}

/**
 * Parses `address/prefix` (or a bare address, meaning one host). Host bits must be zero: a block
 * such as `10.1.2.3/8` is refused with the network it probably meant, since a silently masked
 * typo matches traffic nobody intended.
 *
 * @example
 * parseCidr('10.0.0.0/8'); // { family: 4, prefix: 8, v4: 167772160, v6: Uint8Array(16) }
 */
export function parseCidr(text: string): Cidr {
  if (typeof text !== 'string') {
    throw new PolicyError(
      'INVALID_CIDR',
      `an address block is text (${CIDR_SYNTAX}), got ${describeValue(text)}`,
    );
  }
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1);
  const family: 4 | 6 = addressText.includes(':') ? 6 : 4;
  const max = family === 4 ? 32 : 128;
  let prefix = max;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) {
      throw new PolicyError(
        'INVALID_CIDR',
        `prefix length of ${JSON.stringify(text)} must be 0..${max}; expected ${CIDR_SYNTAX}`,
      );
    }
    prefix = Number(prefixText);
  }
  let v4 = 0;
  const v6 = new Uint8Array(16);
  try {
    if (family === 4) v4 = parseIPv4(addressText);
    else parseIPv6(addressText, v6);
  } catch {
    throw new PolicyError(
      'INVALID_CIDR',
      `not an address block: ${JSON.stringify(text)}; expected ${CIDR_SYNTAX}`,
    );
  }
  const cidr: Cidr = { family, prefix, v4, v6 };
  const network = maskCidr(cidr);
  if (network.v4 !== v4 || !network.v6.every((b, i) => b === v6[i])) {
    throw new PolicyError(
      'INVALID_CIDR',
      `${JSON.stringify(text)} has host bits set; the block is ${formatCidr(network)}`,
    );
  }
  return cidr;
}

/** The block with every bit past the prefix cleared. */
export function maskCidr(cidr: Cidr): Cidr {
  if (cidr.family === 4) {
    return {
      family: 4,
      prefix: cidr.prefix,
      v4: (cidr.v4 & maskV4(cidr.prefix)) >>> 0,
      v6: new Uint8Array(16),
    };
  }
  const v6 = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, cidr.prefix - i * 8));
    v6[i] = (cidr.v6[i] as number) & ((0xff00 >> keep) & 0xff);
  }
  return { family: 6, prefix: cidr.prefix, v4: 0, v6 };
}

/** Formats a block as `address/prefix` (always with the prefix, in canonical address form). */
export function formatCidr(cidr: Cidr): string {
  return `${cidr.family === 4 ? formatIPv4(cidr.v4) : formatIPv6(cidr.v6)}/${cidr.prefix}`;
}

/** True when the IPv4 block contains `address` (an unsigned 32-bit number). No allocation. */
export function cidrContainsV4(cidr: Cidr, address: number): boolean {
  return cidr.family === 4 && ((address ^ cidr.v4) & maskV4(cidr.prefix)) === 0;
}

/** True when the IPv6 block contains the 16-byte `address`. No allocation. */
export function cidrContainsV6(cidr: Cidr, address: Uint8Array): boolean {
  if (cidr.family !== 6) return false;
  let left = cidr.prefix;
  for (let i = 0; left > 0; i++, left -= 8) {
    const mask = left >= 8 ? 0xff : (0xff00 >> left) & 0xff;
    if ((((address[i] as number) ^ (cidr.v6[i] as number)) & mask) !== 0) return false;
  }
  return true;
}
