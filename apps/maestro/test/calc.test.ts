import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maestro, maestroJson, SCENARIO } from './run-cli.js';

interface Calc {
  flow: string;
  receivedBy: string;
  owner: string;
  translated: string | null;
  reply: { flow: string; receivedBy: string };
  correction: { needed: boolean; reason: string | null; forwarder: string | null };
  backup: string | null;
}

const octet = fc.integer({ min: 1, max: 254 });
const port = fc.integer({ min: 1, max: 65535 });
const flow = fc
  .tuple(fc.constantFrom('tcp', 'udp'), octet, octet, port, octet, port)
  .map(([p, a, b, sp, c, dp]) => `${p} 10.${a}.${b}.1:${sp} -> 203.0.113.${c}:${dp}`);

describe('maestro calc', () => {
  it('should need no correction under auto-topology without NAT', () => {
    fc.assert(
      fc.property(flow, (f) => {
        const r = maestroJson<Calc>(['calc', f]);
        expect(r.correction.needed).toBe(false);
        expect(r.reply.receivedBy).toBe(r.owner);
        expect(r.backup).not.toBe(r.owner);
      }),
      { numRuns: 8 },
    );
  });

  it('should report a correction exactly when the translated reply lands elsewhere', () => {
    fc.assert(
      fc.property(
        flow.map((f) => f.replace(/ 10\.(\d+)\.(\d+)\.1:/, ' 198.18.$2.$1:')),
        (f) => {
          const r = maestroJson<Calc>(['calc', f, '--scenario', SCENARIO]);
          expect(r.translated).toMatch(/^(tcp|udp) 192\.0\.2\.1:\d+ -> 203\.0\.113\.\d+:\d+$/);
          expect(r.correction.needed).toBe(r.reply.receivedBy !== r.owner);
          if (r.correction.needed) {
            expect(r.correction).toEqual({ needed: true, reason: 'nat', forwarder: r.reply.receivedBy });
            expect(r.backup).toBe(r.correction.forwarder);
          }
        },
      ),
      { numRuns: 8 },
    );
  });

  it('should reject a malformed flow with one line and exit 2', () => {
    const r = maestro(['calc', 'tcp 10.0.0.1:99999 -> 1.2.3.4:5']);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^maestro: calc: source port must be/),
    ]);
  });
});
