import { HyperSyncError, shown } from './errors.js';
import { Health } from './member-state.js';

/** What a critical device reports. */
export type DeviceStatus = 'ok' | 'init' | 'problem';

interface Device {
  status: DeviceStatus;
  readonly timeoutMs: number;
  lastReport: number;
}

/**
 * Critical devices ("pnotes"): named health probes, each with a report timeout. `init` keeps the
 * member from going ACTIVE; `problem`, or no report within the timeout, takes it DOWN.
 * @example
 * const d = new CriticalDevices();
 * d.register('policy', 1000, 0);      // starts in `init`
 * d.report('policy', 'ok', 10);
 * d.health(500) === Health.OK;        // true
 * d.health(2000) === Health.PROBLEM;  // report missed
 */
export class CriticalDevices {
  private readonly devices = new Map<string, Device>();

  /** Registers a device in `init`; `timeoutMs` 0 means it never times out. */
  register(name: string, timeoutMs: number, now: number, status: DeviceStatus = 'init'): void {
    if (typeof name !== 'string' || name.length === 0 || name.length > 64) {
      throw new HyperSyncError('INVALID_DEVICE', `device name ${shown(name)} must be 1..64 characters`);
    }
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
      throw new HyperSyncError(
        'INVALID_DEVICE',
        `device timeout ${shown(timeoutMs)} must be a finite number >= 0`,
      );
    }
    this.devices.set(name, { status: checkStatus(status), timeoutMs, lastReport: now });
  }

  /** Removes a device; unknown names are ignored. */
  unregister(name: string): void {
    this.devices.delete(name);
  }

  /** Records a report. @throws HyperSyncError `INVALID_DEVICE` for an unregistered name or bad status. */
  report(name: string, status: DeviceStatus, now: number): void {
    const d = this.devices.get(name);
    if (d === undefined)
      throw new HyperSyncError('INVALID_DEVICE', `device ${shown(name)} is not registered`);
    d.status = checkStatus(status);
    d.lastReport = now;
  }

  /** The effective status of one device at `now` (a missed report is a problem), or undefined. */
  statusOf(name: string, now: number): DeviceStatus | undefined {
    const d = this.devices.get(name);
    if (d === undefined) return undefined;
    return effective(d, now);
  }

  /** {@link Health} bits at `now`: OK alone when every device is ok. */
  health(now: number): number {
    let bits = 0;
    for (const d of this.devices.values()) {
      const s = effective(d, now);
      if (s === 'problem') bits |= Health.PROBLEM;
      else if (s === 'init') bits |= Health.INIT;
    }
    return bits === 0 ? Health.OK : bits;
  }

  /** Names and effective statuses, sorted by name. */
  list(now: number): { readonly name: string; readonly status: DeviceStatus }[] {
    return [...this.devices.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, d]) => ({ name, status: effective(d, now) }));
  }
}

function checkStatus(status: DeviceStatus): DeviceStatus {
  if (status !== 'ok' && status !== 'init' && status !== 'problem') {
    throw new HyperSyncError('INVALID_DEVICE', `device status ${shown(status)} is not ok|init|problem`);
  }
  return status;
}

function effective(d: Device, now: number): DeviceStatus {
  if (d.timeoutMs > 0 && now - d.lastReport > d.timeoutMs) return 'problem';
  return d.status;
}
