import type { FlowKey, PortKind } from '@maestro/hash';
import type { ConnectionInfo } from '@maestro/hypersync';

/**
 * What a member node stores with each connection it replicates through HyperSync besides the
 * flow: the payload carries what a member taking the connection over needs, its ingress
 * interface and the orchestrator's flow number (big-endian 32-bit words at 0 and 4).
 */
export function replicaPayload(ingress: number, flow: number): Uint8Array {
  const payload = new Uint8Array(8);
  const view = new DataView(payload.buffer);
  view.setUint32(0, ingress);
  view.setUint32(4, flow);
  return payload;
}

/** The ingress interface a replicated connection carries (0 when its payload has none). */
export function replicaIngress(c: ConnectionInfo): number {
  return c.payload !== undefined && c.payload.byteLength >= 4 ? word(c.payload, 0) : 0;
}

/** The orchestrator's flow number a replicated connection carries (-1 when its payload has none). */
export function replicaFlow(c: ConnectionInfo): number {
  return c.payload !== undefined && c.payload.byteLength >= 8 ? word(c.payload, 4) : -1;
}

/** The flow key of a replicated connection, written into `out`. */
export function replicaKey(c: ConnectionInfo, out: FlowKey): FlowKey {
  out.family = c.family;
  out.protocol = c.protocol;
  out.portKind = c.portKind as PortKind;
  out.srcPort = c.srcPort;
  out.dstPort = c.dstPort;
  out.srcV4 = c.srcV4;
  out.dstV4 = c.dstV4;
  if (c.src6 !== undefined) out.src6.set(c.src6);
  if (c.dst6 !== undefined) out.dst6.set(c.dst6);
  return out;
}

function word(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at);
}
