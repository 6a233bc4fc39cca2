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
  if (typeof options !== 'object' || options === null) {
    throw new ConnectControlError(
      'INVALID_CONFIG',
      `availability options must be an object, got ${describeValue(options)}`,
    );
  }
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
  private failedTimes = 0;
  private current: ServerState = 'up';
  private due: number;

  private readonly options: Required<AvailabilityOptions>;

  /** `options` as {@link availabilityOptions} checks them (`INVALID_CONFIG`); `now`: the first probe's time. */
  constructor(options: Required<AvailabilityOptions>, now: number) {
    this.options = availabilityOptions(options);
    this.due = checkedTime(now, 'INVALID_CONFIG');
  }

  /** The current state. */
  get state(): ServerState {
    return this.current;
  }

  /** Consecutive failed probes so far. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** How many times the server has gone from up to failed. */
  get timesFailed(): number {
    return this.failedTimes;
  }

  /** When the next probe is due (ms, the injected clock's time). */
  get nextProbeAt(): number {
    return this.due;
  }

  /** True when a probe is due at `now` (`INVALID_REPORT` unless a finite number). */
  probeDue(now: number): boolean {
    return checkedTime(now, 'INVALID_REPORT') >= this.due;
  }

  /**
   * Records a probe result observed at `now`; returns the new state. `INVALID_REPORT`, changing
   * nothing, unless `ok` is a boolean and `now` a finite number (a NaN time would make the next
   * probe never due).
   */
  record(ok: boolean, now: number): ServerState {
    if (typeof ok !== 'boolean') {
      throw new ConnectControlError(
        'INVALID_REPORT',
        `a probe result is true or false, got ${describeValue(ok)}`,
      );
    }
    this.due = checkedTime(now, 'INVALID_REPORT') + this.options.interval;
    if (ok) {
      this.failures = 0;
      this.current = 'up';
    } else {
      this.failures = Math.min(this.failures + 1, this.options.retries);
      if (this.failures >= this.options.retries && this.current !== 'failed') {
        this.current = 'failed';
        this.failedTimes++;
      }
    }
    return this.current;
  }
}

/** `now` if it is a finite number, else a ConnectControlError with `code`. */
function checkedTime(now: number, code: 'INVALID_CONFIG' | 'INVALID_REPORT'): number {
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new ConnectControlError(code, `a time is a finite number of ms, got ${describeValue(now)}`);
  }
  return now;
}
