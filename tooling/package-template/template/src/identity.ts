/**
 * Returns its argument: the template's placeholder concept, to be replaced by the package's own.
 *
 * @example
 * identity(42); // 42
 */
export function identity<T>(value: T): T {
  return value;
}
