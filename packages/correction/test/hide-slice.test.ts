import { describe, expect, it } from 'vitest';
import { Decision, DropCause, MemberEngine } from '../src/index.js';
import { portSeed } from '../src/nat-table.js';
import { exampleConfig, exampleSyn } from './example-group.js';

describe('hide NAT on a slice of more than 4096 ports', () => {
  it('should give a hidden connection a free port of a slice of more than 4096 ports while one is left', () => {
    const count = 4100;
    const hide = {
      kind: 'hide',
      match: {},
      address: 0xc6336401,
      portMin: 1024,
      portMax: 1024 + count - 1,
    } as const;
    const e = new MemberEngine(0, exampleConfig(1, { nat: [hide], capacity: 8192 }));
    // A connection for each port search start 0..4096 takes that port; one more starting at 0
    // then needs the 4098th port tried, and 3 ports are still free.
    const bySeed = new Map<number, number>();
    const extra: number[] = [];
    const probe = exampleSyn(0, 1234).key;
    for (let src = 0x0a000001; bySeed.size < 4097 || extra.length === 0; src++) {
      probe.srcV4 = src;
      const start = portSeed(probe) % count;
      if (start > 4096) continue;
      if (!bySeed.has(start)) bySeed.set(start, src);
      else if (start === 0) extra.push(src);
    }
    for (const src of [...bySeed.values(), extra[0] as number]) {
      const d = e.decide(exampleSyn(src, 1234), 0);
      e.outbox.length = 0;
      expect([d, e.lastDrop]).toEqual([Decision.CREATE, DropCause.NONE]);
    }
    expect(e.owned.size).toBe(4098);
  });
});
