import { parseProtocol } from '@maestro/hash';
import * as v from 'valibot';
import { type Cidr, parseCidr } from './cidr.js';
import { formatPath } from './config-path.js';
import { type ConfigIssue, PolicyConfigError } from './errors.js';
import { buildLogicalServer, type IssueReporter, logicalServerSchema } from './logical-servers.js';
import { checkNatRule, HIDE_PORT_MAX, HIDE_PORT_MIN } from './nat-checks.js';
import {
  DEFAULT_HIDE_PORTS,
  type HideNatRule,
  type InterfaceTopology,
  type NatRule,
  type Policy,
  type Rule,
  type RuleAction,
  type RuleMatch,
  type StaticNatRule,
} from './policy.js';
import {
  checkInterfaces,
  checkLogicalServers,
  checkRuleAction,
  checkRuleInterfaces,
  checkRuleNames,
} from './policy-checks.js';
import { parseRange } from './range.js';
import {
  interfaceSchema,
  natSchema,
  type RawInterface,
  type RawNat,
  type RawRange,
  type RawRule,
  rootSchema,
  ruleSchema,
} from './schema.js';
import type { PathKey, Position } from './source.js';

/** Options of {@link validatePolicy}. */
export interface ValidateOptions {
  /** The name errors cite. @default '<config>' */
  readonly file?: string;
  /** Finds where a path lies in the source text; without it issues carry only paths. */
  readonly locate?: (path: readonly PathKey[], key: boolean) => Position | undefined;
}

