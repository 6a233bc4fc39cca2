import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maestro, SAMPLES, tempDir } from './run-cli.js';

const SAMPLE = join(SAMPLES, 'sample.pcap');

/** One clear line on stderr, no stack trace. */
function expectOneLine(stderr: string): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^maestro: /);
  expect(stderr).not.toMatch(/\n\s+at |internal error/);
}

describe('maestro errors', () => {
  it.each([
    [['simulate', '--members', 'x y'], 2, /--members/],
    [['simulate', '--event', 'explode sgm1 @1s'], 2, /bad event/],
    [['simulate', '--event', 'fail sgm9 @1s'], 2, /sgm9 is not a member/],
    [['simulate', '--table-size', '65536'], 2, /--table-size must be a prime/],
    [['simulate', '--mode', 'diagonal'], 2, /--mode/],
    [['simulate', '--bogus'], 2, /Unknown option/],
    [['simulate', '/nonexistent.pcap'], 1, /no such file/],
    [['stats'], 2, /missing CAPTURE/],
    [['dump', SAMPLE, '--format', 'csv'], 2, /--format must be tsv/],
    [['gen', '--packets', '0', '--flows', '1', '-o', '/tmp/x.pcap'], 2, /--packets/],
    [['frobnicate'], 2, /unknown command/],
  ])('should reject %j with one line and exit %i', (args, code, message) => {
    const r = maestro(args as string[]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expectOneLine(r.stderr);
  });

  it('should report a damaged capture after what it could read', () => {
    const dir = tempDir();
    const file = join(dir, 'junk.pcap');
    writeFileSync(file, Buffer.from('this is not a capture at all, just text'));
    const r = maestro(['stats', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not a capture/);
    expectOneLine(r.stderr);
  });

  it('should name the file, line and column of a bad policy', () => {
    const dir = tempDir();
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, 'topology:\n  interfaces:\n    - { name: eth1, zone: sideways }\n');
    const r = maestro(['simulate', SAMPLE, '--policy', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/policy\.yaml:3:\d+/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('should answer any arguments with a report or a one-line error, never a crash', () => {
    const word = fc.oneof(
      fc.constantFrom(
        'simulate',
        'stats',
        'dump',
        'gen',
        'calc',
        '--members',
        '--event',
        '--mode',
        '--json',
        '-o',
        '--l3',
        SAMPLE,
      ),
      fc.string({ maxLength: 12 }),
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 5 }), (args) => {
        const r = maestro(args, 60_000);
        expect([0, 1, 2]).toContain(r.code);
        if (r.code !== 0) expectOneLine(r.stderr);
      }),
      { numRuns: 15 },
    );
  });
});
