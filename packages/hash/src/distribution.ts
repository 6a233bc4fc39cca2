import type { DistributionLayer, DistributionMode } from './distribution-mode.js';
import { DISTRIBUTION_MODES } from './distribution-mode.js';
import { HashError } from './errors.js';
import { type FlowKey, PortKind } from './flow-key.js';
import { fmix32, spread16 } from './mix.js';
import { shown } from './shown.js';

/** What {@link distributionHash} needs of a hash: a Toeplitz or a keyed hasher both fit. */
export interface FlowHasher {
  /** 16 for a symmetric Toeplitz key (outputs repeat every 16 bits), else 32. */
  readonly entropyBits: 16 | 32;
  v4(src: number, dst: number, srcPort?: number, dstPort?: number): number;
  v6(src: Uint8Array, dst: Uint8Array, srcPort?: number, dstPort?: number): number;
}

const ZERO6 = new Uint8Array(16);

/**
 * The value a distribution table is indexed with, for a packet entering an interface of the
 * given mode (domain.md section 2):
 *
 * | mode | `l3` | `l4` |
 * | --- | --- | --- |
 * | `user` | dst | dst, src port |
 * | `network` | src | src, dst port |
 * | `general` | {src, dst} | {src:sport, dst:dport} |
 * | `five-tuple` | {src, dst}, protocol | {src:sport, dst:dport}, protocol |
 *
 * `user` and `network` hash the same (address, port) layout, so the `user` value of an outbound
 * packet equals the `network` value of its reply (auto-topology needs no correction). `general`
 * and `five-tuple` order the two endpoints canonically, so they are symmetric with any hasher.
 * Non-first fragments and port-less protocols hash with ports 0; ICMP echo uses its identifier.
 *
 * The result is mixed (a 32-bit finaliser, or a 16-bit spread for symmetric-key Toeplitz whose
 * outputs carry only 16 random bits), so it can be cut into any number of buckets, 65537
 * included, by multiply-shift: `Math.floor(value * size / 2 ** 32)`.
 *
 * @example
 * const h = createToeplitz(MICROSOFT_RSS_KEY);
 * distributionHash(parseFlow('tcp 10.0.0.1:1234 -> 192.0.2.7:443'), 'general', 'l4', h);
 */
export function distributionHash(
  key: FlowKey,
  mode: DistributionMode,
  layer: DistributionLayer,
  hasher: FlowHasher,
): number {
  if (layer !== 'l4' && layer !== 'l3') return badLayer(layer);
  const l4 = layer === 'l4' && key.portKind !== PortKind.FRAGMENT && key.portKind !== PortKind.NONE;
  const sp = l4 ? key.srcPort : 0;
  const dp = l4 ? key.dstPort : 0;
  let raw: number;
  let protocol = 0;
  if (key.family === 4) {
    switch (mode) {
      case 'user':
        raw = hasher.v4(key.dstV4, 0, sp, 0);
        break;
      case 'network':
        raw = hasher.v4(key.srcV4, 0, dp, 0);
        break;
      case 'five-tuple':
        protocol = key.protocol;
        raw = canonicalV4(key, sp, dp, hasher);
        break;
      case 'general':
        raw = canonicalV4(key, sp, dp, hasher);
        break;
      default:
        return badMode(mode);
    }
  } else {
    switch (mode) {
      case 'user':
        raw = hasher.v6(key.dst6, ZERO6, sp, 0);
        break;
      case 'network':
        raw = hasher.v6(key.src6, ZERO6, dp, 0);
        break;
      case 'five-tuple':
        protocol = key.protocol;
        raw = canonicalV6(key, sp, dp, hasher);
        break;
      case 'general':
        raw = canonicalV6(key, sp, dp, hasher);
        break;
      default:
        return badMode(mode);
    }
  }
  if (hasher.entropyBits === 16) {
    return spread16((raw ^ Math.imul(protocol, 0x9e37)) & 0xffff);
  }
  return fmix32(raw ^ Math.imul(protocol, 0x9e3779b1));
}

/**
 * A distribution function fixed to one mode, layer and hasher, for hot paths.
 *
 * @example
 * const distribute = createDistributor('user', 'l4', createToeplitz(MICROSOFT_RSS_KEY));
 * table.lookup(distribute(key));
 */
export function createDistributor(
  mode: DistributionMode,
  layer: DistributionLayer,
  hasher: FlowHasher,
): (key: FlowKey) => number {
  if (!DISTRIBUTION_MODES.includes(mode)) badMode(mode);
  if (layer !== 'l3' && layer !== 'l4') badLayer(layer);
  return (key) => distributionHash(key, mode, layer, hasher);
}

function canonicalV4(key: FlowKey, sp: number, dp: number, hasher: FlowHasher): number {
  const src = key.srcV4;
  const dst = key.dstV4;
  return src < dst || (src === dst && sp <= dp) ? hasher.v4(src, dst, sp, dp) : hasher.v4(dst, src, dp, sp);
}

function canonicalV6(key: FlowKey, sp: number, dp: number, hasher: FlowHasher): number {
  let order = 0;
  for (let i = 0; i < 16 && order === 0; i++) order = (key.src6[i] as number) - (key.dst6[i] as number);
  if (order === 0) order = sp - dp;
  return order <= 0 ? hasher.v6(key.src6, key.dst6, sp, dp) : hasher.v6(key.dst6, key.src6, dp, sp);
}

function badLayer(layer: unknown): never {
  throw new HashError('INVALID_MODE', `layer must be 'l3' or 'l4', got ${named(layer)}`);
}

function badMode(mode: unknown): never {
  throw new HashError(
    'INVALID_MODE',
    `distribution mode must be one of ${DISTRIBUTION_MODES.join(', ')}, got ${named(mode)}`,
  );
}

/** A name as JSON, anything else as {@link shown} puts it (`JSON.stringify` throws for a bigint). */
function named(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : shown(value);
}
