import { formatCidr } from './cidr.js';
import { describeValue } from './errors.js';
import type { IssueReporter } from './logical-servers.js';
import type { NatRule } from './policy.js';
import type { PathKey } from './source.js';

/** The lowest port a hide rule may allocate: 0 is no port a translation can hand out. */
export const HIDE_PORT_MIN = 1;
/** The highest port a hide rule may allocate. */
export const HIDE_PORT_MAX = 65535;

/**
 * Reports, at paths under `at`, what makes a NAT rule one that cannot be applied as it reads: a
 * static rule whose blocks differ in family or length, a hide rule whose address is not one host,
 * that hides no source, whose sources or destinations are of the other family than its address
 * (a destination block of the other family can never match a packet the rule translates: left in,
 * the rule applies to fewer destinations than it reads, or as the only block to none), or whose
 * ports are not an ordered range in 1..65535.
 *
 * The one statement of these rules: the config loader reports each problem as an issue at its
 * line, and `compilePolicy` refuses a hand-built policy at the first. Each caller checks the shape
 * of the blocks first (the loader's schema, the compiler's field checks); this takes them as
 * well-formed.
 */
export function checkNatRule(rule: NatRule, at: readonly PathKey[], report: IssueReporter): void {
  if (rule.kind === 'static') {
    const { original, translated } = rule;
    if (original.family !== translated.family || original.prefix !== translated.prefix) {
      report(
        [...at, 'translated'],
        JSON.stringify(formatCidr(translated)),
        `a block of the same family and length as the original (/${original.prefix}, IPv${original.family})`,
      );
    }
    return;
  }
  const { address, ports } = rule;
  if (address.prefix !== (address.family === 4 ? 32 : 128)) {
    report([...at, 'address'], JSON.stringify(formatCidr(address)), 'a single address (a host, /32 or /128)');
  }
  if (rule.source.length === 0) report([...at, 'source'], 'an empty list', 'at least one address block');
  rule.source.forEach((s, i) => {
    if (s.family !== address.family) {
      report(
        [...at, 'source', i],
        `an IPv${s.family} block`,
        `IPv${address.family} blocks, like the hiding address`,
      );
    }
  });
  rule.destination.forEach((d, i) => {
    if (d.family !== address.family) {
      report(
        [...at, 'destination', i],
        `an IPv${d.family} block`,
        `IPv${address.family} blocks, like the hiding address and the sources`,
      );
    }
  });
  const { from, to } = ports;
  if (
    !Number.isInteger(from) ||
    !Number.isInteger(to) ||
    from < HIDE_PORT_MIN ||
    to > HIDE_PORT_MAX ||
    from > to
  ) {
    report(
      [...at, 'ports'],
      `${describeValue(from)}-${describeValue(to)}`,
      `a port ${HIDE_PORT_MIN}..${HIDE_PORT_MAX} or a range like 1024-65535, lower end first`,
    );
  }
}
