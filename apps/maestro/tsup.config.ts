import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { definePackageConfig } from '@maestro/tsup-config';
import type { Options } from 'tsup';

const packagesDir = fileURLToPath(new URL('../../packages/', import.meta.url));

/**
 * Resolves `@maestro/<name>` and `@maestro/<name>/<entry>` to the package's sources
 * (`src/index.ts`, `src/<entry>.ts`), as the tests resolve them, so that the app builds on a
 * checkout whose packages are not built yet (`pnpm --filter @maestro/app build`).
 */
const workspaceSources: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'workspace-sources',
  setup(build) {
    build.onResolve({ filter: /^@maestro\/[a-z-]+(\/[a-z-]+)?$/ }, (args) => {
      const [, name, entry] = args.path.split('/');
      const path = `${packagesDir}${name}/src/${entry ?? 'index'}.ts`;
      return existsSync(path) ? { path } : undefined;
    });
  },
};

/**
 * Resolves `yaml` (imported by @maestro/policy and the scenario reader) to `src/cli/lazy-yaml.ts`,
 * which loads the package at its first use: most runs read no YAML file.
 */
const lazyYaml: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'lazy-yaml',
  setup(build) {
    const shim = fileURLToPath(new URL('./src/cli/lazy-yaml.ts', import.meta.url));
    build.onResolve({ filter: /^yaml$/ }, (args) => (args.importer === shim ? undefined : { path: shim }));
  },
};

// An application: one ESM entry with a shebang, no declarations, Node as the platform. The
// workspace packages are bundled in, so that start-up does not resolve and load ten separate
// modules: a 1 000-packet simulate took 0.27-0.30 s instead of 0.29-0.37 s (best of 10, three
// rounds each, quiet machine).
const config: Options | Options[] = definePackageConfig({
  entry: ['src/cli.ts'],
  format: ['esm'],
  dts: false,
  platform: 'node',
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
  // `yaml` too, or tsup's own external-dependency resolution would take it before lazyYaml.
  noExternal: [/^@maestro\//, /^yaml$/],
  esbuildPlugins: [workspaceSources, lazyYaml],
});
export default config;
