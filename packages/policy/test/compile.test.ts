import { parseFlow } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy, matchLinear, type Policy, PolicyError, parsePolicy } from '../src/index.js';
import { packet } from './arbitraries/packets.js';
import { policy } from './arbitraries/policies.js';

const EXAMPLE = `
topology:
  layer: l4
  interfaces:
    - { name: eth1-01, zone: internal }
    - { name: eth1-02, zone: external, vlans: [{ id: 100, zone: internal }] }
rules:
  - name: dns
    match: { protocols: [udp], destinationPorts: [53] }
    action: { sync: none }
  - name: mgmt
    match: { source: [10.0.0.0/8, "2001:db8::/32"], destinationPorts: [22] }
    action: { management: true, sync: all }
  - name: voip
    match: { interfaces: [eth1-02], protocols: [udp], sourcePorts: [5060-5061] }
    action: { members: [sgm1-1, sgm1-2], mode: general }
`;

describe('compilePolicy', () => {
  it('should agree with the naive first-match evaluator on random rules and packets', () => {
    fc.assert(
      fc.property(policy(16), fc.array(packet, { minLength: 1, maxLength: 40 }), (p, packets) => {
        const compiled = compilePolicy(p);
        for (const { key, iface, vlan } of packets) {
          expect(compiled.match(key, iface, vlan)).toBe(matchLinear(p, key, iface, vlan));
        }
      }),
    );
  });

  it('should agree with the naive evaluator on up to 120 rules, where the tree splits deep', () => {
    fc.assert(
      fc.property(policy(120), fc.array(packet, { minLength: 1, maxLength: 20 }), (p, packets) => {
        const compiled = compilePolicy(p);
        for (const { key, iface, vlan } of packets) {
          expect(compiled.match(key, iface, vlan)).toBe(matchLinear(p, key, iface, vlan));
        }
      }),
      { numRuns: 30 },
    );
  });

  it('should return the first matching rule and its actions', () => {
    const compiled = compilePolicy(parsePolicy('example.yaml', EXAMPLE));
    const eth1 = compiled.interfaceIndex('eth1-01');
    const eth2 = compiled.interfaceIndex('eth1-02');
    const dns = compiled.match(parseFlow('udp 10.1.2.3:5353 -> 192.0.2.1:53'), eth1, 0);
    expect(dns).toBe(0);
    expect(compiled.syncOf(dns)).toBe('none');
    expect(compiled.modeOf(dns, eth1, 0)).toBe('user');
    const ssh = compiled.match(parseFlow('tcp [2001:db8::7]:40000 -> [2001:db9::1]:22'), eth2, 0);
    expect(ssh).toBe(1);
    expect(compiled.toManagement(ssh)).toBe(true);
    expect(compiled.syncOf(ssh)).toBe('all');
    const voip = compiled.match(parseFlow('udp 198.51.100.1:5061 -> 10.0.0.5:5060'), eth2, 100);
    expect(voip).toBe(2);
    expect(compiled.membersOf(voip)).toEqual(['sgm1-1', 'sgm1-2']);
    expect(compiled.modeOf(voip, eth2, 100)).toBe('general');
    // A field the winning rule leaves out takes its default.
    expect(compiled.syncOf(voip)).toBe('backup');
    expect(compiled.toManagement(voip)).toBe(false);
    expect(compiled.membersOf(dns)).toBeUndefined();
    expect(compiled.modeOf(ssh, eth2, 0)).toBe('network');
    const none = compiled.match(parseFlow('tcp 198.51.100.1:1 -> 10.0.0.5:80'), eth2, 100);
    expect(none).toBe(-1);
    expect(compiled.syncOf(none)).toBe('backup');
    expect(compiled.modeOf(none, eth2, 100)).toBe('user');
    expect(compiled.modeOf(none, eth2, 0)).toBe('network');
  });

  it('should not let port conditions match fragments or ICMP echo', () => {
    const compiled = compilePolicy(parsePolicy('example.yaml', EXAMPLE));
    expect(compiled.match(parseFlow('udp 10.1.2.3 -> 192.0.2.1 frag'), 0, 0)).toBe(-1);
    expect(compiled.match(parseFlow('icmp 10.1.2.3 -> 192.0.2.1 id 53'), 0, 0)).toBe(-1);
  });

  it('should refuse a hand-built policy whose ranges run backwards', () => {
    const p: Policy = {
      topology: { mode: 'auto', layer: 'l4', interfaces: [] },
      rules: [
        {
          match: {
            interfaces: [],
            vlans: [],
            source: [],
            destination: [],
            protocols: [],
            sourcePorts: [{ from: 10, to: 5 }],
            destinationPorts: [],
          },
          action: { sync: 'none' },
        },
      ],
      nat: [],
    };
    expect(() => compilePolicy(p)).toThrow(PolicyError);
  });
});
