import { afterEach, describe, expect, it, vi } from 'vitest';
import { activeNode, udpQuery } from './member-node-clock.js';

describe('maestro cluster member idle expiry', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  // The engine's flow tables take their time in milliseconds and a UDP connection's idle
  // timeout is 40 s: a member handing them seconds would keep every connection 1 000 times as long.
  it("should expire a member's UDP connection idle past its 40 s timeout, and keep one idle for less", () => {
    for (const [idle, kept] of [
      [30_000, 1],
      [50_000, 0],
    ] as const) {
      const { node, at } = activeNode(['sgm1']);
      const start = 2_000;
      at(start);
      node.receive(undefined, udpQuery(start));
      expect(node.status().connections).toBe(1);
      at(start + idle);
      node.expire();
      expect(node.status().connections).toBe(kept);
      vi.restoreAllMocks();
    }
  });
});
