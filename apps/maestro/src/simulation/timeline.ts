import type { CorrectionReason, Timeline } from '../report/model.js';

const MAX_POINTS = 240;
const REASONS: readonly CorrectionReason[] = ['nat', 'asymmetric', 'fragment', 'related', 'icmp-error'];

/**
 * Packets per member and corrections per reason over time, in intervals that double whenever the
 * series would pass {@link MAX_POINTS} points (the run's length is not known in advance).
 */
export class TimelineBuilder {
  /**
   * Seconds at which {@link packet} and {@link correction} count, set once per packet: a field the
   * per-packet calls read, rather than a fractional argument that each call would box.
   */
  now = 0;
  private interval = 0.05;
  private readonly packets: number[][];
  private readonly corrections: number[][] = REASONS.map(() => []);

  constructor(private readonly memberIds: readonly string[]) {
    this.packets = memberIds.map(() => []);
  }

  /** Counts a processed packet of member `member` at {@link now}. */
  packet(member: number): void {
    this.bump(this.packets[member] as number[]);
  }

  /** Counts a correction with reason index `reason` (0..4, in the order of the report) at {@link now}. */
  correction(reason: number): void {
    this.bump(this.corrections[reason] as number[]);
  }

  /** The series, every one padded to the same length. */
  build(duration: number): Timeline {
    // The run can last past its last counted packet (packets not routed, events after the end).
    while (Math.floor(duration / this.interval) + 1 > MAX_POINTS) this.coarsen();
    const points = Math.max(1, Math.floor(duration / this.interval) + 1);
    const pad = (series: number[]): number[] => Array.from({ length: points }, (_, i) => series[i] ?? 0);
    return {
      t: Array.from({ length: points }, (_, i) => Number((i * this.interval).toFixed(6))),
      packets: Object.fromEntries(this.memberIds.map((id, m) => [id, pad(this.packets[m] as number[])])),
      corrections: Object.fromEntries(
        REASONS.map((r, i) => [r, pad(this.corrections[i] as number[])]),
      ) as Record<CorrectionReason, number[]>,
    };
  }

  private bump(series: number[]): void {
    const t = this.now;
    let slot = Math.floor(t / this.interval);
    while (slot >= MAX_POINTS) {
      this.coarsen();
      slot = Math.floor(t / this.interval);
    }
    for (let i = series.length; i <= slot; i++) series.push(0);
    series[slot] = (series[slot] as number) + 1;
  }

  private coarsen(): void {
    this.interval *= 2;
    for (const series of [...this.packets, ...this.corrections]) {
      for (let i = 0; i < series.length; i += 2) series[i / 2] = (series[i] as number) + (series[i + 1] ?? 0);
      series.length = Math.ceil(series.length / 2);
    }
  }
}

export { REASONS };
