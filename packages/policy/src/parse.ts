import { describeValue, PolicyConfigError, PolicyError } from './errors.js';
import type { Policy } from './policy.js';
import { assertFormat, type ConfigFormat, detectFormat, readSource } from './source.js';
import { validatePolicy } from './validate.js';

/** Options of {@link parsePolicy}. */
export interface ParseOptions {
  /** The text's format, 'yaml' or 'json' (anything else: a PolicyError `INVALID_FORMAT`). @default from the file name's extension, else from the text */
  readonly format?: ConfigFormat;
}

/**
 * Parses a policy configuration (YAML or JSON). The caller reads the file and passes its name
 * and text: this package does no I/O. Every problem is reported at once in a
 * {@link PolicyConfigError} whose issues name the file, line and column, the path, what was
 * found and what is allowed; an invalid text never yields a policy.
 *
 * @example
 * const policy = parsePolicy('policy.yaml', `
 * topology:
 *   interfaces:
 *     - { name: eth1-01, zone: internal }
 *     - { name: eth1-02, zone: external }
 * rules:
 *   - match: { protocols: [udp], destinationPorts: [53] }
 *     action: { sync: none }
 * `);
 */
export function parsePolicy(file: string, text: string, options: ParseOptions = {}): Policy {
  if (typeof file !== 'string') {
    throw new PolicyError(
      'INVALID_CONFIG',
      `parsePolicy takes the file's name as text, got ${describeValue(file)}`,
    );
  }
  if (typeof text !== 'string') {
    throw new PolicyConfigError(file, [
      { file, path: '$', found: typeof text, expected: 'the text of a YAML or JSON file' },
    ]);
  }
  const format = options.format ?? detectFormat(file, text);
  assertFormat(format);
  const source = readSource(text, file, format);
  if (source.issues.length > 0) throw new PolicyConfigError(file, source.issues);
  return validatePolicy(source.value, { file, locate: source.locate });
}
