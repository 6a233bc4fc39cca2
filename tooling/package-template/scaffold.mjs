#!/usr/bin/env node
// pnpm new:package <name> [--description "..."] [--owner @handle]
// Creates packages/<name> from ./template: sources, tests with an arbitraries file, a README that
// ends in Guarantees, a publish-ready package.json, and the CODEOWNERS line that names its owner.
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const templateDir = join(dirname(fileURLToPath(import.meta.url)), 'template');
const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Creates the package; returns its folder. Throws an Error with a one-line message on bad input. */
export function scaffold({ name, description, owner, root }) {
  if (!NAME.test(name ?? '')) {
    throw new Error(`package name must be kebab-case (a-z, 0-9, '-'), got ${JSON.stringify(name)}`);
  }
  if (!/^@[\w-]+(\/[\w-]+)?$/.test(owner)) {
    throw new Error(
      `owner must be a GitHub handle or team like @maestro-dev/${name}, got ${JSON.stringify(owner)}`,
    );
  }
  const target = join(root, 'packages', name);
  if (existsSync(target)) throw new Error(`${target} already exists`);
  cpSync(templateDir, target, { recursive: true });
  for (const file of walk(target)) {
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replaceAll('__NAME__', name).replaceAll('__DESCRIPTION__', description));
  }
  const codeowners = join(root, '.github', 'CODEOWNERS');
  mkdirSync(dirname(codeowners), { recursive: true });
  const existing = existsSync(codeowners) ? readFileSync(codeowners, 'utf8') : '';
  const sep = existing === '' || existing.endsWith('\n') ? '' : '\n';
  appendFileSync(codeowners, `${sep}/packages/${name}/ ${owner}\n`);
  return target;
}

function* walk(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { values, positionals } = parseArgs({
      allowPositionals: true,
      options: {
        description: { type: 'string' },
        owner: { type: 'string' },
        root: { type: 'string' },
      },
    });
    const name = positionals[0];
    const target = scaffold({
      name,
      description: values.description ?? `TODO: one line on what @maestro/${name} does.`,
      owner: values.owner ?? `@maestro-dev/${name}`,
      root: resolve(values.root ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..')),
    });
    console.log(`created ${target}
next:
  pnpm install                      # links the new package into the workspace
  pnpm --filter @maestro/${name} test
  pnpm changeset                    # announce the new package (minor) before you open the PR`);
  } catch (error) {
    console.error(`new:package: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
