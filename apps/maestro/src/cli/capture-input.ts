import { statSync } from 'node:fs';
import type { PacketRecord, ReadSummary } from '@maestro/pcap';
import { readCaptureFileSync } from '@maestro/pcap/node';
import { CliError } from './errors.js';

/** How reading a capture ended, for the commands that report it. */
export interface CaptureRead {
  readonly summary: ReadSummary;
  /** The capture's size in bytes. */
  readonly fileBytes: number;
}

/** The size in bytes of the capture file `path`; a {@link CliError} when it is missing or unreadable. */
export function captureBytes(path: string): number {
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new CliError(`${path}: not a file`, 1);
    return stat.size;
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      `${path}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? 'error'})`}`,
      1,
    );
  }
}

/**
 * A capacity hint for per-connection tables fed from a capture of `fileBytes`: one connection per
 * 768 bytes (about eight 100-byte packets each; a generated capture holds one per 1 000 bytes, so
 * its tables never grow), at least 4 096 and at most 2^20, so that the tables of a large capture
 * do not double a dozen times on the way up and those of a small one stay small.
 */
export function connectionHint(fileBytes: number): number {
  return Math.min(2 ** 20, Math.max(4096, Math.ceil(fileBytes / 768)));
}

/**
 * Streams a capture file (pcap or pcapng, bounded memory) into `onPacket`. A missing or
 * unreadable file is a {@link CliError}; damage inside the capture is not thrown: everything before
 * it is delivered and `summary.error` says what and where (see {@link damageLine}). A caller that
 * has sized something from {@link captureBytes} passes that size as `fileBytes`.
 */
export function readCaptureOrFail(
  path: string,
  onPacket: (packet: PacketRecord) => void,
  fileBytes: number = captureBytes(path),
): CaptureRead {
  try {
    return { summary: readCaptureFileSync(path, onPacket), fileBytes };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('E'))
      throw new CliError(`${path}: cannot read (${code})`, 1);
    throw error;
  }
}

/** The one line that reports damage in a capture, or null when it was read to the end. */
export function damageLine(path: string, summary: ReadSummary): string | null {
  if (summary.error === null) return null;
  const what = summary.format === null ? 'not a capture' : `damaged after ${summary.packets} packets`;
  return `${path}: ${what}: ${summary.error.message}`;
}
