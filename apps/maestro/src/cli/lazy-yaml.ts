import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

// What the bundle imports from `yaml` (the build resolves `yaml` here; see tsup.config.ts): the
// same functions and class, but the package is loaded at the first call, so that a run that
// parses no YAML file does not load it (a third of `maestro --help`'s start-up).
let loaded: typeof Yaml | undefined;

function yaml(): typeof Yaml {
  loaded ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return loaded;
}

/** `yaml`'s `parse`, loading the package on first use. */
export const parse: typeof Yaml.parse = ((...args: Parameters<typeof Yaml.parse>) =>
  yaml().parse(...args)) as typeof Yaml.parse;

/** `yaml`'s `parseDocument`, loading the package on first use. */
export const parseDocument: typeof Yaml.parseDocument = ((...args: Parameters<typeof Yaml.parseDocument>) =>
  yaml().parseDocument(...args)) as typeof Yaml.parseDocument;

/** `yaml`'s `stringify`, loading the package on first use. */
export const stringify: typeof Yaml.stringify = ((...args: Parameters<typeof Yaml.stringify>) =>
  yaml().stringify(...args)) as typeof Yaml.stringify;

/** `yaml`'s `isMap`, loading the package on first use. */
export const isMap: typeof Yaml.isMap = ((node: unknown) => yaml().isMap(node)) as typeof Yaml.isMap;

/** `yaml`'s `isScalar`, loading the package on first use. */
export const isScalar: typeof Yaml.isScalar = ((node: unknown) =>
  yaml().isScalar(node)) as typeof Yaml.isScalar;

/** `yaml`'s `isSeq`, loading the package on first use. */
export const isSeq: typeof Yaml.isSeq = ((node: unknown) => yaml().isSeq(node)) as typeof Yaml.isSeq;

/** `yaml`'s `LineCounter`: `new LineCounter()` loads the package and returns its instance. */
export const LineCounter: typeof Yaml.LineCounter = function LineCounter(): Yaml.LineCounter {
  return new (yaml().LineCounter)();
} as unknown as typeof Yaml.LineCounter;
