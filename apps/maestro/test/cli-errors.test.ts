import { readFileSync } from 'node:fs';
import { CorrectionError } from '@maestro/correction';
import { FlowTableError } from '@maestro/flowtable';
import { HashError } from '@maestro/hash';
import { PcapError } from '@maestro/pcap';
import { PolicyError } from '@maestro/policy';
import { WeightingError } from '@maestro/weighting';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CliError, INTERNAL_ERROR_EXIT, reportError } from '../src/cli/errors.js';
import type { Io } from '../src/cli/io.js';

/** Reports `error` into a string: [exit code, what went to stderr]. */
function reported(error: unknown, debug = false): [number, string] {
  let err = '';
  const io: Io = {
    out: () => {},
    err: (t) => {
      err += t;
    },
    isTTY: false,
    color: false,
    columns: 80,
  };
  return [reportError(error, io, debug), err];
}

function systemError(): unknown {
  try {
    readFileSync('/nonexistent/maestro/capture.pcap');
  } catch (error) {
    return error;
  }
  throw new Error('the file exists');
}

describe('CLI error reports', () => {
  it.each([
    ['a usage error', new CliError('--members must be ...'), 2],
    ['a failed job', new CliError('x.pcap: not a file', 1), 1],
    ['a damaged capture', new PcapError('TRUNCATED', 'record 3 is cut short'), 1],
    ['a bad policy', new PolicyError('INVALID_CIDR', 'policy.yaml:3:5: bad CIDR'), 1],
    ['a table size that is not prime', new WeightingError('SIZE_NOT_PRIME', '65536 is not prime'), 1],
    ['a file the system cannot open', systemError(), 1],
  ])("should report %s as the user's, in one line, with its exit code", (_, error, code) => {
    const [exit, text] = reported(error);
    expect(exit).toBe(code);
    expect(text).toMatch(/^maestro: [^\n]*\n$/);
    expect(text).not.toMatch(/internal error|bug/);
  });

  it.each([
    [
      'a correction layer refusal',
      new CorrectionError('INVALID_MESSAGE', 'member 1 owns that connection itself'),
    ],
    ['a flow table refusal', new FlowTableError('FULL', 'the table holds 16777214 entries at most')],
    ['a hash refusal of what the app built', new HashError('INVALID_KEY', 'flow key out of range')],
    ['a pcap API misuse', new PcapError('INVALID_ARGUMENT', 'snaplen must be ...')],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'x')")],
  ])(
    'should report %s as an internal error: exit 70, one line saying it is a bug, the stack only with MAESTRO_DEBUG',
    (_, error) => {
      const [exit, text] = reported(error);
      expect(exit).toBe(INTERNAL_ERROR_EXIT);
      expect(text).toMatch(/^maestro: internal error, a bug in maestro[^\n]*MAESTRO_DEBUG=1[^\n]*\n$/);
      const [, debug] = reported(error, true);
      expect(debug.startsWith(text)).toBe(true);
      expect(debug.slice(text.length)).toMatch(/\n\s+at /);
    },
  );

  it('should report anything thrown that is neither a CliError nor a typed error of user input as an internal error, in one line', () => {
    const thrown = fc.oneof(
      fc
        .record({ code: fc.string(), message: fc.string() })
        .map(({ code, message }) => Object.assign(new Error(message), { code })),
      fc.anything(),
    );
    fc.assert(
      fc.property(thrown, (error) => {
        const [exit, text] = reported(error);
        expect(exit).toBe(INTERNAL_ERROR_EXIT);
        expect(text.split('\n')).toHaveLength(2);
        expect(text).toMatch(/^maestro: internal error, a bug in maestro/);
      }),
    );
  });
});
