// The capture thread's entry (built to dist/capture-worker.js): reads and decodes a capture file
// into the packet ring the simulating thread reads (see thread-reader.ts), then posts how reading
// ended on the side channel.
import type { MessagePort } from 'node:worker_threads';
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { type DistributionMode, distributionHash, type FlowHasher } from '@maestro/hash';
import { DecodeStatus, type PacketRecord } from '@maestro/pcap';
import { readCaptureFileSync } from '@maestro/pcap/node';
import { parseHash } from '../simulation/hash-choice.js';
import type { HashPlan } from './hash-plan.js';
import {
  CONSUMED,
  DONE,
  type PacketRing,
  packPacket,
  pause,
  RING_BATCH,
  RING_SLOTS,
  ringOver,
  STARTED,
  WRITTEN,
} from './packet-ring.js';
import type { WorkerEnd } from './worker-end.js';

interface WorkerInput {
  readonly path: string;
  readonly buffer: SharedArrayBuffer;
  readonly port: MessagePort;
}

const { path, buffer, port } = workerData as WorkerInput;
const ring: PacketRing = ringOver(buffer);
const control = ring.control;
let written = 0;
let consumed = 0;

function publish(): void {
  Atomics.store(control, WRITTEN, written);
}

/** Waits until the consumer has freed half the ring (see packet-ring.ts). */
function waitForRoom(): void {
  publish();
  consumed = Atomics.load(control, CONSUMED);
  while (written - consumed > RING_SLOTS / 2) {
    pause(control);
    consumed = Atomics.load(control, CONSUMED);
  }
}

/** The plan the reader posts once it knows the group (null: no hashes); see hash-plan.ts. */
function receivePlan(): HashPlan | null {
  for (;;) {
    const received = receiveMessageOnPort(port);
    if (received !== undefined) return (received.message as { plan: HashPlan | null }).plan;
    pause(control);
  }
}

/** Packs the packets of a run without hashes. */
function onPacket(p: PacketRecord): void {
  if (written - consumed === RING_SLOTS) {
    consumed = Atomics.load(control, CONSUMED);
    if (written - consumed === RING_SLOTS) waitForRoom();
  }
  packPacket(ring, written & (RING_SLOTS - 1), p, false, 0);
  written++;
  if ((written & (RING_BATCH - 1)) === 0) publish();
}

/** Packs the packets of a run with hashes: what `SimulatedGroup.distribute` hashes for each. */
function hashingOnPacket(plan: HashPlan): (p: PacketRecord) => void {
  const hasher: FlowHasher = parseHash(plan.hash);
  const { layer, interfaces, modeOf } = plan;
  const modes: readonly DistributionMode[] = plan.modes;
  return (p) => {
    if (written - consumed === RING_SLOTS) {
      consumed = Atomics.load(control, CONSUMED);
      if (written - consumed === RING_SLOTS) waitForRoom();
    }
    const ok = p.status === DecodeStatus.OK;
    let hash = 0;
    if (ok) {
      // IngressMap.ingressOf, written out.
      const ingress = (p.interfaceId < interfaces ? p.interfaceId : 0) * 4096 + Math.max(p.vlan, 0);
      hash =
        distributionHash(p.flow, modes[modeOf[ingress] as number] as DistributionMode, layer, hasher) | 0;
    }
    packPacket(ring, written & (RING_SLOTS - 1), p, ok, hash);
    written++;
    if ((written & (RING_BATCH - 1)) === 0) publish();
  };
}

Atomics.store(control, STARTED, 1);
let end: WorkerEnd;
try {
  const plan = receivePlan();
  const summary = readCaptureFileSync(path, plan === null ? onPacket : hashingOnPacket(plan));
  const error = summary.error;
  end = {
    kind: 'summary',
    format: summary.format,
    packets: summary.packets,
    bytes: summary.bytes,
    error: error === null ? null : { code: error.code, message: error.message, offset: error.offset },
  };
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  end = { kind: 'thrown', code: typeof code === 'string' ? code : null, message: String(error) };
}
// The summary goes first: the reader takes it as soon as it sees DONE.
port.postMessage(end);
publish();
Atomics.store(control, DONE, 1);
