import xxhash from 'xxhash-wasm';

/** XXH64 of `input` with `seed`, as an unsigned 64-bit bigint. */
export type Xxh64 = (input: Uint8Array, seed: bigint) => bigint;

/**
 * Loads the XXH64 that Envoy-compatible Maglev needs, from the `xxhash-wasm` package (WebAssembly,
 * so browsers and Node both run it). Loading is asynchronous once; the returned function is
 * synchronous.
 *
 * @example
 * const xxh64 = await loadXxh64();
 * const t = maglev(hosts, { size: 65537, compat: 'envoy', xxh64 });
 */
export async function loadXxh64(): Promise<Xxh64> {
  const api = await xxhash();
  return (input, seed) => api.h64Raw(input, seed);
}
