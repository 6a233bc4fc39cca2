import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { createPacketRecord, type PacketRecord, PcapError, type ReadSummary } from '@maestro/pcap';
import type { HashPlan } from './hash-plan.js';
import {
  CONSUMED,
  createPacketRing,
  DONE,
  type PacketRing,
  pause,
  RING_BATCH,
  RING_SLOTS,
  STARTED,
  slotHash,
  slotHashed,
  unpackPacket,
  WRITTEN,
} from './packet-ring.js';
import type { WorkerEnd } from './worker-end.js';

/** Reading threw in the capture thread: Node's error `code` (EACCES, EIO, ...) when there was one. */
export class CaptureThreadError extends Error {
  /** Node's error code, or null. */
  readonly code: string | null;

  constructor(code: string | null, message: string) {
    super(message);
    this.name = 'CaptureThreadError';
    this.code = code;
  }
}

/** Takes one packet of a threaded read, with its distribution hash (int32) when `hashed`. */
export type ThreadedPacketHandler = (packet: PacketRecord, hashed: boolean, hash: number) => void;

/**
 * `readCaptureFileSync` of `@maestro/pcap/node` with the reading and decoding on a second thread:
 * a worker decodes the file into a shared ring of packed packets (see packet-ring.ts) while this
 * thread hands them to the handler in capture order, one reused record, fields as the reader set
 * them (no frame bytes: `bytes`, `dataOffset`, `capturedLength`, `linkType`, `ipOffset`,
 * `isFragment`, `fragmentOffset`, `truncated` and `overSnaplen` are not carried). The same packets
 * and summary as the synchronous read, damage included; an error reading threw there is a
 * {@link CaptureThreadError} here, after the packets before it. The thread starts with
 * {@link CaptureThread.start} (it loads while the caller builds what the packets go to) and
 * reads once {@link read} gives it the {@link HashPlan}.
 */
export class CaptureThread {
  private readonly ring: PacketRing = createPacketRing();
  private readonly port: MessagePort;
  private readonly worker: Worker;

  private constructor(private readonly path: string) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(new URL('./capture-worker.js', import.meta.url), {
      workerData: { path, buffer: this.ring.buffer, port: port2 },
      transferList: [port2],
    });
    // Nothing here waits on the worker's events: a failure of this thread must not keep it alive.
    this.worker.unref();
  }

  /** Starts the thread that will read `path`. */
  static start(path: string): CaptureThread {
    return new CaptureThread(path);
  }

  /**
   * Reads the capture into `onPacket`, with each decoded packet's distribution hash when `plan`
   * is given; stops the thread. Once only.
   */
  read(onPacket: ThreadedPacketHandler, plan: HashPlan | null): ReadSummary {
    try {
      this.port.postMessage({ plan });
      drain(this.ring, onPacket);
      const end = receiveMessageOnPort(this.port)?.message as WorkerEnd | undefined;
      if (end === undefined)
        throw new CaptureThreadError(null, `${this.path}: the capture thread ended without a summary`);
      if (end.kind === 'thrown') throw new CaptureThreadError(end.code, end.message);
      return {
        format: end.format,
        packets: end.packets,
        bytes: end.bytes,
        error: end.error === null ? null : pcapError(end.error.code, end.error.message, end.error.offset),
      };
    } finally {
      this.stop();
    }
  }

  /** Stops the thread (a run that ends before reading calls this). */
  stop(): void {
    this.port.close();
    void this.worker.terminate();
  }
}

/** How long the reader waits for the capture thread to start before it gives up on it. */
const START_TIMEOUT_MS = 30_000;

/** Hands every packet the capture thread publishes to `onPacket`, until it is done. */
function drain(ring: PacketRing, onPacket: ThreadedPacketHandler): void {
  const control = ring.control;
  const record = createPacketRecord();
  const since = Date.now();
  let read = 0;
  for (;;) {
    // DONE first: the producer sets it after its last publication.
    const done = Atomics.load(control, DONE) === 1;
    const written = Atomics.load(control, WRITTEN);
    if (read === written) {
      if (done) return;
      pause(control);
      if (read === 0 && Atomics.load(control, STARTED) === 0 && Date.now() - since > START_TIMEOUT_MS)
        throw new CaptureThreadError(null, 'the capture thread did not start');
      continue;
    }
    while (read !== written) {
      const slot = read & (RING_SLOTS - 1);
      onPacket(
        unpackPacket(ring, slot, recordAt(record, read)),
        slotHashed(ring, slot),
        slotHash(ring, slot),
      );
      read++;
      if ((read & (RING_BATCH - 1)) === 0) Atomics.store(control, CONSUMED, read);
    }
    Atomics.store(control, CONSUMED, read);
  }
}

function recordAt(record: PacketRecord, index: number): PacketRecord {
  record.index = index;
  return record;
}

/** The reader's `PcapError` again, from its code, message and offset. */
function pcapError(code: PcapError['code'], message: string, offset: number): PcapError {
  const suffix = ` (at byte ${String(offset)})`;
  const raw = offset >= 0 && message.endsWith(suffix) ? message.slice(0, -suffix.length) : message;
  return new PcapError(code, raw, offset);
}
