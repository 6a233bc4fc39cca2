import type { Io } from './io.js';

/** One `maestro <command>`. */
export interface Command {
  readonly name: string;
  /** One line for `maestro --help`. */
  readonly summary: string;
  /** The full `--help` text, examples included. */
  readonly help: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(argv: readonly string[], io: Io): Promise<number>;
}
