import { TcpFlag } from '@maestro/flowtable';
import { describe, expect, it } from 'vitest';
import { Decision, MemberEngine } from '../src/index.js';
import { exampleConfig, exampleSyn } from './example-group.js';

describe('late messages', () => {
  it('should keep a correction entry a later owner sent when an earlier owner’s uncorrect arrives late', () => {
    const e = new MemberEngine(1, exampleConfig(3));
    const k = exampleSyn(0x0a000001, 1234).key;
    e.deliver({ kind: 'correct', from: 0, to: 1, key: k, owner: 0, reason: 2, created: 0 }, 0);
    e.deliver({ kind: 'correct', from: 2, to: 1, key: k, owner: 2, reason: 2, created: 0 }, 1);
    e.deliver({ kind: 'uncorrect', from: 0, to: 1, key: k, created: 0 }, 2); // stale: member 0 no longer owns it
    expect(e.decide(exampleSyn(0x0a000001, 1234, TcpFlag.ACK), 3)).toBe(Decision.FORWARD);
    expect(e.lastTarget).toBe(2);
  });

  it('should keep an expectation a later owner announced when an earlier owner’s unexpect arrives late', () => {
    const e = new MemberEngine(1, exampleConfig(3));
    const k = exampleSyn(0x0a000001, 0).key;
    e.deliver({ kind: 'expect', from: 0, to: 1, key: k, owner: 0 }, 0);
    e.deliver({ kind: 'expect', from: 2, to: 1, key: k, owner: 2 }, 1);
    e.deliver({ kind: 'unexpect', from: 0, to: 1, key: k, owner: 0 }, 2);
    expect(e.decide(exampleSyn(0x0a000001, 1234), 3)).toBe(Decision.FORWARD);
    expect(e.lastTarget).toBe(2);
    e.deliver({ kind: 'uncorrect', from: 2, to: 1, key: k, created: 0 }, 4); // no correction entry: nothing
    e.deliver({ kind: 'unexpect', from: 2, to: 1, key: k, owner: 2 }, 5);
    expect(e.expectations.size).toBe(0);
  });

  it('should forward under the reason of the latest correct for a tuple', () => {
    const e = new MemberEngine(1, exampleConfig(3));
    const k = exampleSyn(0x0a000001, 1234).key;
    e.deliver({ kind: 'correct', from: 0, to: 1, key: k, owner: 0, reason: 1, created: 0 }, 0);
    e.deliver({ kind: 'correct', from: 2, to: 1, key: k, owner: 2, reason: 2, created: 0 }, 1);
    expect(e.decide(exampleSyn(0x0a000001, 1234, TcpFlag.ACK), 3)).toBe(Decision.FORWARD);
    expect([e.lastTarget, e.lastReason]).toEqual([2, 2]);
    expect([e.stats().reasons.nat.hops, e.stats().reasons.asymmetric.hops]).toEqual([0, 1]);
    expect(e.corrections.size).toBe(1);
  });
});
