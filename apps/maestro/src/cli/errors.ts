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