/** A short rendering of a found value for an error message. */
export function renderFound(value: unknown): string {
  if (value === undefined) return 'nothing (missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'a mapping';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

class IssueSink {
  readonly issues: ConfigIssue[] = [];
  constructor(
    private readonly file: string,
    private readonly locate: ValidateOptions['locate'],
  ) {}

  add(path: readonly PathKey[], found: string, expected: string, key = false): void {
    const at = this.locate?.(path, key);
    this.issues.push({
      file: this.file,
      ...(at === undefined ? {} : { line: at.line, column: at.column }),
      path: formatPath(path),
      found,
      expected,
    });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(value: unknown, key: string): unknown {
  return isRecord(value) ? value[key] : undefined;
}

function itemsAt(value: unknown, key: string): unknown[] {
  const items = field(value, key);
  return Array.isArray(items) ? items : [];
}

/** Checks `value` against `schema`, recording every issue under `at`; the output when it passed. */
function check<T>(
  schema: v.GenericSchema<unknown, T>,
  value: unknown,
  at: readonly PathKey[],
  sink: IssueSink,
): T | undefined {
  const result = v.safeParse(schema, value, { abortEarly: false });
  if (result.success) return result.output;
  for (const issue of result.issues) {
    const path = [...at, ...(issue.path ?? []).map((item) => item.key as PathKey)];
    const last = issue.path?.[issue.path.length - 1];
    if (issue.type === 'strict_object' && last?.origin === 'key' && issue.expected === 'never') {
      sink.add(path, `the unknown key ${JSON.stringify(String(last.key))}`, issue.message, true);
    } else if (issue.type === 'strict_object' && issue.received === 'undefined') {
      sink.add(path.slice(0, -1), `no key ${String(last?.key)}`, issue.message);
    } else {
      sink.add(path, renderFound(issue.input), issue.message);
    }
  }
  return undefined;
}

/**
 * Validates a configuration value (what a YAML or JSON file denotes) and builds the policy.
 * Every problem is collected (each interface, rule and NAT rule is checked even when others are
 * broken); if there is any, a {@link PolicyConfigError} listing all of them is thrown and nothing
 * else is returned.
 */
export function validatePolicy(value: unknown, options: ValidateOptions = {}): Policy {
  const file = options.file ?? '<config>';
  const sink = new IssueSink(file, options.locate);
  const root = check(rootSchema, value, [], sink);
  const rawIfaces = itemsAt(field(value, 'topology'), 'interfaces');
  const ifaces = rawIfaces.map((item, i) =>
    check(interfaceSchema, item, ['topology', 'interfaces', i], sink),
  );
  const interfaces = buildInterfaces(ifaces, sink);
  // Names of interfaces that failed other checks still count, so that one typo is one issue.
  const known = new Set(
    rawIfaces.flatMap((item) => {
      const ifaceName = field(item, 'name');
      return typeof ifaceName === 'string' ? [ifaceName] : [];
    }),
  );
  const rules = itemsAt(value, 'rules').map((item, i) => {
    const raw = check(ruleSchema, item, ['rules', i], sink);
    return raw === undefined ? undefined : buildRule(raw, ['rules', i], known, sink);
  });
  checkRuleNames(
    rules.map((rule) => rule?.name),
    (path, found, expected) => sink.add(path, found, expected),
  );
  const nat = itemsAt(value, 'nat').map((item, i) => {
    const raw = check(natSchema, item, ['nat', i], sink);
    return raw === undefined ? undefined : buildNat(raw, ['nat', i], sink);
  });
  const hasLogicalServers = Array.isArray(field(value, 'logicalServers'));
  const logicalServers = itemsAt(value, 'logicalServers').map((item, i) => {
    const raw = check(logicalServerSchema, item, ['logicalServers', i], sink);
    return raw === undefined
      ? undefined
      : buildLogicalServer(raw, ['logicalServers', i], (path, found, expected) =>
          sink.add(path, found, expected),
        );
  });
  checkLogicalServers(logicalServers, (path, found, expected) => sink.add(path, found, expected));
  if (sink.issues.length > 0 || root === undefined)
    throw new PolicyConfigError(file, sortIssues(sink.issues));
  return {
    topology: {
      mode: root.topology?.mode ?? 'auto',
      layer: root.topology?.layer ?? 'l4',
      interfaces: defined(interfaces),
    },
    rules: defined(rules),
    nat: defined(nat),
    ...(hasLogicalServers ? { logicalServers: defined(logicalServers) } : {}),
  };
}

function defined<T>(list: readonly (T | undefined)[]): T[] {
  return list.filter((x): x is T => x !== undefined);
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return issues
    .map((issue, i) => ({ issue, i }))
    .sort((a, b) => {
      const la = a.issue.line ?? Number.MAX_SAFE_INTEGER;
      const lb = b.issue.line ?? Number.MAX_SAFE_INTEGER;
      if (la !== lb) return la - lb;
      const ca = a.issue.column ?? 0;
      const cb = b.issue.column ?? 0;
      return ca !== cb ? ca - cb : a.i - b.i;
    })
    .map((x) => x.issue);
}

function buildInterfaces(
  raw: readonly (RawInterface | undefined)[],
  sink: IssueSink,
): (InterfaceTopology | undefined)[] {
  checkInterfaces(raw, (path, found, expected) => sink.add(path, found, expected));
  return raw.map((iface) => {
    if (iface === undefined) return undefined;
    const vlans = (iface.vlans ?? []).map((vlan) => {
      return {
        id: vlan.id,
        zone: vlan.zone ?? iface.zone,
        ...(vlan.mode === undefined ? {} : { mode: vlan.mode }),
      };
    });
    return {
      name: iface.name,
      zone: iface.zone,
      ...(iface.mode === undefined ? {} : { mode: iface.mode }),
      vlans,
    };
  });
}

function buildRule(rule: RawRule, at: PathKey[], known: ReadonlySet<string>, sink: IssueSink): Rule {
  const m = rule.match ?? {};
  const interfaces = m.interfaces ?? [];
  const report: IssueReporter = (path, found, expected) => sink.add(path, found, expected);
  checkRuleInterfaces(interfaces, at, known, report);
  const match: RuleMatch = {
    interfaces: [...interfaces],
    vlans: (m.vlans ?? []).map((x) => parseRange(x, 1, 4094, 'VLAN ID')),
    source: (m.source ?? []).map(parseCidr),
    destination: (m.destination ?? []).map(parseCidr),
    protocols: (m.protocols ?? []).map(toProtocol),
    sourcePorts: (m.sourcePorts ?? []).map(toPort),
    destinationPorts: (m.destinationPorts ?? []).map(toPort),
  };
  const a = rule.action;
  checkRuleAction(a, at, report);
  const action: RuleAction = {
    ...(a.mode === undefined ? {} : { mode: a.mode }),
    ...(a.members === undefined ? {} : { members: [...a.members] }),
    ...(a.management === undefined ? {} : { management: a.management }),
    ...(a.sync === undefined ? {} : { sync: a.sync }),
  };
  return { ...(rule.name === undefined ? {} : { name: rule.name }), match, action };
}

function toProtocol(value: RawRange): number {
  return typeof value === 'number' ? value : parseProtocol(value);
}

function toPort(value: RawRange): { from: number; to: number } {
  return parseRange(value, 0, 65535, 'port');
}

function buildNat(entry: RawNat, at: PathKey[], sink: IssueSink): NatRule {
  const named = entry.name === undefined ? {} : { name: entry.name };
  const report: IssueReporter = (path, found, expected) => sink.add(path, found, expected);
  if (entry.type === 'static') {
    const rule: StaticNatRule = {
      kind: 'static',
      ...named,
      original: parseCidr(entry.original),
      translated: parseCidr(entry.translated),
    };
    checkNatRule(rule, at, report);
    return rule;
  }
  const address = parseCidr(entry.address);
  const source: Cidr[] = entry.source.map(parseCidr);
  const destination: Cidr[] = (entry.destination ?? []).map(parseCidr);
  const ports =
    entry.ports === undefined
      ? DEFAULT_HIDE_PORTS
      : parseRange(entry.ports, HIDE_PORT_MIN, HIDE_PORT_MAX, 'port');
  const rule: HideNatRule = { kind: 'hide', ...named, source, destination, address, ports };
  checkNatRule(rule, at, report);
  return rule;
}
