/** Where a command writes, and what the terminal can show: injected so tests capture output. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** stdout is a terminal (progress bars, colour). */
  readonly isTTY: boolean;
  /** Colour allowed: a terminal, and NO_COLOR unset. */
  readonly color: boolean;
  /** Terminal width in columns. */
  readonly columns: number;
}

/** The process's own stdout and stderr. */
export function processIo(): Io {
  const isTTY = process.stdout.isTTY === true;
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    isTTY,
    color: isTTY && process.env['NO_COLOR'] === undefined && process.env['TERM'] !== 'dumb',
    columns: process.stdout.columns ?? 100,
  };
}
