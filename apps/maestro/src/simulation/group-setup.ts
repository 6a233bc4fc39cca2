import type { FlowHasher } from '@maestro/hash';
import { type CompiledPolicy, compilePolicy } from '@maestro/policy';
import { flag, type OptionSpec, type Parsed, stringOption, stringsOption } from '../cli/options.js';
import { SimulatedGroup } from './group.js';
import { correctionNat, type NatPlan } from './nat-rules.js';
import { ServerBalancer } from './server-balancer.js';
import { hasherOf, type SimulationFlags, type SimulationSettings } from './settings.js';
import { hasRules, IngressMap } from './topology.js';

/** The options that describe a group, shared by `simulate` and `calc`. */
export const GROUP_FLAGS: OptionSpec = {
  members: { type: 'string' },
  mode: { type: 'string' },
  l3: { type: 'boolean' },
  l4: { type: 'boolean' },
  'table-size': { type: 'string' },
  strategy: { type: 'string' },
  topology: { type: 'string' },
  policy: { type: 'string' },
  nat: { type: 'string' },
  event: { type: 'string', multiple: true },
  scenario: { type: 'string' },
  hash: { type: 'string' },
  json: { type: 'boolean' },
};

/** The group flags of a parsed command line, as `resolveSettings` takes them. */
export function groupFlags(parsed: Parsed, capture: string | undefined): SimulationFlags {
  return {
    capture,
    members: stringOption(parsed, 'members'),
    mode: stringOption(parsed, 'mode'),
    layer: flag(parsed, 'l3') ? 'l3' : flag(parsed, 'l4') ? 'l4' : undefined,
    tableSize: stringOption(parsed, 'table-size'),
    strategy: stringOption(parsed, 'strategy'),
    topology: stringOption(parsed, 'topology'),
    policy: stringOption(parsed, 'policy'),
    nat: stringOption(parsed, 'nat'),
    events: stringsOption(parsed, 'event'),
    hash: stringOption(parsed, 'hash'),
    scenario: stringOption(parsed, 'scenario'),
  };
}

/** A group ready to take packets, and what it was built from. */
export interface GroupSetup {
  readonly compiled: CompiledPolicy;
  readonly layer: 'l3' | 'l4';
  readonly ingress: IngressMap;
  readonly hasher: FlowHasher;
  readonly nat: NatPlan;
  readonly group: SimulatedGroup;
  /** ConnectControl logical servers on the simulation's clock. */
  readonly balancer: ServerBalancer;
}

/**
 * Builds the simulated group of `settings`: compiled policy, ingress map, hash, NAT for the
 * correction layer, and one engine per member (including `later` members that join by event).
 */
export function buildGroup(
  settings: SimulationSettings,
  later: readonly string[],
  capacity: number,
): GroupSetup {
  const compiled = compilePolicy(settings.policy);
  const layer = settings.layer ?? compiled.layer;
  const ingress = new IngressMap(compiled, settings.mode, layer);
  const hasher = hasherOf(settings);
  const nat = correctionNat(settings.policy.nat);
  const balancer = new ServerBalancer(settings.policy.logicalServers ?? []);
  const group = new SimulatedGroup(
    settings.members,
    later,
    settings.strategy,
    settings.tableSize,
    hasher,
    layer,
    ingress,
    compiled,
    hasRules(settings.policy),
    nat.rules,
    capacity,
    balancer.active ? balancer.translate : undefined,
  );
  return { compiled, layer, ingress, hasher, nat, group, balancer };
}
