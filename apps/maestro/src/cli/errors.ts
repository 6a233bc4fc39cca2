import { ConnectControlError } from '@maestro/connectcontrol';
import { PcapError } from '@maestro/pcap';
import { PolicyError } from '@maestro/policy';
import { WeightingError } from '@maestro/weighting';
import type { Io } from './io.js';

/**
 * An error the CLI reports as one line on stderr. `exitCode` 2 is a usage error (bad argument or
 * option), 1 a failure of the job itself (unreadable capture, invalid config file).
 */
export class CliError extends Error {
  readonly exitCode: 1 | 2;

  constructor(message: string, exitCode: 1 | 2 = 2) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Exit code of an internal error: EX_SOFTWARE of sysexits.h. */
export const INTERNAL_ERROR_EXIT = 70;

/**
 * How the CLI exits for `error`: a {@link CliError}'s own code; 1 for a typed error of a package
 * that stems from what the user gave (a capture the pcap reader refuses, a policy or scenario the
 * policy compiler refuses, a table size the weighting refuses, a logical server ConnectControl
 * refuses) and for a file the system cannot open or write; {@link INTERNAL_ERROR_EXIT} for
 * anything else, typed or not: the app hands the other packages only what it checked, so their
 * refusal is a bug in maestro, not the user's fault.
 */
export function exitCodeOf(error: unknown): 1 | 2 | typeof INTERNAL_ERROR_EXIT {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof PcapError) return error.code === 'INVALID_ARGUMENT' ? INTERNAL_ERROR_EXIT : 1;
  if (error instanceof PolicyError) return error.code === 'INVALID_PACKET' ? INTERNAL_ERROR_EXIT : 1;
  if (error instanceof WeightingError) {
    const c = error.code;
    return c === 'SIZE_NOT_PRIME' || c === 'SIZE_TOO_SMALL' || c === 'INVALID_SIZE' ? 1 : INTERNAL_ERROR_EXIT;
  }
  if (error instanceof ConnectControlError) return error.code === 'INVALID_CONFIG' ? 1 : INTERNAL_ERROR_EXIT;
  return isSystemError(error) ? 1 : INTERNAL_ERROR_EXIT;
}

/** A Node.js system error (a file that cannot be opened, read or written: ENOENT, EACCES, ...). */
function isSystemError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, syscall } = error as { code?: unknown; syscall?: unknown };
  return typeof code === 'string' && typeof syscall === 'string';
}

/**
 * Reports `error` as one line on stderr and returns the exit code ({@link exitCodeOf}). An
 * internal error says it is a bug; its stack follows only when `debug` (MAESTRO_DEBUG set).
 */
export function reportError(error: unknown, io: Io, debug: boolean): number {
  const code = exitCodeOf(error);
  const message = oneLine(describe(error));
  if (code !== INTERNAL_ERROR_EXIT) {
    io.err(`maestro: ${message}\n`);
    return code;
  }
  const name = error instanceof Error ? String(error.name) : typeof error;
  io.err(
    `maestro: internal error, a bug in maestro (please report it): ${name}: ${message} (MAESTRO_DEBUG=1 shows the stack)\n`,
  );
  if (debug && error instanceof Error) io.err(`${error.stack}\n`);
  return code;
}

/** The error's message, whatever was thrown (`String` itself throws for some objects). */
function describe(error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : String(error);
  } catch {
    return 'an unprintable value was thrown';
  }
}

function oneLine(text: string): string {
  return text.split('\n').join(' ');
}
