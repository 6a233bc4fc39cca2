import { type Cidr, formatCidr } from './cidr.js';
import { formatPath } from './config-path.js';
import { describeValue, PolicyError } from './errors.js';
import type { IssueReporter, LogicalServerConfig } from './logical-servers.js';
import { checkNatRule } from './nat-checks.js';
import type { NatRule, Policy } from './policy.js';
import { BALANCE_METHODS, SYNC_SCOPES } from './policy.js';
import {
  checkInterfaces,
  checkLogicalServers,
  checkRealServers,
  checkRuleAction,
  checkRuleInterfaces,
  checkRuleNames,
} from './policy-checks.js';
import type { Range } from './range.js';
import type { PathKey } from './source.js';

// The checks `compilePolicy` runs on a policy built by hand: it refuses exactly what the config
// loader refuses in the policy's printout, at the first problem (the loader lists them all).

const MODES: readonly string[] = ['user', 'network', 'general', 'five-tuple'];
const ZONES: readonly string[] = ['internal', 'external'];

/** Refuses at the first problem, named by its path as the loader's issue names it. */
const report: IssueReporter = (path, found, expected) =>
  fail(formatPath(path), `found ${found}; allowed: ${expected}`);

function fail(where: string, what: string): never {
  throw new PolicyError('INVALID_POLICY', `${where}: ${what}`);
}

function checkRanges(ranges: readonly Range[], min: number, max: number, where: string): void {
  for (const r of ranges) {
    if (!Number.isInteger(r.from) || !Number.isInteger(r.to) || r.from < min || r.to > max || r.from > r.to) {
      fail(
        where,
        `range ${describeValue(r.from)}-${describeValue(r.to)} must lie in ${min}..${max} with from <= to`,
      );
    }
  }
}

function checkCidrs(cidrs: readonly Cidr[], where: string): void {
  for (const c of cidrs) {
    const max = c.family === 4 ? 32 : 128;
    if ((c.family !== 4 && c.family !== 6) || !Number.isInteger(c.prefix) || c.prefix < 0 || c.prefix > max) {
      fail(where, `an address block needs family 4 or 6 and a prefix 0..${max}`);
    }
    if (c.family === 6 && c.v6.length !== 16) fail(where, 'an IPv6 block needs 16 address bytes');
    if (c.family === 4 && !(Number.isInteger(c.v4) && c.v4 >= 0 && c.v4 <= 0xffff_ffff)) {
      fail(where, 'an IPv4 block needs its address as an unsigned 32-bit integer');
    }
  }
}

/**
 * Checks the NAT rules of a hand-built policy as `validatePolicy` checks a configuration's: the
 * shape of each block here, what makes a rule applicable in the loader's own {@link checkNatRule}.
 * The matcher does not read them, but the compiled policy carries them to whatever applies NAT.
 */
function checkNat(nat: readonly NatRule[]): void {
  nat.forEach((rule, i) => {
    const at = ['nat', i];
    const where = formatPath(at);
    if (rule.kind === 'static') checkCidrs([rule.original, rule.translated], where);
    else if (rule.kind === 'hide') checkCidrs([rule.address, ...rule.source, ...rule.destination], where);
    else fail(where, `kind ${describeValue((rule as { kind: unknown }).kind)} must be 'hide' or 'static'`);
    checkNatRule(rule, at, report);
  });
}

/** Refuses a value outside `allowed` at `path`. */
function checkOneOf(value: unknown, allowed: readonly unknown[], path: readonly PathKey[]): void {
  if (!allowed.includes(value)) {
    report(path, describeValue(value), `one of ${allowed.map((x) => JSON.stringify(x)).join(', ')}`);
  }
}

/** Refuses anything but non-empty text at `path`, as the loader's schema refuses it. */
function checkName(value: unknown, path: readonly PathKey[]): void {
  if (typeof value !== 'string' || value.length === 0) report(path, describeValue(value), 'a non-empty name');
}

function checkHost(block: Cidr, path: readonly PathKey[]): void {
  checkCidrs([block], formatPath(path));
  if (block.prefix !== (block.family === 4 ? 32 : 128)) {
    report(path, JSON.stringify(formatCidr(block)), 'a single address (a host, /32 or /128)');
  }
}

function checkPort(value: unknown, path: readonly PathKey[]): void {
  if (!(Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535)) {
    report(path, describeValue(value), 'a port 1..65535');
  }
}

