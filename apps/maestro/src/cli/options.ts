import { parseArgs } from 'node:util';
import { CliError } from './errors.js';

/** The option table of a command, as node:util parseArgs takes it. */
export type OptionSpec = Record<
  string,
  { type: 'string' | 'boolean'; short?: string; multiple?: boolean; default?: string | boolean }
>;

/** Parsed options and positionals. */
export interface Parsed {
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  readonly positionals: string[];
}

/**
 * Parses a command's arguments; unknown options and missing values become one-line usage errors,
 * and so does an option given twice unless its spec says `multiple` (`--event`, `--kill`, ...):
 * parseArgs would keep the last value without a word, so `--members 4 --members 8` ran 8.
 */
export function parseCommandArgs(command: string, argv: readonly string[], options: OptionSpec): Parsed {
  const config = { args: [...argv], options, allowPositionals: true, strict: true, tokens: true } as const;
  let parsed: ReturnType<typeof parseArgs<typeof config>>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new CliError(`${command}: ${message ?? 'bad arguments'} (see maestro ${command} --help)`);
  }
  const given = new Map<string, (string | undefined)[]>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || options[token.name]?.multiple === true) continue;
    const values = given.get(token.name) ?? [];
    values.push(token.value);
    given.set(token.name, values);
    if (values.length === 2) {
      const spec = options[token.name];
      const name = `${spec?.short === undefined ? '' : `-${spec.short}/`}--${token.name}`;
      const shown = values.every((v) => v !== undefined)
        ? ` (${values.map((v) => JSON.stringify(v)).join(' and ')})`
        : '';
      const repeatable = Object.keys(options).filter((k) => options[k]?.multiple === true);
      const allowed =
        repeatable.length === 0
          ? 'each option once'
          : `each option once; only ${repeatable.map((k) => `--${k}`).join(', ')} ${repeatable.length === 1 ? 'repeats' : 'repeat'}`;
      throw new CliError(`${command}: ${name} given twice${shown}; allowed: ${allowed}`);
    }
  }
  return { values: parsed.values as Parsed['values'], positionals: parsed.positionals };
}

/** A string option's value, or undefined. */
export function stringOption(parsed: Parsed, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A repeatable string option's values. */
export function stringsOption(parsed: Parsed, name: string): string[] {
  const value = parsed.values[name];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** A boolean flag. */
export function flag(parsed: Parsed, name: string): boolean {
  return parsed.values[name] === true;
}

/** Parses an integer in [min, max] from an option's text, naming the option when it is not one. */
export function integerValue(text: string, what: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(text.trim()))
    throw new CliError(`${what} must be an integer ${min}..${max}, got ${JSON.stringify(text)}`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new CliError(`${what} must be an integer ${min}..${max}, got ${text}`);
  }
  return value;
}

/** Parses a number in [min, max] from an option's text. */
export function numberValue(text: string, what: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new CliError(`${what} must be a number ${min}..${max}, got ${JSON.stringify(text)}`);
  }
  return value;
}

/** The single positional argument a command needs, or a usage error naming it. */
export function onePositional(
  command: string,
  parsed: Parsed,
  name: string,
  required: boolean,
): string | undefined {
  if (parsed.positionals.length > 1) {
    throw new CliError(`${command}: expected one ${name}, got ${parsed.positionals.length} arguments`);
  }
  const value = parsed.positionals[0];
  if (required && value === undefined)
    throw new CliError(`${command}: missing ${name} (see maestro ${command} --help)`);
  return value;
}
