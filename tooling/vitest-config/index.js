import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const packagesDir = here('../../packages/');

/**
 * Tests run against the sources of the workspace packages they import, not their builds, so that
 * `pnpm --filter @maestro/<name> test` works on a fresh checkout without building the graph first.
 */
function workspaceSourceAliases() {
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(`${packagesDir}${entry.name}/src/index.ts`))
    .map((entry) => ({
      find: new RegExp(`^@maestro/${entry.name}$`),
      replacement: `${packagesDir}${entry.name}/src/index.ts`,
    }));
}

/**
 * The test setup every package shares. Property tests get their seed and run count from
 * `global-setup.js` (chosen once per run, printed once) through `fast-check-setup.js`.
 */
export function definePackageTestConfig(overrides = {}) {
  return mergeConfig(
    defineConfig({
      resolve: { alias: workspaceSourceAliases() },
      test: {
        include: ['test/**/*.test.ts'],
        globalSetup: [here('./global-setup.js')],
        setupFiles: [here('./fast-check-setup.js')],
        // A property test that takes 4 s alone took 62 s in a CI run with every package's tests
        // running at once on the 2 cores (and the machine busy besides): the limit is for hung
        // tests, not slow machines.
        testTimeout: 180_000,
        hookTimeout: 180_000,
        pool: 'forks',
        // The JSON report feeds the one-line total that .ci/run prints at the end.
        reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
      },
    }),
    defineConfig(overrides),
  );
}
