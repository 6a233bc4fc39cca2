import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { type ConfigIssue, PolicyError } from './errors.js';

/** The text formats a configuration may be written in. */
export type ConfigFormat = 'yaml' | 'json';

/** One step of a path into a configuration value. */
export type PathKey = string | number;

/** A line and column, both 1-based. */
export interface Position {
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
}

/** A parsed configuration text and a way to find where a path lies in it. */
export interface ConfigSource {
  /** The value the text denotes (undefined when the syntax is broken). */
  readonly value: unknown;
  /** Syntax problems; when any, `value` must not be used. */
  readonly issues: readonly ConfigIssue[];
  /** Where the value at `path` (or its key, with `key`) starts, or the nearest enclosing value. */
  locate(path: readonly PathKey[], key: boolean): Position | undefined;
}

/** Picks the format from the file name (`.json`, `.yaml`, `.yml`), else from the text. */
/** Throws `INVALID_FORMAT` unless `format` is `'yaml'` or `'json'` (a caller's option, not file content). */
export function assertFormat(format: unknown): asserts format is ConfigFormat {
  if (format !== 'yaml' && format !== 'json') {
    throw new PolicyError(
      'INVALID_FORMAT',
      `format must be 'yaml' or 'json', got ${typeof format === 'string' ? JSON.stringify(format) : typeof format}`,
    );
  }
}

export function detectFormat(file: string, text: string): ConfigFormat {
  const lower = file.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  return /^\s*[{[]/.test(text) ? 'json' : 'yaml';
}

// Aliases may expand exponentially ("billion laughs"); a policy never needs many.
const MAX_ALIAS_COUNT = 100;

/** Parses `text` as YAML or JSON; syntax problems come back as issues, never thrown. */
export function readSource(text: string, file: string, format: ConfigFormat): ConfigSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const docOk = doc.errors.length === 0;
  const locate = (path: readonly PathKey[], key: boolean): Position | undefined =>
    docOk ? locateIn(doc, lines, path, key) : undefined;
  // An issue at the start of a parser error, for the whole document.
  const issueAt = (
    e: { readonly pos: readonly [number, number] },
    found: string,
    expected: string,
  ): ConfigIssue => {
    const at = lines.linePos(e.pos[0]);
    return { file, line: at.line, column: at.col, path: '$', found, expected };
  };
  if (format === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const fallback = doc.errors[0]?.pos[0];
      return { value: undefined, issues: [jsonSyntaxIssue(file, text, message, fallback)], locate };
    }
    // JSON.parse keeps the last of two equal keys without a word; the YAML reading refuses them.
    // The same file must not mean something else, or lose a setting, for being written as JSON.
    const duplicates = doc.errors.filter((e) => e.code === 'DUPLICATE_KEY');
    if (duplicates.length === 0) return { value, issues: [], locate };
    const issues = duplicates.map((e) =>
      issueAt(e, 'a key repeated in one object', 'well-formed JSON with each key once per object'),
    );
    return { value: undefined, issues, locate };
  }
  if (!docOk) {
    const issues = doc.errors.map((e) =>
      issueAt(e, e.message.split('\n')[0] ?? e.message, 'well-formed YAML'),
    );
    return { value: undefined, issues, locate };
  }
  try {
    return { value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown, issues: [], locate };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      value: undefined,
      issues: [{ file, path: '$', found: message, expected: 'well-formed YAML with few aliases' }],
      locate,
    };
  }
}

// Engines word JSON syntax errors differently: some give a line and column, some an offset, some
// nothing; then the YAML parser's view of the same text (JSON is YAML) gives the offset.
function jsonSyntaxIssue(
  file: string,
  text: string,
  message: string,
  fallback: number | undefined,
): ConfigIssue {
  const found = message.split('\n')[0] ?? message;
  const base = {
    file,
    path: '$',
    found: found.length > 120 ? `${found.slice(0, 117)}...` : found,
    expected: 'well-formed JSON',
  };
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc !== null) return { ...base, line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /position (\d+)/.exec(message);
  const at = pos === null ? fallback : Number(pos[1]);
  if (at === undefined) return base;
  const offset = Math.min(at, text.length);
  const before = text.slice(0, offset).split('\n');
  return { ...base, line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
}

function locateIn(
  doc: Document,
  lines: LineCounter,
  path: readonly PathKey[],
  key: boolean,
): Position | undefined {
  let node: unknown = doc.contents;
  let at: Node | undefined = isNode(node) ? node : undefined;
  for (let i = 0; i < path.length; i++) {
    const step = path[i];
    const last = i === path.length - 1;
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
      if (pair === undefined) break;
      if (last && key && isNode(pair.key)) {
        at = pair.key;
        break;
      }
      next = pair.value;
    } else if (isSeq(node) && typeof step === 'number') {
      next = node.items[step];
    } else {
      break;
    }
    if (!isNode(next)) break;
    node = next;
    at = next;
  }
  const start = at?.range?.[0];
  if (start === undefined) return undefined;
  const pos = lines.linePos(start);
  return { line: pos.line, column: pos.col };
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'range' in value;
}
