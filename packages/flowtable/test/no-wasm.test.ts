import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scenario } from './no-wasm-scenario.js';

describe('without WebAssembly', () => {
  it('should give under node --jitless (no WebAssembly) the findMany, recordMany and tryInsert results the kernel gives (example)', () => {
    const script = fileURLToPath(new URL('./no-wasm-scenario.ts', import.meta.url));
    // As the tests do, the child imports the workspace packages from their sources (through this
    // tsconfig's paths), so that it runs on a checkout whose packages are not built.
    const tsconfig = fileURLToPath(new URL('./tsconfig.sources.json', import.meta.url));
    const child = spawnSync(process.execPath, ['--jitless', '--import', 'tsx', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig },
      encoding: 'utf8',
    });
    expect(child.status, child.stderr).toBe(0);
    const without = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '');
    const withKernel = scenario();
    expect([withKernel.kernel, withKernel.records, without.kernel, without.records]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(without.digest).toEqual(withKernel.digest);
  }, 60_000);
});
