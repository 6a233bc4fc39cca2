/**
 * Bytes `at .. at+3` of an address as one big-endian 32-bit word, signed (`>>> 0` gives the
 * unsigned value): how the matcher reads IPv6 addresses, a word at a time. Internal.
 */
export function addressWord(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at] as number) << 24) |
    ((bytes[at + 1] as number) << 16) |
    ((bytes[at + 2] as number) << 8) |
    (bytes[at + 3] as number)
  );
}
