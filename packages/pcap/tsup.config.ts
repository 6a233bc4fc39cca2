import { definePackageConfig } from '@maestro/tsup-config';
import type { Options } from 'tsup';

// Two entries: the browser-safe core, and the Node file/stream readers (the only `node:` imports).
const config: Options | Options[] = definePackageConfig({
  entry: ['src/index.ts', 'src/node.ts'],
  // One shared chunk, so that both entries see the same classes (`instanceof PcapError` holds).
  splitting: true,
});
export default config;
