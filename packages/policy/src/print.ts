import { protocolName } from '@maestro/hash';
import { stringify } from 'yaml';
import { formatCidr } from './cidr.js';
import { logicalServerToConfig } from './logical-servers.js';
import type { NatRule, Policy, Rule } from './policy.js';
import { formatRange } from './range.js';
import { assertFormat, type ConfigFormat } from './source.js';

/** A configuration value: what YAML and JSON files denote. */
export type ConfigValue =
  | string
  | number
  | boolean
  | readonly ConfigValue[]
  | { readonly [key: string]: ConfigValue };

/** Options of {@link printPolicy}. */
export interface PrintOptions {
  /** Output format, 'yaml' or 'json' (anything else: a PolicyError `INVALID_FORMAT`). @default 'yaml' */
  readonly format?: ConfigFormat;
}

/**
 * The configuration value of a policy in canonical form: addresses as `network/prefix`, ranges as
 * numbers or `'from-to'`, protocols by name, empty lists left out. `validatePolicy` of it gives
 * back an equal policy.
 */
export function policyToConfig(policy: Policy): ConfigValue {
  const t = policy.topology;
  return {
    version: 1,
    topology: {
      mode: t.mode,
      layer: t.layer,
      interfaces: t.interfaces.map((i) => ({
        name: i.name,
        zone: i.zone,
        ...(i.mode === undefined ? {} : { mode: i.mode }),
        ...(i.vlans.length === 0
          ? {}
          : {
              vlans: i.vlans.map((vl) => ({
                id: vl.id,
                zone: vl.zone,
                ...(vl.mode === undefined ? {} : { mode: vl.mode }),
              })),
            }),
      })),
    },
    rules: policy.rules.map(ruleToConfig),
    nat: policy.nat.map(natToConfig),
    ...(policy.logicalServers === undefined
      ? {}
      : { logicalServers: policy.logicalServers.map(logicalServerToConfig) }),
  };
}

function ruleToConfig(rule: Rule): ConfigValue {
  const m = rule.match;
  const some = <T>(key: string, list: readonly T[], f: (x: T) => ConfigValue): Record<string, ConfigValue> =>
    list.length === 0 ? {} : { [key]: list.map(f) };
  const match: Record<string, ConfigValue> = {
    ...some('interfaces', m.interfaces, (x) => x),
    ...some('vlans', m.vlans, formatRange),
    ...some('source', m.source, formatCidr),
    ...some('destination', m.destination, formatCidr),
    ...some('protocols', m.protocols, protocolName),
    ...some('sourcePorts', m.sourcePorts, formatRange),
    ...some('destinationPorts', m.destinationPorts, formatRange),
  };
  const a = rule.action;
  const action: ConfigValue = {
    ...(a.mode === undefined ? {} : { mode: a.mode }),
    ...(a.members === undefined ? {} : { members: [...a.members] }),
    ...(a.management === undefined ? {} : { management: a.management }),
    ...(a.sync === undefined ? {} : { sync: a.sync }),
  };
  return {
    ...(rule.name === undefined ? {} : { name: rule.name }),
    ...(Object.keys(match).length === 0 ? {} : { match }),
    action,
  };
}

function natToConfig(rule: NatRule): ConfigValue {
  const named = rule.name === undefined ? {} : { name: rule.name };
  if (rule.kind === 'static') {
    return {
      type: 'static',
      ...named,
      original: formatCidr(rule.original),
      translated: formatCidr(rule.translated),
    };
  }
  return {
    type: 'hide',
    ...named,
    source: rule.source.map(formatCidr),
    ...(rule.destination.length === 0 ? {} : { destination: rule.destination.map(formatCidr) }),
    address: formatCidr(rule.address),
    ports: formatRange(rule.ports),
  };
}

/**
 * Prints a policy as configuration text (YAML by default, or JSON) that {@link parsePolicy}
 * reads back into an equal policy.
 *
 * @example
 * printPolicy(policy, { format: 'json' });
 */
export function printPolicy(policy: Policy, options: PrintOptions = {}): string {
  if (options.format !== undefined) assertFormat(options.format);
  const value = policyToConfig(policy);
  if (options.format === 'json') return `${JSON.stringify(value, null, 2)}\n`;
  return stringify(value, { lineWidth: 0 });
}
