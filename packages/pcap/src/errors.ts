/** Why a `@maestro/pcap` call refused its input or stopped reading. */
export type PcapErrorCode =
  | 'BAD_MAGIC'
  | 'UNSUPPORTED_VERSION'
  | 'TRUNCATED'
  | 'BAD_LENGTH'
  | 'BAD_BLOCK'
  | 'UNKNOWN_INTERFACE'
  | 'TOO_MANY_INTERFACES'
  | 'INVALID_ARGUMENT';

/**
 * A short rendering of any argument for an error message. Never throws: `String(x)` would, for an
 * object whose `toString` is not a function.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value === null || value === undefined) return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/**
 * Throws `INVALID_ARGUMENT` unless `value` is an object (an options bag, a packet): reading a
 * field of `null` or of a primitive would throw a `TypeError` instead, or read nothing.
 */
export function assertObject(value: unknown, what: string): void {
  if (typeof value !== 'object' || value === null) {
    throw new PcapError('INVALID_ARGUMENT', `${what} must be an object, got ${describeValue(value)}`);
  }
}

/**
 * Throws `INVALID_ARGUMENT` naming the first own key of `options` that is not in `allowed`, and
 * listing the allowed ones. An options bag is read field by field, so a misspelt key (`decoded`),
 * or one the call does not take (`chunkSize` for a stream), would otherwise do nothing without a
 * word. A key set to `undefined` is left out, as every option left `undefined` is.
 */
export function checkOptionKeys(options: object, what: string, allowed: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key) && (options as Record<string, unknown>)[key] !== undefined) {
      throw new PcapError(
        'INVALID_ARGUMENT',
        `unknown ${what} option ${describeValue(key)}; allowed: ${allowed.join(', ')}`,
      );
    }
  }
}

/**
 * A copy of `options` holding only `keys` (those not `undefined`), each read once: what a call
 * that checked a wider set of keys (a `format`, a `chunkSize`) hands to one that takes fewer.
 */
export function pickOptions<T extends object>(options: T, keys: readonly string[]): T {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value: unknown = (options as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out as T;
}

/**
 * Throws `INVALID_ARGUMENT` unless `onPacket` is a function. Every reader checks it before it reads
 * (or opens) anything: checked only when a packet arrives, an empty capture never refused it.
 */
export function assertCallback(onPacket: unknown, reader: string): void {
  if (typeof onPacket !== 'function') {
    throw new PcapError(
      'INVALID_ARGUMENT',
      `${reader} takes a function to call with each packet, got ${describeValue(onPacket)}`,
    );
  }
}

/**
 * `value`, or `fallback` when the option is left out (`undefined`). Not `??`: `null` is no way to
 * leave an option out, so it goes on to the option's check and is refused there with
 * `INVALID_ARGUMENT`, as any other value of the wrong type is.
 */
export function optionOr<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}

/**
 * Checks an on/off option (a reader's or a writer's) and applies its default; throws
 * `INVALID_ARGUMENT`. Only a boolean or a missing field is taken: read by truthiness or as
 * `!== false`, a `'no'`, `0` or `'yes'` would do other than what was asked without a word, and
 * `null` is refused as it is for every other field.
 */
export function booleanOption(value: boolean | undefined, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value !== true && value !== false) {
    throw new PcapError(
      'INVALID_ARGUMENT',
      `${name} must be true, false or left out, got ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * The one error class of `@maestro/pcap`. Damage in a capture gets one of these, with a `code` to
 * branch on and the byte `offset` (from the start of the capture) of the record or field at fault;
 * `offset` is -1 for errors in arguments rather than data.
 */
export class PcapError extends Error {
  /** Machine-readable reason. */
  readonly code: PcapErrorCode;
  /** Byte offset in the capture where the damage starts, or -1 when no capture byte is at fault. */
  readonly offset: number;

  constructor(code: PcapErrorCode, message: string, offset = -1) {
    super(offset >= 0 ? `${message} (at byte ${String(offset)})` : message);
    this.name = 'PcapError';
    this.code = code;
    this.offset = offset;
  }
}
