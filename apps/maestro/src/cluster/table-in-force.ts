import { Reason } from '@maestro/correction';
import type { FlowTable } from '@maestro/flowtable';
import {
  createFlowKey,
  distributionHash,
  type FlowHasher,
  type FlowKey,
  reverseFlowKey,
} from '@maestro/hash';
import type { DistributionTable } from '@maestro/weighting';
import type { IngressMap } from '../simulation/topology.js';
import { encodeCorrection } from './wire.js';

/** Where a member's table decisions go: correction entries as datagrams to member ids. */
export interface LandingSink {
  datagram(to: string, bytes: Uint8Array): void;
}

/**
 * The distribution table a member node has in force, and what follows from it: on which member
 * (by index) a packet lands, and the correction entries that send packets of the connections it
 * owns back to it from the members where they now land.
 */
export class TableInForce {
  /** Digest of the table in force (0: none). */
  digest = 0;
  private table: DistributionTable | undefined = undefined;
  private toIndex = new Int32Array(0);
  private readonly scratch: FlowKey = createFlowKey();
  private readonly reply: FlowKey = createFlowKey();

  constructor(
    private readonly self: number,
    private readonly ids: readonly string[],
    private readonly ingress: IngressMap,
    private readonly layer: 'l3' | 'l4',
    private readonly hasher: FlowHasher,
    private readonly sink: LandingSink,
  ) {}

  /** True when a table is in force. */
  get installed(): boolean {
    return this.table !== undefined;
  }

  /** Drops the table (a fenced member starts afresh). */
  clear(): void {
    this.table = undefined;
    this.digest = 0;
  }

  /** The member (index) where a packet of `key` entering on interface `ingress` lands; this member while no table is in force. */
  landing(key: FlowKey, ingress: number): number {
    const table = this.table;
    if (table === undefined) return this.self;
    const ing = this.ingress.ingresses[ingress];
    const h = distributionHash(key, ing?.mode ?? 'general', this.layer, this.hasher);
    return this.toIndex[table.lookupIndex(h)] ?? this.self;
  }

  /**
   * Puts `table` in force and sends a correction entry to every member where packets of a
   * connection in `owned` (either direction) now land.
   */
  install(table: DistributionTable, digest: number, owned: FlowTable): void {
    this.table = table;
    this.digest = digest;
    this.toIndex = Int32Array.from(table.members, (m) => this.ids.indexOf(m.id));
    for (let h = 0; h < owned.size; h++)
      this.correctLandings(owned.keyAt(h, this.scratch), owned.tag(h), owned.created(h));
  }

  /**
   * Sends a correction entry to each member where packets of the owned `key` land (either way);
   * `created`: when this member created (or adopted) the connection, which decides a split one.
   */
  correctLandings(key: FlowKey, ingress: number, created: number): void {
    const here = this.landing(key, ingress);
    if (here !== this.self && here >= 0) this.correct(here, key, created);
    const reply = reverseFlowKey(key, this.reply);
    const there = this.landing(reply, this.ingress.replyIngress(key, ingress));
    if (there !== this.self && there >= 0) this.correct(there, reply, created);
  }

  private correct(to: number, key: FlowKey, created: number): void {
    const id = this.ids[to];
    if (id === undefined) return;
    this.sink.datagram(
      id,
      encodeCorrection({
        kind: 'correct',
        from: this.self,
        to,
        key,
        owner: this.self,
        reason: Reason.ASYMMETRIC,
        created,
      }),
    );
  }
}
