import { parseProtocol } from '@maestro/hash';
import * as v from 'valibot';
import { parseCidr } from './cidr.js';
import { HIDE_PORT_MAX, HIDE_PORT_MIN } from './nat-checks.js';
import { parseRange } from './range.js';

// The shape of a configuration file, checked by valibot. Every schema carries the text that says
// what is allowed in its place: that text becomes the `expected` of an issue.

const MODE_TEXT = "one of 'user', 'network', 'general', 'five-tuple'";
const ZONE_TEXT = "'internal' or 'external'";
const SYNC_TEXT = "one of 'none', 'backup', 'all'";

function failure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function accepts<T>(parse: (value: T) => unknown): (value: T) => boolean {
  return (value) => {
    try {
      parse(value);
      return true;
    } catch {
      return false;
    }
  };
}

/** The reason `parse` refuses `value`, as the issue's `expected`. */
function refusal<T>(parse: (value: T) => unknown): (issue: v.CheckIssue<T>) => string {
  return (issue) => {
    try {
      parse(issue.input);
      return 'a valid value';
    } catch (error) {
      return failure(error);
    }
  };
}

/** A strict mapping whose issues name the keys allowed. */
export function strict<T extends v.ObjectEntries>(
  entries: T,
): v.StrictObjectSchema<T, v.ErrorMessage<v.StrictObjectIssue>> {
  const keys = Object.keys(entries).join(', ');
  return v.strictObject(entries, (issue) =>
    issue.expected === 'never'
      ? `only the keys ${keys}`
      : issue.received === 'undefined'
        ? `the required key ${issue.expected}`
        : `a mapping with the keys ${keys}`,
  );
}

const name = v.pipe(v.string('a name (text)'), v.nonEmpty('a non-empty name'));
const mode = v.picklist(['user', 'network', 'general', 'five-tuple'], MODE_TEXT);
const zone = v.picklist(['internal', 'external'], ZONE_TEXT);

function rangeOf(min: number, max: number, what: string) {
  const parse = (value: number | string): unknown => parseRange(value, min, max, what);
  return v.pipe(
    v.union([v.number(), v.string()], `a ${what} ${min}..${max} or a range like '${min}-${max}'`),
    v.check(accepts(parse), refusal(parse)),
  );
}

const cidr = v.pipe(
  v.string('an address block like 10.0.0.0/8 or 2001:db8::/32'),
  v.check(accepts(parseCidr), refusal(parseCidr)),
);

const parseProto = (value: number | string): unknown => {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0 || value > 255) throw new Error('a protocol number 0..255');
    return value;
  }
  return parseProtocol(value);
};
const protocol = v.pipe(
  v.union([v.number(), v.string()], 'a protocol name (tcp, udp, icmp, ...) or number 0..255'),
  v.check(accepts(parseProto), refusal(parseProto)),
);

function list<T extends v.GenericSchema>(item: T, what: string) {
  return v.optional(v.array(item, `a list of ${what}`));
}

const vlanId = v.pipe(
  v.number('a VLAN ID 1..4094'),
  v.integer('a VLAN ID 1..4094 (an integer)'),
  v.minValue(1, 'a VLAN ID 1..4094'),
  v.maxValue(4094, 'a VLAN ID 1..4094'),
);

const vlanSchema = strict({ id: vlanId, zone: v.optional(zone), mode: v.optional(mode) });

/** One interface as written. */
export const interfaceSchema: v.GenericSchema<unknown, RawInterface> = strict({
  name,
  zone,
  mode: v.optional(mode),
  vlans: list(vlanSchema, 'VLANs'),
});

const topologySchema = strict({
  mode: v.optional(v.picklist(['auto', 'general'], "'auto' or 'general'")),
  layer: v.optional(v.picklist(['l3', 'l4'], "'l3' or 'l4'")),
  interfaces: list(v.unknown(), 'interfaces'),
});

