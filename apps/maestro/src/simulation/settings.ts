import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  createKeyedHash,
  createToeplitz,
  type FlowHasher,
  MICROSOFT_RSS_KEY,
  SYMMETRIC_RSS_KEY,
} from '@maestro/hash';
import { type Policy, parsePolicy, validatePolicy } from '@maestro/policy';
import { isPrime, MAX_TABLE_SIZE } from '@maestro/weighting';
import { parse as parseYaml } from 'yaml';
import { CliError } from '../cli/errors.js';
import { parseEvent, type SimEvent } from './events.js';
import type { Strategy } from './group.js';
import { DEFAULT_WEIGHT, defaultMembers, parseMembers, type SimMember } from './members.js';
import { DEFAULT_TOPOLOGY, type ModeChoice } from './topology.js';

/** Everything `maestro simulate` runs with, after the scenario file and the flags are merged. */
export interface SimulationSettings {
  readonly capture: string | undefined;
  readonly members: SimMember[];
  readonly mode: ModeChoice;
  readonly layer: 'l3' | 'l4' | undefined;
  readonly tableSize: number;
  readonly strategy: Strategy;
  readonly policy: Policy;
  readonly events: SimEvent[];
  readonly hash: string;
  /** Where the table size came from: `--table-size`, the scenario file's `tableSize`, or the default. */
  readonly tableSizeSource: 'option' | 'file' | 'default';
  /** The scenario file, when one was given. */
  readonly scenarioFile: string | undefined;
  /** The events read from the scenario file (the others were given as `--event`). */
  readonly fileEvents: ReadonlySet<SimEvent>;
}

/** The flags of `maestro simulate` that a scenario file may also set. */
export interface SimulationFlags {
  readonly capture?: string | undefined;
  readonly members?: string | undefined;
  readonly mode?: string | undefined;
  readonly layer?: 'l3' | 'l4' | undefined;
  readonly tableSize?: string | undefined;
  readonly strategy?: string | undefined;
  readonly topology?: string | undefined;
  readonly policy?: string | undefined;
  readonly nat?: string | undefined;
  readonly events: readonly string[];
  readonly hash?: string | undefined;
  readonly scenario?: string | undefined;
}

const SCENARIO_KEYS = [
  'capture',
  'members',
  'mode',
  'layer',
  'tableSize',
  'strategy',
  'topology',
  'policy',
  'nat',
  'logicalServers',
  'events',
  'hash',
] as const;

