import { createPacket, type Packet } from '@maestro/correction';
import { FlowTable } from '@maestro/flowtable';
import { copyFlowKey, createFlowKey, distributionHash, PortKind } from '@maestro/hash';
import { DecodeStatus, generateCapture, type PacketRecord, readCapture } from '@maestro/pcap';
import { compilePolicy } from '@maestro/policy';
import { damageLine, readCaptureOrFail } from '../cli/capture-input.js';
import { CliError } from '../cli/errors.js';
import { hasherOf, type SimulationSettings } from '../simulation/settings.js';
import { IngressMap } from '../simulation/topology.js';
import { encodePacket } from './wire.js';

/** Where the replayed packets come from. */
export type TrafficSource =
  | { readonly kind: 'capture'; readonly path: string }
  | { readonly kind: 'generate'; readonly packets: number; readonly flows: number; readonly seed: number };

/**
 * The packets to replay, prepared once: each one's datagram (flow number and first-packet flag
 * filled in, send time stamped at send) and its distribution hash at its ingress, so that sending
 * is a table lookup and a socket write.
 */
export interface Replay {
  readonly datagrams: Uint8Array[];
  /** Distribution hash of each datagram's packet in its ingress's mode. */
  readonly hashes: Uint32Array;
  /** Distinct flows (connections, both directions). */
  readonly flows: number;
  /** Packets that did not decode to a flow (skipped). */
  readonly skipped: number;
  /** A line naming damage in the capture, or null. */
  readonly damage: string | null;
  readonly source: string;
}

/** Reads (or generates) the traffic and prepares it for `settings`' group. */
export function loadReplay(source: TrafficSource, settings: SimulationSettings): Replay {
  const compiled = compilePolicy(settings.policy);
  const layer = settings.layer ?? compiled.layer;
  const ingress = new IngressMap(compiled, settings.mode, layer);
  const hasher = hasherOf(settings);
  const registry = new FlowTable({ symmetric: true, capacity: 1024 });
  const datagrams: Uint8Array[] = [];
  const hashes: number[] = [];
  const inner = createFlowKey();
  const packet: Packet = createPacket();
  const key = packet.key;
  let skipped = 0;
  const onPacket = (p: PacketRecord): void => {
    if (p.status !== DecodeStatus.OK) {
      skipped++;
      return;
    }
    copyFlowKey(p.flow, key);
    const ing = ingress.ingressOf(p.interfaceId, p.vlan);
    packet.ingress = ing;
    packet.ipId = p.fragmentId >>> 0;
    packet.moreFragments = p.moreFragments;
    packet.tcpFlags = p.tcpFlags;
    packet.bytes = p.originalLength;
    packet.embedded = p.hasInner ? copyFlowKey(p.inner, inner) : null;
    let flow = -1;
    let first = false;
    if (key.portKind !== PortKind.FRAGMENT) {
      // Entries are never removed, so a flow's handle is its number (first-seen order).
      flow = registry.find(key);
      if (flow < 0) {
        flow = registry.insert(key, 0, 0);
        first = true;
      }
    }
    const mode = ingress.ingresses[ing]?.mode ?? 'general';
    hashes.push(distributionHash(key, mode, layer, hasher));
    datagrams.push(encodePacket(packet, { flow: flow < 0 ? 0xffffffff : flow, first, sentAt: 0 }));
  };
  if (source.kind === 'generate') {
    const bytes = generateCapture({
      packets: source.packets,
      flows: source.flows,
      seed: source.seed,
      natShare: 0,
    });
    const summary = readCapture(bytes, onPacket);
    return finish(
      summary.error === null ? null : summary.error.message,
      `generated (${source.packets} packets)`,
    );
  }
  const { summary } = readCaptureOrFail(source.path, onPacket);
  return finish(damageLine(source.path, summary), source.path);

  function finish(damage: string | null, name: string): Replay {
    if (datagrams.length === 0) throw new CliError(`${name}: no packet with a flow to replay`, 1);
    return {
      datagrams,
      hashes: Uint32Array.from(hashes),
      flows: registry.size,
      skipped,
      damage,
      source: name,
    };
  }
}
