import { definePackageTestConfig } from '@maestro/vitest-config';

export default definePackageTestConfig({ test: { include: ['test/**/*.test.mjs'] } });
