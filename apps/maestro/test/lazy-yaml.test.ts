import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, SCENARIO, tempDir } from './run-cli.js';

// Preloaded into the CLI's process: says on exit whether the `yaml` package was loaded.
const PROBE = `process.on('exit', () => {
  const loaded = Object.keys(require.cache).some((k) => /[\\\\/]node_modules[\\\\/]yaml[\\\\/]/.test(k));
  process.stderr.write('yaml-loaded ' + loaded + '\\n');
});
`;

/** Whether `maestro ...args` loaded the `yaml` package (the run must succeed). */
function loadsYaml(args: readonly string[]): boolean {
  const probe = join(tempDir(), 'probe.cjs');
  writeFileSync(probe, PROBE);
  const r = spawnSync(process.execPath, ['-r', probe, CLI, ...args], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const m = /yaml-loaded (true|false)/.exec(r.stderr);
  expect(m, r.stderr).not.toBeNull();
  return m?.[1] === 'true';
}

describe('the YAML parser at start-up', () => {
  it('should be loaded only by a run that reads a YAML file', () => {
    expect(loadsYaml(['simulate', '--json'])).toBe(false);
    expect(loadsYaml(['--help'])).toBe(false);
    expect(loadsYaml(['simulate', '--scenario', SCENARIO, '--json'])).toBe(true);
  });
});
