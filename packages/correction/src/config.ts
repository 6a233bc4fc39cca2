import { FlowTableError, resolveTimeouts, type Timeouts } from '@maestro/flowtable';
import { DISTRIBUTION_MODES } from '@maestro/hash';
import { CorrectionError, shown } from './errors.js';
import { type NatRule, validateNatRules } from './nat.js';
import type { CorrectionConfig, Distribute, Ingress, Route, Translate } from './types.js';

/** A {@link CorrectionConfig} with every default filled in and every field checked. */
export interface ResolvedConfig {
  readonly members: number;
  readonly capacity: number;
  readonly interfaces: readonly Ingress[];
  readonly distribute: Distribute;
  readonly route: Route;
  readonly nat: readonly NatRule[];
  readonly translate: Translate | null;
  readonly timeouts: Timeouts;
  readonly fragmentTimeout: number;
  readonly expectationTimeout: number;
}

function fail(message: string): CorrectionError {
  return new CorrectionError('INVALID_CONFIG', message);
}

/** Checks a config built from outside data; throws `INVALID_CONFIG` / `INVALID_NAT_RULE` naming the first bad field. */
export function validateConfig(config: CorrectionConfig): ResolvedConfig {
  if (typeof config !== 'object' || config === null) throw fail('config must be an object');
  const {
    members,
    capacity = 16,
    interfaces,
    distribute,
    route,
    nat = [],
    translate,
    fragmentTimeout = 30,
    expectationTimeout = 60,
  } = config;
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > 0xfffffe) {
    throw fail(`capacity must be an integer 1..16777214, got ${shown(capacity)}`);
  }
  if (!Number.isInteger(members) || members < 1 || members > 0xffff) {
    throw fail(`members must be an integer 1..65535, got ${shown(members)}`);
  }
  if (!Array.isArray(interfaces) || interfaces.length < 1 || interfaces.length > 0xffff) {
    throw fail('interfaces must be a list of 1..65535 ingress descriptions');
  }
  interfaces.forEach((ingress: unknown, i) => {
    const { id, mode, layer } = (ingress ?? {}) as Record<string, unknown>;
    if (
      !Number.isInteger(id) ||
      !DISTRIBUTION_MODES.includes(mode as never) ||
      (layer !== 'l3' && layer !== 'l4')
    ) {
      throw fail(
        `interface ${i} must be { id: integer, mode: ${DISTRIBUTION_MODES.join('|')}, layer: l3|l4 }`,
      );
    }
  });
  if (typeof distribute !== 'function' || typeof route !== 'function') {
    throw fail('distribute and route must be functions');
  }
  if (translate !== undefined && typeof translate !== 'function') {
    throw fail('translate must be a function when given');
  }
  for (const [name, value] of [
    ['fragmentTimeout', fragmentTimeout],
    ['expectationTimeout', expectationTimeout],
  ] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw fail(`${name} must be a finite number of seconds >= 0, got ${shown(value)}`);
    }
  }
  let timeouts: Timeouts;
  try {
    timeouts = resolveTimeouts(config.timeouts);
  } catch (error) {
    if (error instanceof FlowTableError) throw fail(error.message);
    throw error;
  }
  return {
    members,
    capacity,
    interfaces,
    distribute,
    route,
    nat: validateNatRules(nat, members),
    translate: translate ?? null,
    timeouts,
    fragmentTimeout,
    expectationTimeout,
  };
}
