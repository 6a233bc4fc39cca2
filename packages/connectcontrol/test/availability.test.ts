import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { availabilityOptions, ConnectControlError, ServerHealth, type ServerState } from '../src/index.js';

interface Model {
  failures: number;
  state: ServerState;
  due: number;
  now: number;
}

const RETRIES = 3;
const INTERVAL = 100;

class Probe implements fc.Command<Model, ServerHealth> {
  constructor(readonly ok: boolean) {}
  check(): boolean {
    return true;
  }
  run(m: Model, real: ServerHealth): void {
    const state = real.record(this.ok, m.now);
    m.due = m.now + INTERVAL;
    m.failures = this.ok ? 0 : Math.min(RETRIES, m.failures + 1);
    m.state = this.ok ? 'up' : m.failures >= RETRIES ? 'failed' : m.state;
    expect(state).toBe(m.state);
    expect(real.consecutiveFailures).toBe(m.failures);
  }
  toString(): string {
    return `probe(${this.ok})`;
  }
}

class Wait implements fc.Command<Model, ServerHealth> {
  constructor(readonly ms: number) {}
  check(): boolean {
    return true;
  }
  run(m: Model, real: ServerHealth): void {
    m.now += this.ms;
    expect(real.probeDue(m.now)).toBe(m.now >= m.due);
    expect(real.state).toBe(m.state);
  }
  toString(): string {
    return `wait(${this.ms})`;
  }
}

describe('ServerHealth', () => {
  it('should fail after exactly `retries` consecutive failed probes and recover on one success', () => {
    fc.assert(
      fc.property(
        fc.commands([fc.boolean().map((ok) => new Probe(ok)), fc.nat(300).map((ms) => new Wait(ms))], {
          maxCommands: 60,
        }),
        (cmds) => {
          const real = new ServerHealth(availabilityOptions({ interval: INTERVAL, retries: RETRIES }), 0);
          fc.modelRun(
            () => ({ model: { failures: 0, state: 'up' as ServerState, due: 0, now: 0 }, real }),
            cmds,
          );
        },
      ),
    );
  });

  it('should refuse intervals and retries out of range', () => {
    expect(() => availabilityOptions({ interval: 0 })).toThrow(ConnectControlError);
    expect(() => availabilityOptions({ retries: 0 })).toThrow(ConnectControlError);
    expect(() => availabilityOptions({ retries: 1.5 })).toThrow(ConnectControlError);
  });
});
