import type { Options } from 'tsup';

/** The shared tsup build: ESM + CJS + declarations from `src/index.ts`. */
export declare function definePackageConfig(overrides?: Options): Options | Options[];
