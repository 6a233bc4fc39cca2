import { ConnectControlError, describeValue } from './errors.js';

/** How a real server's availability is checked. */
export interface AvailabilityOptions {
  /** Milliseconds between probes. @default 20000 */
  readonly interval?: number;
  /** Consecutive failed probes that mark a server failed. @default 3 */
  readonly retries?: number;
}

/** `up`: may take connections; `failed`: skipped by every method until a probe succeeds. */
export type ServerState = 'up' | 'failed';

/** Checks availability options; returns them with defaults applied. */
export function availabilityOptions(options: AvailabilityOptions = {}): Required<AvailabilityOptions> {
  const interval = options.interval ?? 20_000;
  const retries = options.retries ?? 3;
  if (!Number.isFinite(interval) || interval <= 0) {
    throw new ConnectControlError(
      'INVALID_CONFIG',
      `availability interval must be a positive number of ms, got ${describeValue(interval)}`,
    );
  }
  if (!Number.isInteger(retries) || retries < 1 || retries > 1000) {
    throw new ConnectControlError(
      'INVALID_CONFIG',
      `availability retries must be an integer 1..1000, got ${describeValue(retries)}`,
    );
  }
  return { interval, retries };
}

/**
 * The availability state machine of one real server, fed with probe results. A server starts
 * `up`; `retries` consecutive failed probes make it `failed`; one successful probe makes it `up`
 * again. It also says when the next probe is due (every `interval` ms).
 */
export class ServerHealth {
  private failures = 0;
  private current: ServerState = 'up';
  private due: number;

  constructor(
    private readonly options: Required<AvailabilityOptions>,
    now: number,
  ) {
    this.due = now;
  }

  /** The current state. */
  get state(): ServerState {
    return this.current;
  }

  /** Consecutive failed probes so far. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** When the next probe is due (ms, the injected clock's time). */
  get nextProbeAt(): number {
    return this.due;
  }

  /** True when a probe is due at `now`. */
  probeDue(now: number): boolean {
    return now >= this.due;
  }

  /** Records a probe result observed at `now`; returns the new state. */
  record(ok: boolean, now: number): ServerState {
    this.due = now + this.options.interval;
    if (ok) {
      this.failures = 0;
      this.current = 'up';
    } else {
      this.failures = Math.min(this.failures + 1, this.options.retries);
      if (this.failures >= this.options.retries) this.current = 'failed';
    }
    return this.current;
  }
}
