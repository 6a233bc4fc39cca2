import type { PathKey } from './source.js';

/**
 * Formats a path as `$.rules[3].match.source[0]`: how the config loader's issues and
 * `compilePolicy`'s refusals of a hand-built policy name a place in it.
 */
export function formatPath(path: readonly PathKey[]): string {
  let out = '$';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(step)) out += `.${step}`;
    else out += `[${JSON.stringify(step)}]`;
  }
  return out;
}
