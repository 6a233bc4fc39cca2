import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI: tests run the real `maestro` binary, as a user would. */
export const CLI: string = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
export const SAMPLES: string = fileURLToPath(new URL('../samples/', import.meta.url));
export const SCENARIO: string = join(SAMPLES, 'default-scenario.yaml');

/** What one run printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `maestro ...args` to completion (no TTY, so no colour and no progress bar). */
export function maestro(args: readonly string[], timeoutMs = 120_000): CliRun {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 256 << 20,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `maestro ...args --json` and parses the report; fails loudly on a non-zero exit. */
export function maestroJson<T = Record<string, unknown>>(args: readonly string[]): T {
  const r = maestro([...args, '--json']);
  if (r.code !== 0) throw new Error(`maestro ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** A fresh temporary folder. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'maestro-test-'));
}
