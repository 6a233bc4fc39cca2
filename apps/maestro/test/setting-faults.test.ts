import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maestro, tempDir } from './run-cli.js';

// Whose fault a bad setting is: given as an option it is a usage error (exit 2, naming the
// option); the same value in a scenario file is the file's (exit 1, naming the file and key).

const FLOW = 'tcp 10.0.0.1:40000 -> 192.0.2.7:443';

/** A bad setting, as options and as the scenario keys with the same values. */
const CASES: readonly (readonly [string, readonly string[], string, RegExp])[] = [
  ['a table size that is not a prime', ['--table-size', '4'], 'tableSize: 4\n', /prime/],
  [
    'a table size smaller than the members',
    ['--members', '3', '--table-size', '2'],
    'members: 3\ntableSize: 2\n',
    /smaller than the 3 members/,
  ],
  [
    'a table size above the largest',
    ['--table-size', '16777259'],
    'tableSize: 16777259\n',
    /prime up to 16777213/,
  ],
  ['an unknown mode', ['--mode', 'diagonal'], 'mode: diagonal\n', /must be auto, general/],
  ['an unknown strategy', ['--strategy', 'lottery'], 'strategy: lottery\n', /must be rebalance or maglev/],
  ['an unknown hash', ['--hash', 'md5'], 'hash: md5\n', /must be toeplitz/],
  ['bad members', ['--members', '0'], 'members: 0\n', /integer 1\.\.1000/],
];

describe('maestro settings: whose fault a bad value is', () => {
  it('should exit 2 naming the option for a bad table size, mode, strategy, hash or member list given as options (calc, simulate, cluster)', () => {
    for (const lead of [['calc', FLOW], ['simulate'], ['cluster', 'run']]) {
      for (const [what, args, , message] of CASES) {
        if (lead[0] === 'cluster' && what.includes('strategy')) continue; // the cluster has no --strategy
        const r = maestro([...lead, ...args]);
        expect({ lead, what, code: r.code }).toEqual({ lead, what, code: 2 });
        expect(r.stderr).toMatch(message);
        expect(r.stderr).toMatch(/^maestro: --/);
      }
    }
  });

  it('should exit 1 naming the file for the same values in a scenario file (calc, simulate)', () => {
    // The cluster takes no scenario file.
    for (const lead of [['calc', FLOW], ['simulate']]) {
      for (const [what, , yaml, message] of CASES) {
        const file = join(tempDir(), 'bad-scenario.yaml');
        writeFileSync(file, yaml);
        const r = maestro([...lead, '--scenario', file]);
        expect({ lead, what, code: r.code }).toEqual({ lead, what, code: 1 });
        expect(r.stderr).toMatch(message);
        expect(r.stderr).toContain(`maestro: ${file}: `);
      }
    }
  });
});
