import { defineConfig } from 'tsup';

/**
 * The build every published package shares: one entry, ESM and CommonJS side by side, declarations
 * for both (`.d.ts` and `.d.cts`), source maps, ES2022 so that browsers and Node 20 run it as is.
 * Packages pass only what differs (extra entries, a `platform: 'node'` for the trace reader).
 */
export function definePackageConfig(overrides = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    // tsup's declaration build still sets `baseUrl`, which TypeScript 6 deprecates.
    dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    treeshake: true,
    splitting: false,
    ...overrides,
  });
}
