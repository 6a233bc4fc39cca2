import { describe, expect, it } from 'vitest';
import { Group, type Packet } from '../src/index.js';
import { exampleConfig, exampleSyn } from './example-group.js';

describe('Group.inject on garbage', () => {
  it('should refuse a garbage packet or a bad distribution in Group.inject, and a member that is not one in Group.expect, with a CorrectionError', () => {
    const code = (run: () => unknown) => {
      try {
        run();
        return null;
      } catch (error) {
        return (error as { code?: string }).code ?? String(error);
      }
    };
    expect(code(() => new Group(exampleConfig(2)).inject(null as unknown as Packet, 0))).toBe(
      'INVALID_PACKET',
    );
    expect(code(() => new Group(exampleConfig(2, {}, 5)).inject(exampleSyn(0x0a000001, 1), 0))).toBe(
      'BAD_DISTRIBUTION',
    );
    const k = exampleSyn(0x0a000001, 1).key;
    for (const member of [2, -1, 0.5, null, '0', Object.create(null)]) {
      expect(code(() => new Group(exampleConfig(2)).expect(member as number, k, k, 0))).toBe(
        'UNKNOWN_MEMBER',
      );
    }
  });
});
