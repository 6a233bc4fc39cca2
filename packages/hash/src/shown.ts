/**
 * `value` for an error message, whatever it is: `String` throws for an object without a usable
 * `toString` (and a template literal for a symbol). Internal to the package.
 */
export function shown(value: unknown): string {
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  if (typeof value === 'function') return 'a function';
  return typeof value === 'symbol' ? value.toString() : String(value);
}
