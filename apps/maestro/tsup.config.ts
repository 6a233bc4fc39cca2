import { definePackageConfig } from '@maestro/tsup-config';
import type { Options } from 'tsup';

// An application: one ESM entry with a shebang, no declarations, Node as the platform.
const config: Options | Options[] = definePackageConfig({
  entry: ['src/cli.ts'],
  format: ['esm'],
  dts: false,
  platform: 'node',
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
});
export default config;
