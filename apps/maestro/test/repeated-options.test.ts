import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CliError } from '../src/cli/errors.js';
import { type OptionSpec, parseCommandArgs } from '../src/cli/options.js';
import { maestro, tempDir } from './run-cli.js';

/** An option table of 1..5 options, string or boolean, some repeatable, and a command line over it. */
const commandLine = fc
  .uniqueArray(fc.constantFrom('members', 'mode', 'event', 'json', 'kill', 'output', 'l3', 'seed'), {
    minLength: 1,
    maxLength: 5,
  })
  .chain((names) =>
    fc
      .tuple(
        fc.tuple(...names.map(() => fc.record({ string: fc.boolean(), multiple: fc.boolean() }))),
        fc.array(fc.tuple(fc.nat(names.length - 1), fc.stringMatching(/^[a-z0-9=.@ ]{1,8}$/), fc.boolean()), {
          maxLength: 8,
        }),
      )
      .map(([kinds, uses]) => {
        const spec: OptionSpec = {};
        names.forEach((name, i) => {
          const k = kinds[i] as { string: boolean; multiple: boolean };
          spec[name] = { type: k.string ? 'string' : 'boolean', ...(k.multiple ? { multiple: true } : {}) };
        });
        const argv: string[] = [];
        const used = uses.map(([i, value, inline]) => {
          const name = names[i] as string;
          if (spec[name]?.type === 'boolean') argv.push(`--${name}`);
          else if (inline) argv.push(`--${name}=${value}`);
          else argv.push(`--${name}`, value);
          return name;
        });
        return { spec, argv, used };
      }),
  );

describe('an option given twice', () => {
  it('should refuse a command line exactly when an option that does not repeat is given twice, naming it', () => {
    fc.assert(
      fc.property(commandLine, ({ spec, argv, used }) => {
        const twice = used.find((name, i) => spec[name]?.multiple !== true && used.indexOf(name) !== i);
        let refusal: unknown;
        let parsed: ReturnType<typeof parseCommandArgs> | undefined;
        try {
          parsed = parseCommandArgs('cmd', argv, spec);
        } catch (error) {
          refusal = error;
        }
        if (twice === undefined) {
          expect(refusal).toBeUndefined();
          for (const name of new Set(used)) {
            const all = argv.filter((_, i) => i > 0 && argv[i - 1] === `--${name}`);
            const inline = argv
              .filter((a) => a.startsWith(`--${name}=`))
              .map((a) => a.slice(name.length + 3));
            const value = parsed?.values[name];
            if (spec[name]?.type === 'string' && spec[name]?.multiple === true)
              expect((value as string[]).length).toBe(used.filter((u) => u === name).length);
            else if (spec[name]?.type === 'string') expect([...all, ...inline]).toEqual([value]);
            else
              expect(value === true || (Array.isArray(value) && value.every((v) => v === true))).toBe(true);
          }
        } else {
          expect(refusal).toBeInstanceOf(CliError);
          expect((refusal as CliError).exitCode).toBe(2);
          const first = used.findIndex(
            (name, i) => spec[name]?.multiple !== true && used.indexOf(name) !== i,
          );
          expect((refusal as CliError).message).toMatch(new RegExp(`^cmd: --${used[first]} given twice`));
          expect((refusal as CliError).message).not.toMatch(/\n/);
        }
      }),
    );
  });

  it.each([
    [
      ['simulate', '--members', '4', '--members', '8'],
      /simulate: --members given twice \("4" and "8"\); allowed: each option once; only --event repeats/,
    ],
    [['simulate', '--json', '--mode', 'auto', '--json'], /simulate: --json given twice; allowed/],
    [
      ['calc', 'tcp 10.0.0.1:1 -> 10.0.0.2:2', '--hash', 'toeplitz', '--hash=symmetric'],
      /calc: --hash given twice/,
    ],
    [['stats', 'x.pcap', '--top', '3', '--top', '5'], /stats: --top given twice/],
    [
      ['cluster', 'run', '--rate', '10', '--rate', '20'],
      /cluster run: --rate given twice .*only --kill, --stop, --cont, --restart repeat/,
    ],
  ])('should refuse %j with one line on stderr and exit 2', (args, message) => {
    const r = maestro(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('should write no file when gen is given -o twice', () => {
    const dir = tempDir();
    const r = maestro([
      'gen',
      '--packets',
      '10',
      '--flows',
      '1',
      '-o',
      `${dir}/a.pcap`,
      '--output',
      `${dir}/b.pcap`,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/gen: -o\/--output given twice/);
    expect(maestro(['stats', `${dir}/a.pcap`]).code).toBe(1);
    expect(maestro(['stats', `${dir}/b.pcap`]).code).toBe(1);
  });

  it('should take --event as often as given', () => {
    const r = maestro(['simulate', '--event', 'fail sgm2 @1s', '--event', 'recover sgm2 @2s', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { events: unknown[] }).events).toHaveLength(2);
  });
});
