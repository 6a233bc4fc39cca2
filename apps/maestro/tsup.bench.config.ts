import type { Options } from 'tsup';
import config from './tsup.config.js';

// The floor bench's stage process, bundled like the CLI (packages included) into bench/dist.
const base = (Array.isArray(config) ? config[0] : config) as Options;
const bench: Options = {
  ...base,
  entry: ['bench/floor-stage.ts'],
  outDir: 'bench/dist',
  banner: {},
  sourcemap: false,
};
export default bench;
