import type { ViteUserConfig } from 'vitest/config';

/** The shared vitest config (fast-check seeded once per run); `overrides` are merged on top. */
export declare function definePackageTestConfig(overrides?: ViteUserConfig): ViteUserConfig;
