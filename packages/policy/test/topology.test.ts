import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { autoMode, compilePolicy, type Policy, parsePolicy, topologyMode } from '../src/index.js';
import { interfaces, policy } from './arbitraries/policies.js';

function stripModes(p: Policy): Policy {
  return {
    ...p,
    topology: {
      ...p.topology,
      mode: 'auto',
      interfaces: p.topology.interfaces.map(({ mode: _, ...i }) => ({
        ...i,
        vlans: i.vlans.map(({ mode: __, ...v }) => v),
      })),
    },
  };
}

describe('topology', () => {
  it('should give internal -> user and external -> network under auto-topology', () => {
    fc.assert(
      fc.property(policy(0), (raw) => {
        const p = stripModes(raw);
        p.topology.interfaces.forEach((iface, i) => {
          expect(topologyMode(p.topology, i, 0)).toBe(autoMode(iface.zone));
          for (const vlan of iface.vlans)
            expect(topologyMode(p.topology, i, vlan.id)).toBe(autoMode(vlan.zone));
        });
      }),
    );
  });

  it('should use general on every interface without an explicit mode in a General group', () => {
    fc.assert(
      fc.property(interfaces, (ifaces) => {
        const topology = { mode: 'general' as const, layer: 'l4' as const, interfaces: ifaces };
        ifaces.forEach((iface, i) => {
          expect(topologyMode(topology, i, 0)).toBe(iface.mode ?? 'general');
          for (const v of iface.vlans)
            expect(topologyMode(topology, i, v.id)).toBe(v.mode ?? iface.mode ?? 'general');
        });
      }),
    );
  });

  it('should make the compiled topology mode agree with topologyMode', () => {
    fc.assert(
      fc.property(
        policy(0),
        fc.integer({ min: -1, max: 5 }),
        fc.integer({ min: 0, max: 4095 }),
        (p, i, vlan) => {
          const c = compilePolicy(p);
          expect(c.topologyMode(i, vlan)).toBe(topologyMode(p.topology, i, vlan));
          const v = p.topology.interfaces[i]?.vlans[0]?.id;
          if (v !== undefined) expect(c.topologyMode(i, v)).toBe(topologyMode(p.topology, i, v));
        },
      ),
    );
  });

  it('should let an explicit VLAN mode win over the interface, and the interface over the group', () => {
    const p = parsePolicy(
      't.yaml',
      `topology:
  mode: general
  interfaces:
    - name: eth1
      zone: internal
      mode: user
      vlans: [{ id: 10, zone: external, mode: five-tuple }, { id: 20, zone: external }]
    - { name: eth2, zone: external }
`,
    );
    expect(topologyMode(p.topology, 0, 10)).toBe('five-tuple');
    expect(topologyMode(p.topology, 0, 20)).toBe('user');
    expect(topologyMode(p.topology, 0, 0)).toBe('user');
    expect(topologyMode(p.topology, 1, 0)).toBe('general');
    expect(topologyMode(p.topology, -1, 0)).toBe('general');
  });
});
