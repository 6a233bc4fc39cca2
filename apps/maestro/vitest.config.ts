import { definePackageTestConfig } from '@maestro/vitest-config';
import type { ViteUserConfig } from 'vitest/config';

// The tests run the built CLI: build-cli.ts builds it first when it is missing or older than a source.
const config: ViteUserConfig = definePackageTestConfig({ test: { globalSetup: ['./test/build-cli.ts'] } });
export default config;
