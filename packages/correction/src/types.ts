import type { Timeouts } from '@maestro/flowtable';
import type { DistributionLayer, DistributionMode, FlowKey } from '@maestro/hash';
import type { NatRule } from './nat.js';

/** The interface (or VLAN) a packet enters, with the distribution the orchestrator applies there. */
export interface Ingress {
  /** Interface or VLAN number, as the topology names it. */
  readonly id: number;
  readonly mode: DistributionMode;
  readonly layer: DistributionLayer;
}

/** The member a packet entering `ingress` is handed to, an index `0 .. members - 1`; must be pure. */
export type Distribute = (key: FlowKey, ingress: Ingress) => number;

/** Index into `interfaces` of the interface a packet to `key`'s destination leaves through; must be pure. */
export type Route = (key: FlowKey) => number;

/**
 * A per-connection destination NAT chosen when the connection is created (a ConnectControl logical
 * server picking a real server, say): `out` holds the tuple after the NAT rules; write the new
 * destination address (and port) into it and return true, or return false to leave it as is.
 * Called once per created connection, on its owner; may keep state (persistency), must not read a
 * clock or a socket. Only the destination may change.
 */
export type Translate = (original: FlowKey, out: FlowKey) => boolean;

/** Everything a member engine knows about the group: data and pure functions, no clock, no socket. */
export interface CorrectionConfig {
  /** Number of members; members are `0 .. members - 1` (at most 65535). */
  readonly members: number;
  /** The interfaces; a packet's `ingress` is an index into this list. */
  readonly interfaces: readonly Ingress[];
  readonly distribute: Distribute;
  readonly route: Route;
  /** NAT rules, first match wins, matched on the original tuple. @default [] */
  readonly nat?: readonly NatRule[];
  /** Per-connection destination NAT, applied after the NAT rules. @default none */
  readonly translate?: Translate;
  /** Connection idle timeouts in seconds (see `@maestro/flowtable`). */
  readonly timeouts?: Partial<Timeouts>;
  /**
   * Connections a member is expected to own: pre-sizes its table, with room for a translated tuple
   * for each when the config has NAT rules or a translate hook (the table still grows past it).
   * @default 16
   */
  readonly capacity?: number;
  /** Seconds a fragment tracking entry lives. @default 30 */
  readonly fragmentTimeout?: number;
  /** Seconds an expectation waits for its related connection. @default 60 */
  readonly expectationTimeout?: number;
}

/** One packet as the engine sees it; meant to be reused by the caller. */
export interface Packet {
  /** Its flow key as on the wire (a non-first fragment has port kind FRAGMENT and no ports). */
  key: FlowKey;
  /** Index into `CorrectionConfig.interfaces` of the interface it entered. */
  ingress: number;
  /** IP identification (IPv6: the fragment header's identification), 0 .. 2^32 - 1. */
  ipId: number;
  /** The More Fragments flag: with ports, this is a first fragment. */
  moreFragments: boolean;
  /** TCP flags, 0 .. 255. */
  tcpFlags: number;
  /** Length in bytes, a whole number 0..2^32-1. */
  bytes: number;
  /** For an ICMP error: the tuple of the packet it reports on, as that packet was sent; else null. */
  embedded: FlowKey | null;
  /** Internal hops taken so far (0 when it comes from the orchestrator). */
  hops: number;
}

/** A message for the sync layer to deliver to member `to`. */
export type CorrectionMessage =
  | {
      /**
       * Install a correction entry: packets of `key` (either direction) go to `owner`. Also a
       * claim: when the receiver owns `key` itself (two members each created one direction, a
       * split connection), the earlier `created` keeps it and the other member yields.
       */
      readonly kind: 'correct';
      readonly from: number;
      readonly to: number;
      readonly key: FlowKey;
      /** The member that owns the connection; never the receiver. */
      readonly owner: number;
      readonly reason: number;
      /**
       * When `owner` created the connection, on the clock of the engines' `now` (the owned
       * entry's `created`): what decides a split connection, then the smaller member index.
       */
      readonly created: number;
    }
  | {
      /**
       * Remove the correction entry of `key`, if `from` made it (it names `from` as the owner) for
       * the connection created at `created` or earlier.
       */
      readonly kind: 'uncorrect';
      readonly from: number;
      readonly to: number;
      readonly key: FlowKey;
      /**
       * When `from` created the connection it takes back, as its `correct`s said: a late
       * `uncorrect` of an earlier incarnation leaves the entry of a later one alone.
       */
      readonly created: number;
    }
  | {
      /** Non-first fragments of `key` (ports = IP id high/low 16 bits) go to `owner`. */
      readonly kind: 'fragment';
      readonly from: number;
      readonly to: number;
      readonly key: FlowKey;
      readonly owner: number;
    }
  | {
      /** A related connection `key` (source port 0: any) is expected on `owner`. */
      readonly kind: 'expect' | 'unexpect';
      readonly from: number;
      readonly to: number;
      readonly key: FlowKey;
      readonly owner: number;
    };