/** A value read from a scenario file, with the file's folder to resolve paths against. */
interface Scenario {
  readonly file: string;
  readonly base: string;
  readonly value: Record<string, unknown>;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      `${what} ${path}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? 'error'})`}`,
      1,
    );
  }
}

function readScenario(path: string): Scenario {
  let value: unknown;
  try {
    value = parseYaml(readText(path, 'scenario'));
  } catch (error) {
    if (error instanceof CliError) throw error;
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new CliError(`${path}: not valid YAML: ${message}`, 1);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliError(`${path}: a scenario is a YAML mapping with keys ${SCENARIO_KEYS.join(', ')}`, 1);
  }
  const unknown = Object.keys(value).filter((k) => !(SCENARIO_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new CliError(
      `${path}: unknown key ${JSON.stringify(unknown[0])}; allowed: ${SCENARIO_KEYS.join(', ')}`,
      1,
    );
  }
  return { file: path, base: dirname(path), value: value as Record<string, unknown> };
}

function scenarioString(s: Scenario | undefined, key: string): string | undefined {
  const v = s?.value[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  throw new CliError(`${s?.file}: ${key} must be a string or a number, got ${typeof v}`, 1);
}

/** A policy part from a file path (relative to the scenario) or an inline mapping. */
function policyPart(s: Scenario | undefined, key: string, flag: string | undefined): Policy | undefined {
  if (flag !== undefined) return parsePolicy(flag, readText(flag, `--${key}`));
  const v = s?.value[key];
  if (v === undefined || v === null || s === undefined) return undefined;
  if (typeof v === 'string') {
    const path = resolve(s.base, v);
    return parsePolicy(path, readText(path, key));
  }
  const wrapped = key === 'nat' || key === 'topology' || key === 'logicalServers' ? { [key]: v } : v;
  return validatePolicy(wrapped, { file: `${s.file} (${key})` });
}

const KEYED_HASH = /^keyed:([0-9a-fA-F]{16})$/;

/** What is wrong with a hash name, or undefined when it names a hash function. */
function hashProblem(text: string): string | undefined {
  if (text === 'toeplitz' || text === 'symmetric' || KEYED_HASH.test(text)) return undefined;
  return `must be toeplitz, symmetric or keyed:<16 hex digits>, got ${JSON.stringify(text)}`;
}

/** Throws the usage error for a `--hash` value that names no hash function. */
function checkHash(text: string): void {
  const problem = hashProblem(text);
  if (problem !== undefined) throw new CliError(`--hash ${problem}`);
}

/**
 * The error for a setting's bad value, whose fault it is: a usage error (exit 2) naming `option`
 * when the value came from the command line (`fromFlag`), else the scenario file's (exit 1)
 * naming the file and its `key`.
 */
function badSetting(
  fromFlag: boolean,
  option: string,
  s: Scenario | undefined,
  key: string,
  problem: string,
): CliError {
  return fromFlag || s === undefined
    ? new CliError(`${option} ${problem}`)
    : new CliError(`${s.file}: ${key} ${problem}`, 1);
}

/** Runs `parse` on a value of the scenario file, making its usage errors the file's (exit 1). */
function fromFile<T>(s: Scenario | undefined, key: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (s === undefined || !(error instanceof CliError) || error.exitCode !== 2) throw error;
    throw new CliError(`${s.file}: ${key}: ${error.message.replace(/^--[a-z-]+:? /, '')}`, 1);
  }
}

/**
 * What is wrong with a table size for `members` members, or undefined: a prime (Maglev needs one,
 * and the rebalanced table starts from a Maglev one), 2..{@link MAX_TABLE_SIZE}, at least the
 * member count.
 */
function tableSizeProblem(text: string, members: number): string | undefined {
  const size = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!isPrime(size) || size > MAX_TABLE_SIZE) {
    return `must be a prime up to ${MAX_TABLE_SIZE} (e.g. 65537), got ${JSON.stringify(text)}`;
  }
  if (size < members) return `${size} is smaller than the ${members} members: each needs a bucket`;
  return undefined;
}

function parseHash(text: string): FlowHasher {
  checkHash(text);
  if (text === 'toeplitz') return createToeplitz(MICROSOFT_RSS_KEY);
  if (text === 'symmetric') return createToeplitz(SYMMETRIC_RSS_KEY);
  const hex = KEYED_HASH.exec(text)?.[1] ?? '';
  return createKeyedHash(
    Uint8Array.from({ length: 8 }, (_, i) => Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16)),
  );
}

/** The hash function a settings' `hash` names. */
export function hasherOf(settings: SimulationSettings): FlowHasher {
  return parseHash(settings.hash);
}

/** Merges a scenario file (when given) and the flags (which win) into the run's settings. */
export function resolveSettings(flags: SimulationFlags): SimulationSettings {
  const s = flags.scenario === undefined ? undefined : readScenario(flags.scenario);
  const captureText = flags.capture ?? scenarioString(s, 'capture');
  const capture =
    captureText === undefined
      ? undefined
      : flags.capture === undefined && s
        ? resolve(s.base, captureText)
        : captureText;

  const membersValue = s?.value['members'];
  let members: SimMember[];
  if (flags.members !== undefined) members = parseMembers(flags.members);
  else if (Array.isArray(membersValue)) {
    members = fromFile(s, 'members', () =>
      parseMembers(
        membersValue
          .map((m, i) => {
            if (typeof m === 'string') return m;
            const { id, weight } = (typeof m === 'object' && m !== null ? m : {}) as {
              id?: unknown;
              weight?: unknown;
            };
            if (typeof id !== 'string' || (weight !== undefined && typeof weight !== 'number')) {
              throw new CliError(
                `${s?.file}: members[${i}] must be an id or { id: <string>, weight: <0..512> }, got ${JSON.stringify(m)}`,
                1,
              );
            }
            return `${id}=${weight ?? DEFAULT_WEIGHT}`;
          })
          .join(','),
      ),
    );
  } else if (membersValue !== undefined)
    members = fromFile(s, 'members', () => parseMembers(String(membersValue)));
  else members = defaultMembers(4);

  const mode = flags.mode ?? scenarioString(s, 'mode') ?? 'auto';
  if (!['auto', 'general', 'user', 'network'].includes(mode)) {
    const problem = `must be auto, general, user or network, got ${JSON.stringify(mode)}`;
    throw badSetting(flags.mode !== undefined, '--mode', s, 'mode', problem);
  }
  const layerText = flags.layer ?? scenarioString(s, 'layer');
  if (layerText !== undefined && layerText !== 'l3' && layerText !== 'l4') {
    const problem = `must be l3 or l4, got ${JSON.stringify(layerText)}`;
    throw badSetting(flags.layer !== undefined, '--l3/--l4: layer', s, 'layer', problem);
  }
  const fileSize = scenarioString(s, 'tableSize');
  const sizeText = flags.tableSize ?? fileSize ?? '65537';
  const sizeProblem = tableSizeProblem(sizeText, members.length);
  if (sizeProblem !== undefined)
    throw badSetting(flags.tableSize !== undefined, '--table-size', s, 'tableSize', sizeProblem);
  const strategy = flags.strategy ?? scenarioString(s, 'strategy') ?? 'rebalance';
  if (strategy !== 'rebalance' && strategy !== 'maglev') {
    const problem = `must be rebalance or maglev, got ${JSON.stringify(strategy)}`;
    throw badSetting(flags.strategy !== undefined, '--strategy', s, 'strategy', problem);
  }

  const topology = policyPart(s, 'topology', flags.topology);
  const rules = policyPart(s, 'policy', flags.policy);
  const nat = policyPart(s, 'nat', flags.nat);
  const servers = policyPart(s, 'logicalServers', undefined);
  const base =
    topology ??
    (rules && rules.topology.interfaces.length > 0 ? rules : undefined) ??
    validatePolicy(DEFAULT_TOPOLOGY, { file: 'default-topology.yaml' });
  const policy: Policy = {
    topology: layerText === undefined ? base.topology : { ...base.topology, layer: layerText },
    rules: rules?.rules ?? [],
    nat: [...(rules?.nat ?? []), ...(nat?.nat ?? [])],
    logicalServers: [...(rules?.logicalServers ?? []), ...(servers?.logicalServers ?? [])],
  };

  const scenarioEvents = s?.value['events'];
  if (scenarioEvents !== undefined && !Array.isArray(scenarioEvents)) {
    throw new CliError(`${s?.file}: events must be a list of "<kind> <member> @<seconds>s" strings`, 1);
  }
  const fileEvents = fromFile(s, 'events', () => (scenarioEvents ?? []).map((e) => parseEvent(String(e))));
  const events = [...fileEvents, ...flags.events.map(parseEvent)].sort((a, b) => a.at - b.at);
  // Checked here (before any capture is read); the hasher itself is built once, later.
  const hashText = flags.hash ?? scenarioString(s, 'hash') ?? 'toeplitz';
  const hashError = hashProblem(hashText);
  if (hashError !== undefined) throw badSetting(flags.hash !== undefined, '--hash', s, 'hash', hashError);
  return {
    capture,
    members,
    mode: mode as ModeChoice,
    layer: layerText as 'l3' | 'l4' | undefined,
    tableSize: Number(sizeText),
    strategy,
    policy,
    events,
    hash: hashText,
    tableSizeSource: flags.tableSize !== undefined ? 'option' : fileSize !== undefined ? 'file' : 'default',
    scenarioFile: s?.file,
    fileEvents: new Set(fileEvents),
  };
}
