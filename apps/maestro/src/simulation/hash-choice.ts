import {
  createKeyedHash,
  createToeplitz,
  type FlowHasher,
  MICROSOFT_RSS_KEY,
  SYMMETRIC_RSS_KEY,
} from '@maestro/hash';
import { CliError } from '../cli/errors.js';

const KEYED_HASH = /^keyed:([0-9a-fA-F]{16})$/;

/** Throws the usage error for a `--hash` value that names no hash function. */
export function checkHash(text: string): void {
  if (text === 'toeplitz' || text === 'symmetric' || KEYED_HASH.test(text)) return;
  throw new CliError(
    `--hash must be toeplitz, symmetric or keyed:<16 hex digits>, got ${JSON.stringify(text)}`,
  );
}

/** The hash function `--hash` names (`toeplitz`, `symmetric`, `keyed:<16 hex digits>`). */
export function parseHash(text: string): FlowHasher {
  checkHash(text);
  if (text === 'toeplitz') return createToeplitz(MICROSOFT_RSS_KEY);
  if (text === 'symmetric') return createToeplitz(SYMMETRIC_RSS_KEY);
  const hex = KEYED_HASH.exec(text)?.[1] ?? '';
  return createKeyedHash(
    Uint8Array.from({ length: 8 }, (_, i) => Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16)),
  );
}
