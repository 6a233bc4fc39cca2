import type { DistributionLayer, DistributionMode } from '@maestro/hash';
import type { Cidr } from './cidr.js';
import type { LogicalServerConfig } from './logical-servers.js';
import type { Range } from './range.js';

/** Which side of the gateway an interface or VLAN faces. */
export type Zone = 'internal' | 'external';

/** How widely a connection's state is synced: not at all, to its backup member, or to every member. */
export type SyncScope = 'none' | 'backup' | 'all';

/** Every sync scope, in a stable order. */
export const SYNC_SCOPES: readonly SyncScope[] = ['none', 'backup', 'all'];

/** The scope a connection gets when no rule says otherwise (HyperSync's owner + one backup). */
export const DEFAULT_SYNC: SyncScope = 'backup';

/** How a logical server picks a real server for a new connection. */
export type BalanceMethod = 'server-load' | 'round-trip' | 'round-robin' | 'random' | 'domain';

/** Every balancing method, in a stable order. */
export const BALANCE_METHODS: readonly BalanceMethod[] = [
  'server-load',
  'round-trip',
  'round-robin',
  'random',
  'domain',
];

/** A VLAN on an interface, with its own zone and optionally its own explicit mode. */
export interface VlanTopology {
  /** VLAN ID, 1..4094. */
  readonly id: number;
  /** The VLAN's side; it overrides the interface's zone for auto-topology. */
  readonly zone: Zone;
  /** An explicit mode for this VLAN; when absent the VLAN follows the interface and group settings. */
  readonly mode?: DistributionMode;
}

/** An interface: its side, an optional explicit mode and its VLANs. */
export interface InterfaceTopology {
  /** Interface name as the orchestrator reports it, e.g. `eth1-05`. */
  readonly name: string;
  /** The interface's side; auto-topology gives internal -> `user`, external -> `network`. */
  readonly zone: Zone;
  /** An explicit mode; it wins over the group mode and auto-topology. */
  readonly mode?: DistributionMode;
  /** VLANs with their own settings (others follow the interface). */
  readonly vlans: readonly VlanTopology[];
}

/**
 * Group-wide settings and the interfaces. The mode of a packet entering interface I on VLAN V is,
 * first that applies: the VLAN's explicit mode, the interface's explicit mode, `general` when the
 * group mode is `general`, else auto-topology from the VLAN's zone (or the interface's).
 */
export interface Topology {
  /** `auto` derives each interface's mode from its zone; `general` uses General on the whole group. */
  readonly mode: 'auto' | 'general';
  /** Layer-3 (addresses) or Layer-4 (addresses and ports) distribution. */
  readonly layer: DistributionLayer;
  /** Every interface the policy knows, in the order given (their index is the interface id). */
  readonly interfaces: readonly InterfaceTopology[];
}

/**
 * What a rule matches. Every field given must match (AND); within a field any entry may match
 * (OR); an empty list matches anything. Port conditions match only keys that carry ports
 * (TCP/UDP/SCTP, not fragments or ICMP echo); VLAN conditions never match untagged traffic.
 */
export interface RuleMatch {
  /** Interface names. */
  readonly interfaces: readonly string[];
  /** VLAN ID ranges, 1..4094. */
  readonly vlans: readonly Range[];
  /** Source address blocks, IPv4 and IPv6 mixed. */
  readonly source: readonly Cidr[];
  /** Destination address blocks, IPv4 and IPv6 mixed. */
  readonly destination: readonly Cidr[];
  /** IP protocol numbers. */
  readonly protocols: readonly number[];
  /** Source port ranges. */
  readonly sourcePorts: readonly Range[];
  /** Destination port ranges. */
  readonly destinationPorts: readonly Range[];
}

/** What a matching rule does; at least one field is present, `members` and `management` exclude each other. */
export interface RuleAction {
  /** Override the distribution mode for this traffic. */
  readonly mode?: DistributionMode;
  /** Pin the traffic to this set of member ids (distributed among them). */
  readonly members?: readonly string[];
  /** Send the traffic to the management member (SMO). */
  readonly management?: true;
  /** Sync exception: how widely the connection's state is synced. */
  readonly sync?: SyncScope;
}

/** One rule: the first rule that matches a packet decides for it. */
export interface Rule {
  /** Optional name, for reports. */
  readonly name?: string;
  /** The conditions. */
  readonly match: RuleMatch;
  /** The decision. */
  readonly action: RuleAction;
}

/** Hide NAT: many internal addresses leave as one address, sources ports translated into `ports`. */
export interface HideNatRule {
  /** Discriminator. */
  readonly kind: 'hide';
  /** Optional name. */
  readonly name?: string;
  /** Original source blocks that are hidden. */
  readonly source: readonly Cidr[];
  /** Destination blocks the rule applies to (empty: any), of the hiding address's family. */
  readonly destination: readonly Cidr[];
  /** The hiding address (a full-length block of the same family as every source and destination). */
  readonly address: Cidr;
  /** Source ports the translation allocates from. */
  readonly ports: Range;
}

/** Static NAT: a one-to-one mapping of one block onto another of the same family and length. */
export interface StaticNatRule {
  /** Discriminator. */
  readonly kind: 'static';
  /** Optional name. */
  readonly name?: string;
  /** The original (usually internal) block. */
  readonly original: Cidr;
  /** The block it is translated to, same family and prefix length. */
  readonly translated: Cidr;
}

/** A NAT rule, plain data for the correction layer (which applies NAT to reply tuples). */
export type NatRule = HideNatRule | StaticNatRule;

/** A validated policy: topology, ordered rules and NAT rules. */
export interface Policy {
  /** Interfaces, zones and modes. */
  readonly topology: Topology;
  /** Rules, first match wins. */
  readonly rules: readonly Rule[];
  /** NAT rules, in order. */
  readonly nat: readonly NatRule[];
  /** ConnectControl logical servers (present when the config has the section). */
  readonly logicalServers?: readonly LogicalServerConfig[];
}

/** The port range hide NAT allocates from when the config names none. */
export const DEFAULT_HIDE_PORTS: Range = { from: 1024, to: 65535 };
