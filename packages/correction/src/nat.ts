import { type FlowKey, PortKind } from '@maestro/hash';
import { CorrectionError, shown } from './errors.js';

/** An IPv4 network: `address` (unsigned 32-bit) and prefix length 0..32. */
export interface Cidr {
  readonly address: number;
  readonly prefix: number;
}

/** What a rule matches in the original (pre-NAT) tuple; an absent field matches anything. */
export interface NatMatch {
  readonly protocol?: number;
  readonly src?: Cidr;
  readonly dst?: Cidr;
  /** Inclusive destination port range. */
  readonly dstPorts?: readonly [number, number];
}

/**
 * A NAT rule, IPv4 only (IPv6 connections are never translated):
 * - `source`: static source NAT, the source address becomes `to`, ports kept;
 * - `hide`: many-to-one, the source becomes `address` and the source port (or echo id) one
 *   allocated from `portMin..portMax`, split evenly between members so that no two members hand
 *   out the same port; the port is chosen deterministically from the original tuple;
 * - `destination`: the destination becomes `to` (and its port `toPort` when given);
 * - `static`: two-way 1:1, `internal` ↔ `external`: an outbound connection from `internal` gets
 *   source `external`, an inbound one to `external` gets destination `internal`.
 */
export type NatRule =
  | { readonly kind: 'source'; readonly match: NatMatch; readonly to: number }
  | {
      readonly kind: 'hide';
      readonly match: NatMatch;
      readonly address: number;
      readonly portMin: number;
      readonly portMax: number;
    }
  | { readonly kind: 'destination'; readonly match: NatMatch; readonly to: number; readonly toPort?: number }
  | { readonly kind: 'static'; readonly internal: number; readonly external: number };

function bad(index: number, what: string): CorrectionError {
  return new CorrectionError('INVALID_NAT_RULE', `NAT rule ${index}: ${what}`);
}

function isU32(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffff_ffff;
}

function isPort(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffff;
}

function checkMatch(index: number, m: unknown): void {
  if (typeof m !== 'object' || m === null) throw bad(index, 'match must be an object');
  const { protocol, src, dst, dstPorts } = m as Record<string, unknown>;
  if (protocol !== undefined && !(isPort(protocol) && protocol <= 255))
    throw bad(index, 'protocol must be 0..255');
  for (const [name, c] of [
    ['src', src],
    ['dst', dst],
  ] as const) {
    if (c === undefined) continue;
    const { address, prefix } = (c ?? {}) as Record<string, unknown>;
    if (typeof c !== 'object' || c === null || !isU32(address) || !(isPort(prefix) && prefix <= 32)) {
      throw bad(index, `${name} must be { address: u32, prefix: 0..32 }`);
    }
  }
  if (dstPorts !== undefined) {
    if (!Array.isArray(dstPorts) || dstPorts.length !== 2 || !isPort(dstPorts[0]) || !isPort(dstPorts[1])) {
      throw bad(index, 'dstPorts must be [low, high] ports');
    }
    if (dstPorts[0] > dstPorts[1]) throw bad(index, 'dstPorts low must not exceed high');
  }
}

/**
 * Checks NAT rules built from outside data; returns them typed, or throws a {@link CorrectionError}
 * (`INVALID_NAT_RULE`) naming the first bad rule. `members` is needed to split hide-NAT ports.
 */
export function validateNatRules(rules: unknown, members: number): readonly NatRule[] {
  if (!Array.isArray(rules)) throw new CorrectionError('INVALID_NAT_RULE', 'NAT rules must be an array');
  rules.forEach((rule: unknown, i) => {
    if (typeof rule !== 'object' || rule === null) throw bad(i, 'must be an object');
    const r = rule as Record<string, unknown>;
    switch (r['kind']) {
      case 'source':
        checkMatch(i, r['match']);
        if (!isU32(r['to'])) throw bad(i, 'to must be an IPv4 address (u32)');
        return;
      case 'hide':
        checkMatch(i, r['match']);
        if (!isU32(r['address'])) throw bad(i, 'address must be an IPv4 address (u32)');
        if (
          !isPort(r['portMin']) ||
          !isPort(r['portMax']) ||
          r['portMin'] < 1 ||
          r['portMin'] > r['portMax']
        ) {
          throw bad(i, 'portMin..portMax must be a port range within 1..65535');
        }
        if (r['portMax'] - r['portMin'] + 1 < members)
          throw bad(i, `port range must give each of ${members} members a port`);
        return;
      case 'destination':
        checkMatch(i, r['match']);
        if (!isU32(r['to'])) throw bad(i, 'to must be an IPv4 address (u32)');
        if (r['toPort'] !== undefined && !isPort(r['toPort'])) throw bad(i, 'toPort must be 0..65535');
        return;
      case 'static':
        if (!isU32(r['internal']) || !isU32(r['external']))
          throw bad(i, 'internal and external must be u32 addresses');
        return;
      default:
        throw bad(i, `kind must be source, hide, destination or static, got ${shown(r['kind'])}`);
    }
  });
  return rules as readonly NatRule[];
}

function inCidr(addr: number, c: Cidr | undefined): boolean {
  if (c === undefined) return true;
  if (c.prefix === 0) return true;
  const shift = 32 - c.prefix;
  return addr >>> shift === c.address >>> shift;
}

function matches(m: NatMatch, key: FlowKey): boolean {
  if (m.protocol !== undefined && m.protocol !== key.protocol) return false;
  if (!inCidr(key.srcV4, m.src) || !inCidr(key.dstV4, m.dst)) return false;
  if (m.dstPorts !== undefined) {
    if (key.portKind !== PortKind.PORTS) return false;
    if (key.dstPort < m.dstPorts[0] || key.dstPort > m.dstPorts[1]) return false;
  }
  return true;
}

/** The first rule that applies to the original tuple `key`, or undefined. */
export function matchNat(rules: readonly NatRule[], key: FlowKey): NatRule | undefined {
  if (key.family !== 4) return undefined;
  for (const rule of rules) {
    if (rule.kind === 'static') {
      if (key.srcV4 === rule.internal || key.dstV4 === rule.external) return rule;
    } else if (matches(rule.match, key)) {
      return rule;
    }
  }
  return undefined;
}

/**
 * Writes the translated tuple of `key` under `rule` into `out` (`out` already holds a copy of
 * `key`). For `hide` rules `port` is the allocated source port (or echo id).
 */
export function applyNat(rule: NatRule, key: FlowKey, port: number, out: FlowKey): void {
  switch (rule.kind) {
    case 'source':
      out.srcV4 = rule.to;
      return;
    case 'hide':
      out.srcV4 = rule.address;
      if (key.portKind === PortKind.PORTS) out.srcPort = port;
      else if (key.portKind === PortKind.ECHO) {
        out.srcPort = port;
        out.dstPort = port;
      }
      return;
    case 'destination':
      out.dstV4 = rule.to;
      if (rule.toPort !== undefined && key.portKind === PortKind.PORTS) out.dstPort = rule.toPort;
      return;
    case 'static':
      if (key.srcV4 === rule.internal) out.srcV4 = rule.external;
      else out.dstV4 = rule.internal;
      return;
  }
}

/** The slice of a hide rule's ports that `member` of `members` allocates from: [first, count]. */
export function hideSlice(
  rule: { portMin: number; portMax: number },
  member: number,
  members: number,
): [number, number] {
  const per = Math.floor((rule.portMax - rule.portMin + 1) / members);
  return [rule.portMin + member * per, per];
}
