import fc from 'fast-check';
import type { LogicalServerConfig, Policy, Rule, RuleAction } from '../../src/index.js';
import { logicalServer, policy } from './policies.js';
import { cidr, hostCidr, name } from './universe.js';

/** `list` with item `at` (modulo its length) changed by `change`; unchanged when empty. */
function change<T>(list: readonly T[], at: number, f: (item: T) => T): T[] {
  if (list.length === 0) return [...list];
  const i = at % list.length;
  return list.map((x, j) => (j === i ? f(x) : x));
}

type Corruption = (p: Policy, at: number, other: number) => Policy;

const withRules = (p: Policy, rules: Rule[]): Policy => ({ ...p, rules });
const withAction = (p: Policy, at: number, f: (a: RuleAction) => RuleAction): Policy =>
  withRules(
    p,
    change(p.rules, at, (r) => ({ ...r, action: f(r.action) })),
  );
const withServers = (p: Policy, f: (list: LogicalServerConfig[]) => LogicalServerConfig[]): Policy =>
  p.logicalServers === undefined ? p : { ...p, logicalServers: f([...p.logicalServers]) };
const withServer = (p: Policy, at: number, f: (s: LogicalServerConfig) => LogicalServerConfig): Policy =>
  withServers(p, (list) => change(list, at, f));

/**
 * Ways to break what the config loader checks beyond each value's shape (and a few shapes a
 * hand-built policy can get wrong): repeated names and ids, actions that say nothing or too much,
 * interfaces the topology lacks, logical servers of every kind of mistake. Some leave the policy
 * valid (a change to an empty list), which is the point: the property compares verdicts.
 */
const corruptions: fc.Arbitrary<Corruption>[] = [
  // a name used twice: interfaces, rules, logical servers
  fc.constant((p, at, other) => {
    const list = p.topology.interfaces;
    const source = list[other % Math.max(list.length, 1)];
    if (source === undefined) return p;
    const interfaces = change(list, at, (x) => ({ ...x, name: source.name }));
    return { ...p, topology: { ...p.topology, interfaces } };
  }),
  fc.constant((p, at) => {
    const interfaces = change(p.topology.interfaces, at, (x) => ({ ...x, vlans: [...x.vlans, ...x.vlans] }));
    return { ...p, topology: { ...p.topology, interfaces } };
  }),
  fc.constant((p, at, other) => {
    const source = p.rules[other % Math.max(p.rules.length, 1)];
    return withRules(
      p,
      change(p.rules, at, (r) => ({ ...r, name: source?.name ?? 'twice' })),
    );
  }),
  fc.constant((p, at, other) =>
    withServers(p, (list) => {
      const source = list[other % Math.max(list.length, 1)];
      return source === undefined ? list : change(list, at, (s) => ({ ...s, name: source.name }));
    }),
  ),
  fc.constant((p, at, other) =>
    withServers(p, (list) => {
      const source = list[other % Math.max(list.length, 1)];
      return source === undefined
        ? list
        : change(list, at, (s) => ({
            ...s,
            address: source.address,
            protocol: source.protocol,
            port: source.port,
          }));
    }),
  ),
  // actions
  fc.constant((p, at) =>
    withAction(p, at, (a) => ({ ...a, members: a.members ?? ['m1'], management: true })),
  ),
  fc.constant((p, at) => withAction(p, at, () => ({}))),
  fc.constant((p, at) => withAction(p, at, (a) => ({ ...a, members: [] }))),
  fc.constant((p, at) => withAction(p, at, (a) => ({ ...a, members: ['m1', ...(a.members ?? []), 'm1'] }))),
  fc.constant((p, at) => withAction(p, at, (a) => ({ ...a, members: [''] }))),
  // an interface the topology does not declare, and names that are empty
  name.map(
    (n): Corruption =>
      (p, at) =>
        withRules(
          p,
          change(p.rules, at, (r) => ({
            ...r,
            match: { ...r.match, interfaces: [...r.match.interfaces, n] },
          })),
        ),
  ),
  fc.constant((p, at) =>
    withRules(
      p,
      change(p.rules, at, (r) => ({ ...r, name: '' })),
    ),
  ),
  fc.constant((p, at) => {
    const interfaces = change(p.topology.interfaces, at, (x) => ({ ...x, name: '' }));
    return { ...p, topology: { ...p.topology, interfaces } };
  }),
  fc.integer({ min: -2, max: 4097 }).map(
    (id): Corruption =>
      (p, at) => {
        const interfaces = change(p.topology.interfaces, at, (x) => ({
          ...x,
          vlans: [{ id, zone: x.zone }],
        }));
        return { ...p, topology: { ...p.topology, interfaces } };
      },
  ),
  // logical servers: another family, a repeated or missing server, not a host, fields out of range
  logicalServer.map(
    (extra): Corruption =>
      (p) => ({ ...p, logicalServers: [...(p.logicalServers ?? []), extra] }),
  ),
  hostCidr(6).map(
    (h): Corruption =>
      (p, at) =>
        withServer(p, at, (s) => ({ ...s, servers: [...s.servers, { address: h }] })),
  ),
  fc.constant((p, at) => withServer(p, at, (s) => ({ ...s, servers: [...s.servers, ...s.servers] }))),
  fc.constant((p, at) => withServer(p, at, (s) => ({ ...s, servers: [] }))),
  cidr.map(
    (c): Corruption =>
      (p, at) =>
        withServer(p, at, (s) => ({ ...s, address: c })),
  ),
  cidr.map(
    (c): Corruption =>
      (p, at, other) =>
        withServer(p, at, (s) => ({
          ...s,
          servers: change(s.servers, other, (r) => ({ ...r, address: c })),
        })),
  ),
  fc.integer({ min: -1, max: 65_536 }).map(
    (port): Corruption =>
      (p, at) =>
        withServer(p, at, (s) => ({ ...s, port })),
  ),
  fc.integer({ min: -1, max: 65_536 }).map(
    (port): Corruption =>
      (p, at, other) =>
        withServer(p, at, (s) => ({ ...s, servers: change(s.servers, other, (r) => ({ ...r, port })) })),
  ),
  fc.constantFrom(0, -1, 6, 17, 1, 132).map(
    (protocol): Corruption =>
      (p, at) =>
        withServer(p, at, (s) => ({ ...s, protocol })),
  ),
  fc.constantFrom(0, -5, 0.25, Number.POSITIVE_INFINITY).map(
    (persistencyTimeout): Corruption =>
      (p, at) =>
        withServer(p, at, (s) => ({ ...s, persistencyTimeout })),
  ),
  fc.constant((p, at) => withServer(p, at, (s) => ({ ...s, name: '' }))),
];

/**
 * A valid policy with 0..3 of the corruptions above applied: a hand-built policy that the config
 * loader may or may not refuse once printed.
 */
export const corruptedPolicy: fc.Arbitrary<Policy> = fc
  .tuple(policy(4), fc.array(fc.tuple(fc.oneof(...corruptions), fc.nat(), fc.nat()), { maxLength: 3 }))
  .map(([p, steps]) => steps.reduce((q, [f, at, other]) => f(q, at, other), p));
