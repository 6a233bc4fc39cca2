import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import config from '../tsup.config.js';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const packagesDir = fileURLToPath(new URL('../../../packages/', import.meta.url));

/** The newest modification time of any file below `dir` (0 when there is none). */
function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

/**
 * The tests run the built CLI (`dist/cli.js`), as a user would. Under `pnpm check` the build task
 * has made it already; run on its own (`pnpm --filter @maestro/app test`, a fresh checkout, or
 * after editing a source), the CLI is built first whenever a source of the app or of a package it
 * bundles is newer than it.
 */
export default async function buildCli(): Promise<void> {
  const cli = join(appDir, 'dist/cli.js');
  const built = existsSync(cli) ? statSync(cli).mtimeMs : 0;
  const sources = [
    newest(join(appDir, 'src')),
    statSync(join(appDir, 'tsup.config.ts')).mtimeMs,
    ...readdirSync(packagesDir).map((name) => newest(join(packagesDir, name, 'src'))),
  ];
  if (Math.max(...sources) <= built) return;
  const options = Array.isArray(config) ? config : [config];
  const previous = process.cwd();
  process.chdir(appDir);
  try {
    for (const o of options) await build({ ...o, config: false, silent: true });
  } finally {
    process.chdir(previous);
  }
}