const matchSchema = strict({
  interfaces: list(name, 'interface names'),
  vlans: list(rangeOf(1, 4094, 'VLAN ID'), 'VLAN IDs or ranges'),
  source: list(cidr, 'address blocks'),
  destination: list(cidr, 'address blocks'),
  protocols: list(protocol, 'protocols'),
  sourcePorts: list(rangeOf(0, 65535, 'port'), 'ports or port ranges'),
  destinationPorts: list(rangeOf(0, 65535, 'port'), 'ports or port ranges'),
});

const actionSchema = strict({
  mode: v.optional(mode),
  members: list(name, 'member ids'),
  management: v.optional(v.literal(true, 'true (send to the management member)')),
  sync: v.optional(v.picklist(['none', 'backup', 'all'], SYNC_TEXT)),
});

/** One rule as written. */
export const ruleSchema: v.GenericSchema<unknown, RawRule> = strict({
  name: v.optional(name),
  match: v.optional(matchSchema),
  action: actionSchema,
});

const hideSchema = strict({
  type: v.literal('hide', "'hide' or 'static'"),
  name: v.optional(name),
  source: v.array(cidr, 'a list of address blocks'),
  destination: list(cidr, 'address blocks'),
  address: cidr,
  ports: v.optional(rangeOf(HIDE_PORT_MIN, HIDE_PORT_MAX, 'port')),
});

const staticSchema = strict({
  type: v.literal('static', "'hide' or 'static'"),
  name: v.optional(name),
  original: cidr,
  translated: cidr,
});

/** One NAT rule as written. */
export const natSchema: v.GenericSchema<unknown, RawNat> = v.variant(
  'type',
  [hideSchema, staticSchema],
  "'hide' or 'static'",
);

/** The top level of a configuration file; list items are checked one by one with the schemas above. */
export const rootSchema: v.GenericSchema<unknown, RawRoot> = strict({
  version: v.optional(v.literal(1, '1 (the only format version)')),
  topology: v.optional(topologySchema),
  rules: list(v.unknown(), 'rules'),
  nat: list(v.unknown(), 'NAT rules'),
  logicalServers: list(v.unknown(), 'logical servers'),
});

type RawMode = 'user' | 'network' | 'general' | 'five-tuple';

/** A port, VLAN or protocol entry as written. */
export type RawRange = number | string;

/** The top level as written. */
export interface RawRoot {
  version?: 1 | undefined;
  topology?:
    | {
        mode?: 'auto' | 'general' | undefined;
        layer?: 'l3' | 'l4' | undefined;
        interfaces?: unknown[] | undefined;
      }
    | undefined;
  rules?: unknown[] | undefined;
  nat?: unknown[] | undefined;
  logicalServers?: unknown[] | undefined;
}

/** An interface as written. */
export interface RawInterface {
  name: string;
  zone: 'internal' | 'external';
  mode?: RawMode | undefined;
  vlans?:
    | { id: number; zone?: 'internal' | 'external' | undefined; mode?: RawMode | undefined }[]
    | undefined;
}

/** A rule as written. */
export interface RawRule {
  name?: string | undefined;
  match?:
    | {
        interfaces?: string[] | undefined;
        vlans?: RawRange[] | undefined;
        source?: string[] | undefined;
        destination?: string[] | undefined;
        protocols?: RawRange[] | undefined;
        sourcePorts?: RawRange[] | undefined;
        destinationPorts?: RawRange[] | undefined;
      }
    | undefined;
  action: {
    mode?: RawMode | undefined;
    members?: string[] | undefined;
    management?: true | undefined;
    sync?: 'none' | 'backup' | 'all' | undefined;
  };
}

/** A NAT rule as written. */
export type RawNat =
  | {
      type: 'hide';
      name?: string | undefined;
      source: string[];
      destination?: string[] | undefined;
      address: string;
      ports?: RawRange | undefined;
    }
  | { type: 'static'; name?: string | undefined; original: string; translated: string };
