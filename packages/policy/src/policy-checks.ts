import { protocolName } from '@maestro/hash';
import type { Cidr } from './cidr.js';
import { formatCidr } from './cidr.js';
import type { IssueReporter, LogicalServerConfig } from './logical-servers.js';
import type { PathKey } from './source.js';

// What the config loader refuses beyond each value's shape: names and ids that must be unique,
// actions that must say something, interfaces a rule names, real and logical servers listed
// twice. The one statement of these rules:
// the loader reports each problem as an issue at its line, and `compilePolicy` refuses a
// hand-built policy at the first (as nat-checks.ts does for NAT rules). Each caller checks the
// shape of the values first; these take them as well-formed. No valibot here: `compilePolicy`
// runs these without pulling in the loader.

/** An interface as both callers hold it: its name, and its VLANs' ids. */
export interface CheckedInterface {
  readonly name: string;
  readonly vlans?: readonly { readonly id: number }[] | undefined;
}

/**
 * Reports an interface name used twice, and a VLAN id listed twice on one interface. An
 * `undefined` entry (one the loader's schema refused) is skipped.
 */
export function checkInterfaces(
  interfaces: readonly (CheckedInterface | undefined)[],
  report: IssueReporter,
): void {
  const seen = new Map<string, number>();
  interfaces.forEach((iface, i) => {
    if (iface === undefined) return;
    const first = seen.get(iface.name);
    if (first !== undefined) {
      report(
        ['topology', 'interfaces', i, 'name'],
        JSON.stringify(iface.name),
        `a name not already used by interface ${first}`,
      );
    } else seen.set(iface.name, i);
    const vlanSeen = new Map<number, number>();
    (iface.vlans ?? []).forEach((vlan, j) => {
      const firstVlan = vlanSeen.get(vlan.id);
      if (firstVlan !== undefined) {
        report(
          ['topology', 'interfaces', i, 'vlans', j, 'id'],
          String(vlan.id),
          `a VLAN ID not already listed at vlans[${firstVlan}]`,
        );
      } else vlanSeen.set(vlan.id, j);
    });
  });
}

/** Reports each interface a rule's match names that `known` (the topology's names) lacks. */
export function checkRuleInterfaces(
  names: readonly string[],
  at: readonly PathKey[],
  known: ReadonlySet<string>,
  report: IssueReporter,
): void {
  names.forEach((name, i) => {
    if (!known.has(name)) {
      const declared = known.size === 0 ? 'none declared' : [...known].join(', ');
      report(
        [...at, 'match', 'interfaces', i],
        JSON.stringify(name),
        `an interface of the topology (${declared})`,
      );
    }
  });
}

/** A rule's action as both callers hold it. */
export interface CheckedAction {
  readonly mode?: unknown;
  readonly members?: readonly string[] | undefined;
  readonly management?: unknown;
  readonly sync?: unknown;
}

/**
 * Reports an action with both `members` and `management`, an empty or repeating member list, and
 * an action that sets nothing.
 */
export function checkRuleAction(a: CheckedAction, at: readonly PathKey[], report: IssueReporter): void {
  if (a.members !== undefined && a.management === true) {
    report([...at, 'action'], 'both members and management', 'either members or management, not both');
  }
  const { members } = a;
  if (members !== undefined) {
    if (members.length === 0) report([...at, 'action', 'members'], 'an empty list', 'at least one member id');
    const dup = members.find((id, i) => members.indexOf(id) !== i);
    if (dup !== undefined) {
      report([...at, 'action', 'members'], `${JSON.stringify(dup)} twice`, 'each member id once');
    }
  }
  if (a.mode === undefined && a.members === undefined && a.management === undefined && a.sync === undefined) {
    report([...at, 'action'], 'an empty action', 'at least one of mode, members, management, sync');
  }
}

/** Reports a rule name used by an earlier rule; `names[i]` is rule i's (undefined: unnamed or refused). */
export function checkRuleNames(names: readonly (string | undefined)[], report: IssueReporter): void {
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    if (name === undefined) return;
    const first = seen.get(name);
    if (first !== undefined) {
      report(['rules', i, 'name'], JSON.stringify(name), `a name not used by rule ${first}`);
    } else seen.set(name, i);
  });
}

/**
 * Reports a real server of another family than its logical server's `address`, and one listed
 * twice (the same host and port, a missing port being the logical server's `port`).
 */
export function checkRealServers(
  address: Cidr,
  port: number,
  servers: readonly { readonly address: Cidr; readonly port?: number | undefined }[],
  at: readonly PathKey[],
  report: IssueReporter,
): void {
  const seen = new Map<string, number>();
  servers.forEach((s, i) => {
    if (s.address.family !== address.family) {
      report(
        [...at, 'servers', i, 'address'],
        `an IPv${s.address.family} address`,
        `an IPv${address.family} address, like the logical server's`,
      );
    }
    const id = `${formatCidr(s.address)} ${s.port ?? port}`;
    const first = seen.get(id);
    if (first !== undefined) {
      report([...at, 'servers', i], `${id} again`, `a server not already listed at servers[${first}]`);
    } else seen.set(id, i);
  });
}

/**
 * Checks what only the whole list shows: names are unique, and no two logical servers share an
 * address, protocol and port.
 */
export function checkLogicalServers(
  servers: readonly (LogicalServerConfig | undefined)[],
  report: IssueReporter,
): void {
  const names = new Map<string, number>();
  const services = new Map<string, number>();
  servers.forEach((s, i) => {
    if (s === undefined) return;
    const firstName = names.get(s.name);
    if (firstName !== undefined) {
      report(
        ['logicalServers', i, 'name'],
        JSON.stringify(s.name),
        `a name not used by logicalServers[${firstName}]`,
      );
    } else names.set(s.name, i);
    const service = `${protocolName(s.protocol)} ${formatCidr(s.address)}:${s.port}`;
    const firstService = services.get(service);
    if (firstService !== undefined) {
      report(
        ['logicalServers', i],
        service,
        `an address, protocol and port not already served by logicalServers[${firstService}]`,
      );
    } else services.set(service, i);
  });
}
