import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { scaffold } from '../scaffold.mjs';

const fresh = () => mkdtempSync(join(tmpdir(), 'maestro-scaffold-'));

test('creates a complete package with its CODEOWNERS line', () => {
  const root = fresh();
  const dir = scaffold({ name: 'flow-probe', description: 'Probes flows.', owner: '@alice', root });
  for (const file of [
    'package.json',
    'tsconfig.json',
    'tsup.config.ts',
    'vitest.config.ts',
    'README.md',
    'CHANGELOG.md',
    'src/index.ts',
    'test/arbitraries.ts',
    'bench/index.ts',
  ]) {
    assert.ok(existsSync(join(dir, file)), `missing ${file}`);
  }
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  assert.equal(pkg.name, '@maestro/flow-probe');
  assert.equal(pkg.description, 'Probes flows.');
  assert.equal(pkg.publishConfig.access, 'public');
  assert.equal(pkg.repository.directory, 'packages/flow-probe');
  const readme = readFileSync(join(dir, 'README.md'), 'utf8');
  assert.match(readme, /## Guarantees\n[\s\S]*$/);
  assert.ok(readme.startsWith('# @maestro/flow-probe\n\nProbes flows.\n'), readme.slice(0, 80));
  assert.equal(readFileSync(join(dir, 'CHANGELOG.md'), 'utf8'), '# @maestro/flow-probe\n');
  assert.equal(readFileSync(join(root, '.github', 'CODEOWNERS'), 'utf8'), '/packages/flow-probe/ @alice\n');
});

test('refuses a bad name and an existing package', () => {
  const root = fresh();
  assert.throws(() => scaffold({ name: 'Bad_Name', description: '', owner: '@a', root }), /kebab-case/);
  scaffold({ name: 'twice', description: '', owner: '@a', root });
  assert.throws(() => scaffold({ name: 'twice', description: '', owner: '@a', root }), /already exists/);
});
