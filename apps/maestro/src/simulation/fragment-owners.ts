import { fragmentKey } from '@maestro/correction';
import { FlowTable } from '@maestro/flowtable';
import { createFlowKey, type FlowKey } from '@maestro/hash';

/**
 * The member that processed the first fragment of each fragmented datagram, by (addresses, IPv4
 * protocol, IP id), for the ground truth of later fragments. A flow table keyed as the correction
 * layer keys its fragment entries (`fragmentKey`: the IP id in the port fields) instead of a `Map`
 * keyed by text: no string per fragment. Entries stay for the run, as the datagrams' owners do.
 */
export class FragmentOwners {
  private readonly table = new FlowTable({ capacity: 1024 });
  private readonly key: FlowKey = createFlowKey();

  /** Records `owner` (engine index) for the datagram of `key` (its addresses and protocol) and `ipId`. */
  set(key: FlowKey, ipId: number, owner: number): void {
    const k = this.load(key, ipId);
    const h = this.table.find(k);
    if (h >= 0) this.table.setOwner(h, owner);
    else this.table.insert(k, 0, owner);
  }

  /** The owner recorded for the datagram of `key` and `ipId`, or -1. */
  get(key: FlowKey, ipId: number): number {
    const h = this.table.find(this.load(key, ipId));
    return h < 0 ? -1 : this.table.owner(h);
  }

  private load(key: FlowKey, ipId: number): FlowKey {
    return fragmentKey(key, ipId, this.key);
  }
}