/** Checks the logical servers' fields as the loader's schema does, then what only the whole entry and list show. */
function checkLogicalServerList(servers: readonly LogicalServerConfig[]): void {
  servers.forEach((s, i) => {
    const at = ['logicalServers', i];
    checkName(s.name, [...at, 'name']);
    checkHost(s.address, [...at, 'address']);
    checkOneOf(s.protocol, [6, 17], [...at, 'protocol']);
    checkPort(s.port, [...at, 'port']);
    checkOneOf(s.method, BALANCE_METHODS, [...at, 'method']);
    if (s.servers.length === 0) report([...at, 'servers'], 'an empty list', 'at least one real server');
    s.servers.forEach((r, j) => {
      checkHost(r.address, [...at, 'servers', j, 'address']);
      if (r.port !== undefined) checkPort(r.port, [...at, 'servers', j, 'port']);
    });
    checkOneOf(s.persistency, ['none', 'service', 'server'], [...at, 'persistency']);
    const t = s.persistencyTimeout;
    if (!(typeof t === 'number' && Number.isFinite(t) && t > 0)) {
      report([...at, 'persistencyTimeout'], describeValue(t), 'a number of seconds > 0');
    }
    checkRealServers(s.address, s.port, s.servers, at, report);
  });
  checkLogicalServers(servers, report);
}

/**
 * Checks a policy built by hand rather than by `validatePolicy`: what the matcher relies on, and
 * everything else the loader refuses in a configuration, by the loader's own checks
 * (policy-checks.ts, nat-checks.ts, logical-servers.ts). Throws `INVALID_POLICY` at the first
 * problem, named by the JSON path the loader would report it at.
 */
export function checkPolicy(policy: Policy): void {
  const { topology } = policy;
  checkOneOf(topology.mode, ['auto', 'general'], ['topology', 'mode']);
  checkOneOf(topology.layer, ['l3', 'l4'], ['topology', 'layer']);
  topology.interfaces.forEach((x, i) => {
    const at = ['topology', 'interfaces', i];
    checkName(x.name, [...at, 'name']);
    checkOneOf(x.zone, ZONES, [...at, 'zone']);
    if (x.mode !== undefined) checkOneOf(x.mode, MODES, [...at, 'mode']);
    x.vlans.forEach((vl, j) => {
      if (!(Number.isInteger(vl.id) && vl.id >= 1 && vl.id <= 4094)) {
        report([...at, 'vlans', j, 'id'], describeValue(vl.id), 'a VLAN ID 1..4094');
      }
      checkOneOf(vl.zone, ZONES, [...at, 'vlans', j, 'zone']);
      if (vl.mode !== undefined) checkOneOf(vl.mode, MODES, [...at, 'vlans', j, 'mode']);
    });
  });
  checkInterfaces(topology.interfaces, report);
  const known = new Set(topology.interfaces.map((x) => x.name));
  policy.rules.forEach((rule, i) => {
    const where = `rule ${i}`;
    const at = ['rules', i];
    if (rule.name !== undefined) checkName(rule.name, [...at, 'name']);
    const m = rule.match;
    m.interfaces.forEach((name, j) => {
      checkName(name, [...at, 'match', 'interfaces', j]);
    });
    checkRanges(m.vlans, 1, 4094, where);
    checkRanges(m.sourcePorts, 0, 65535, where);
    checkRanges(m.destinationPorts, 0, 65535, where);
    checkCidrs(m.source, where);
    checkCidrs(m.destination, where);
    for (const p of m.protocols)
      if (!Number.isInteger(p) || p < 0 || p > 255)
        fail(where, `protocol ${describeValue(p)} must be 0..255`);
    const a = rule.action;
    if (a.mode !== undefined) checkOneOf(a.mode, MODES, [...at, 'action', 'mode']);
    a.members?.forEach((id, j) => {
      checkName(id, [...at, 'action', 'members', j]);
    });
    if (a.management !== undefined) checkOneOf(a.management, [true], [...at, 'action', 'management']);
    if (a.sync !== undefined) checkOneOf(a.sync, SYNC_SCOPES, [...at, 'action', 'sync']);
    // The whole rule's shape first: the loader checks no more of a rule whose shape it refused.
    checkRuleInterfaces(m.interfaces, at, known, report);
    checkRuleAction(a, at, report);
  });
  checkRuleNames(
    policy.rules.map((r) => r.name),
    report,
  );
  checkNat(policy.nat);
  if (policy.logicalServers !== undefined) checkLogicalServerList(policy.logicalServers);
}
