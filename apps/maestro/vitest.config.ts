import { definePackageTestConfig } from '@maestro/vitest-config';
import type { ViteUserConfig } from 'vitest/config';

const config: ViteUserConfig = definePackageTestConfig();
export default config;
