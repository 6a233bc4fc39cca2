import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, maestro, SCENARIO, tempDir } from './run-cli.js';

// `simulate` reads captures of 4 MiB and more on a second thread; MAESTRO_CAPTURE_THREAD forces
// either path, so the same capture goes through both.
const THREAD = { MAESTRO_CAPTURE_THREAD: '1' };
const NO_THREAD = { MAESTRO_CAPTURE_THREAD: '0' };

let capture = '';
let bytes = new Uint8Array(0);
let dir = '';

beforeAll(() => {
  dir = tempDir();
  capture = join(dir, 'mixed.pcapng');
  // IPv6, NAT, fragments and ICMP errors: every packed field and both address families.
  const gen = maestro([
    'gen',
    '--packets',
    '20000',
    '--flows',
    '2000',
    '--seed',
    '11',
    '--ipv6',
    '0.3',
    '--nat',
    '--rate',
    '4000',
    '-o',
    capture,
  ]);
  expect(gen.code).toBe(0);
  bytes = readFileSync(capture);
});

function bothWays(args: readonly string[]): [CliRun, CliRun] {
  return [
    maestro(['simulate', ...args], 120_000, THREAD),
    maestro(['simulate', ...args], 120_000, NO_THREAD),
  ];
}

describe('maestro simulate on a capture thread', () => {
  it('should give the same report as reading on the main thread', () => {
    const events = ['--event', 'fail sgm2 @1.5s', '--event', 'recover sgm2 @3s', '--event', 'add sgm5 @4s'];
    for (const args of [
      [capture, '--scenario', SCENARIO, ...events, '--json'],
      [capture, '--members', '3', '--strategy', 'maglev', '--event', 'fail sgm3 @2s'],
    ]) {
      const [threaded, direct] = bothWays(args);
      expect(threaded.code).toBe(0);
      expect(threaded.stdout).toBe(direct.stdout);
      expect(threaded.stderr).toBe(direct.stderr);
    }
  });

  it('should give the same report, damage line and exit code as the main thread wherever the capture is cut', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), (cut) => {
        const damaged = join(dir, 'damaged.pcapng');
        writeFileSync(damaged, bytes.subarray(0, cut));
        const [threaded, direct] = bothWays([
          damaged,
          '--members',
          '4',
          '--event',
          'fail sgm1 @2s',
          '--json',
        ]);
        expect(threaded.stdout).toBe(direct.stdout);
        expect(threaded.stderr).toBe(direct.stderr);
        expect(threaded.code).toBe(direct.code);
      }),
      { numRuns: 4 },
    );
  });

  it('should reject a file that is no capture with the same one line', () => {
    const junk = join(dir, 'junk.pcap');
    writeFileSync(junk, bytes.subarray(4096, 65536));
    const [threaded, direct] = bothWays([junk, '--json']);
    expect(threaded.code).toBe(1);
    expect(threaded.stderr).toMatch(/not a capture/);
    expect(threaded.stderr.trim().split('\n')).toHaveLength(1);
    expect(threaded.stderr).toBe(direct.stderr);
  });
});
