import type { PacketRecord } from '@maestro/pcap';
import type { HashPlan } from '../capture-thread/hash-plan.js';
import { CaptureThread, type ThreadedPacketHandler } from '../capture-thread/thread-reader.js';
import { type CaptureRead, readCaptureOrFail } from './capture-input.js';
import { CliError } from './errors.js';

/**
 * Captures from this size up are read on a second thread: starting it (about 30 ms of the other
 * core) pays from a few MiB on.
 */
export const THREAD_MIN_BYTES: number = 4 << 20;

/**
 * A capture file opened for one read by `simulate`: on a second thread when the file has at least
 * {@link THREAD_MIN_BYTES} (see `CaptureThread`: the packets then carry their distribution hash
 * and no frame bytes), else synchronously ({@link readCaptureOrFail}). The environment variable
 * `MAESTRO_CAPTURE_THREAD` overrides the choice: `0` never, `1` always. Open it early: the thread
 * starts while the caller builds the group. Errors as {@link readCaptureOrFail}.
 */
export class CaptureSource {
  private readonly thread: CaptureThread | null;

  private constructor(
    private readonly path: string,
    private readonly fileBytes: number,
  ) {
    const forced = process.env['MAESTRO_CAPTURE_THREAD'];
    const threaded = forced === '0' || forced === '1' ? forced === '1' : fileBytes >= THREAD_MIN_BYTES;
    this.thread = threaded ? CaptureThread.start(path) : null;
  }

  /** Opens `path` (its size `fileBytes`, from `captureBytes`). */
  static open(path: string, fileBytes: number): CaptureSource {
    return new CaptureSource(path, fileBytes);
  }

  /**
   * Reads every packet into `onPacket`; with `plan`, a packet read on the thread comes with its
   * distribution hash (`hashed` true). Once only.
   */
  read(onPacket: ThreadedPacketHandler, plan: HashPlan | null): CaptureRead {
    if (this.thread === null) {
      return readCaptureOrFail(this.path, (p: PacketRecord) => onPacket(p, false, 0), this.fileBytes);
    }
    try {
      return { summary: this.thread.read(onPacket, plan), fileBytes: this.fileBytes };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('E'))
        throw new CliError(`${this.path}: cannot read (${code})`, 1);
      throw error;
    }
  }

  /** Gives up on the read (a run that fails before it). */
  close(): void {
    this.thread?.stop();
  }
}
