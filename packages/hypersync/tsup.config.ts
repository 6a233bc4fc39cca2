import { definePackageConfig } from '@maestro/tsup-config';
import type { Options } from 'tsup';

const config: Options | Options[] = definePackageConfig();
export default config;
