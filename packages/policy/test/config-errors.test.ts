import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatCidr,
  PolicyConfigError,
  parsePolicy,
  policyToConfig,
  printPolicy,
  validatePolicy,
} from '../src/index.js';
import { policy } from './arbitraries/policies.js';
import { cidr, hostCidr } from './arbitraries/universe.js';

type Json = Record<string, unknown>;

const TOPOLOGY = 'topology';

/** A corruption of a valid config and the path of the issue it must cause. */
interface Corruption {
  readonly name: string;
  apply(config: Json): string;
}

function push(config: Json, key: string, item: unknown): number {
  const list = (config[key] as unknown[] | undefined) ?? [];
  list.push(item);
  config[key] = list;
  return list.length - 1;
}

function set(target: Json, key: string, value: unknown, path: string): string {
  target[key] = value;
  return path;
}

/** A valid logical server that a corruption then breaks in one place (its name never repeats). */
const VIP = {
  name: '\u0000vip',
  address: '198.51.100.80',
  port: 80,
  method: 'round-robin',
  servers: [{ address: '10.9.0.1' }, { address: '10.9.0.2', port: 8080 }],
};

const anyRule = (match: Json, action: Json = { sync: 'none' }): Json => ({ match, action });

const CORRUPTIONS: readonly Corruption[] = [
  { name: 'unknown top-level key', apply: (c) => set(c, 'extra', 1, '$.extra') },
  { name: 'bad version', apply: (c) => set(c, 'version', 2, '$.version') },
  { name: 'bad layer', apply: (c) => set(c[TOPOLOGY] as Json, 'layer', 'l7', '$.topology.layer') },
  {
    name: 'bad zone',
    apply: (c) => {
      const t = c[TOPOLOGY] as Json;
      const i = push(t, 'interfaces', { name: '\u0000bad zone', zone: 'sideways' });
      return `$.topology.interfaces[${i}].zone`;
    },
  },
  {
    name: 'host bits set',
    apply: (c) => `$.rules[${push(c, 'rules', anyRule({ source: ['10.0.0.1/8'] }))}].match.source[0]`,
  },
  {
    name: 'port out of range',
    apply: (c) =>
      `$.rules[${push(c, 'rules', anyRule({ destinationPorts: ['80', 70000] }))}].match.destinationPorts[1]`,
  },
  {
    name: 'unknown protocol',
    apply: (c) => `$.rules[${push(c, 'rules', anyRule({ protocols: ['tcpx'] }))}].match.protocols[0]`,
  },
  { name: 'empty action', apply: (c) => `$.rules[${push(c, 'rules', anyRule({}, {}))}].action` },
  {
    name: 'members and management',
    apply: (c) => `$.rules[${push(c, 'rules', anyRule({}, { members: ['a'], management: true }))}].action`,
  },
  {
    name: 'undeclared interface',
    apply: (c) =>
      `$.rules[${push(c, 'rules', anyRule({ interfaces: ['\u0000undeclared'] }))}].match.interfaces[0]`,
  },
  {
    name: 'static NAT of unequal lengths',
    apply: (c) =>
      `$.nat[${push(c, 'nat', { type: 'static', original: '10.0.0.0/24', translated: '192.0.2.0/25' })}].translated`,
  },
  {
    name: 'hide NAT with a destination of another family',
    apply: (c) =>
      `$.nat[${push(c, 'nat', { type: 'hide', source: ['10.0.0.0/8'], destination: ['192.0.2.0/24', '2001:db8::/32'], address: '198.51.100.7' })}].destination[1]`,
  },
  { name: 'unknown NAT type', apply: (c) => `$.nat[${push(c, 'nat', { type: 'dynamic' })}].type` },
  {
    name: 'logical server with a block for an address',
    apply: (c) =>
      `$.logicalServers[${push(c, 'logicalServers', { ...VIP, address: '192.0.2.0/24' })}].address`,
  },
  {
    name: 'logical server without real servers',
    apply: (c) => `$.logicalServers[${push(c, 'logicalServers', { ...VIP, servers: [] })}].servers`,
  },
  {
    name: 'logical server with an unknown method',
    apply: (c) => `$.logicalServers[${push(c, 'logicalServers', { ...VIP, method: 'fastest' })}].method`,
  },
  {
    name: 'real server of another family',
    apply: (c) =>
      `$.logicalServers[${push(c, 'logicalServers', { ...VIP, servers: [{ address: '2001:db8::1' }] })}].servers[0].address`,
  },
  {
    name: 'real server listed twice',
    apply: (c) =>
      `$.logicalServers[${push(c, 'logicalServers', {
        ...VIP,
        servers: [
          { address: '10.9.0.1', port: 8080 },
          { address: '10.9.0.1', port: 8080 },
        ],
      })}].servers[1]`,
  },
  {
    name: 'VLAN listed twice',
    apply: (c) => {
      const t = c[TOPOLOGY] as Json;
      const vlans = [
        { id: 7, zone: 'internal' },
        { id: 7, zone: 'external' },
      ];
      const i = push(t, 'interfaces', { name: '\u0000dup vlan', zone: 'external', vlans });
      return `$.topology.interfaces[${i}].vlans[1].id`;
    },
  },
  {
    name: 'empty member list',
    apply: (c) => `$.rules[${push(c, 'rules', anyRule({}, { members: [] }))}].action.members`,
  },
  {
    name: 'member listed twice',
    apply: (c) => `$.rules[${push(c, 'rules', anyRule({}, { members: ['a', 'b', 'a'] }))}].action.members`,
  },
  {
    name: 'two logical servers on one address, protocol and port',
    apply: (c) => {
      push(c, 'logicalServers', { ...VIP, name: '\u0000vip one', address: '198.51.100.81' });
      return `$.logicalServers[${push(c, 'logicalServers', { ...VIP, name: '\u0000vip two', address: '198.51.100.81' })}]`;
    },
  },
];

function refusal(run: () => unknown): PolicyConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof PolicyConfigError) return error;
    throw error;
  }
  throw new Error('the invalid config produced a policy');
}

describe('configuration errors', () => {
  it('should never produce a partial policy from an invalid config, and report every corruption at once', () => {
    fc.assert(
      fc.property(
        policy(4),
        fc.uniqueArray(fc.constantFrom(...CORRUPTIONS), { minLength: 1, maxLength: 5 }),
        (p, corruptions) => {
          const config = JSON.parse(JSON.stringify(policyToConfig(p))) as Json;
          const paths = corruptions.map((c) => c.apply(config));
          const error = refusal(() => validatePolicy(config, { file: 'bad.json' }));
          const reported = error.issues.map((i) => i.path);
          for (const path of paths) expect(reported).toContain(path);
          for (const issue of error.issues) expect(issue.file).toBe('bad.json');
        },
      ),
    );
  });

  it('should locate every issue of a YAML file by line and column', () => {
    fc.assert(
      fc.property(policy(4), fc.constantFrom(...CORRUPTIONS), (p, corruption) => {
        const config = JSON.parse(JSON.stringify(policyToConfig(p))) as Json;
        corruption.apply(config);
        const text =
          printPolicy(validatePolicy(policyToConfig(p))).length > 0 ? JSON.stringify(config, null, 2) : '';
        const error = refusal(() => parsePolicy('bad.yaml', text, { format: 'yaml' }));
        for (const issue of error.issues) {
          expect(issue.line).toBeGreaterThanOrEqual(1);
          expect(issue.column).toBeGreaterThanOrEqual(1);
        }
      }),
    );
  });

  it('should refuse any text with a PolicyConfigError or accept it, never throw anything else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.constantFrom('p.yaml', 'p.json'), (text, file) => {
        try {
          parsePolicy(file, text);
        } catch (error) {
          expect(error).toBeInstanceOf(PolicyConfigError);
          expect((error as PolicyConfigError).issues.length).toBeGreaterThan(0);
        }
      }),
    );
  });

  it('should refuse any value with a PolicyConfigError or accept it, never throw anything else', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        try {
          validatePolicy(value);
        } catch (error) {
          expect(error).toBeInstanceOf(PolicyConfigError);
        }
      }),
    );
  });

  it('should refuse mangled printouts with a PolicyConfigError or accept them', () => {
    fc.assert(
      fc.property(policy(4), fc.nat(), fc.string({ maxLength: 4 }), (p, at, junk) => {
        const text = printPolicy(p);
        const cut = at % (text.length + 1);
        try {
          parsePolicy('p.yaml', text.slice(0, cut) + junk + text.slice(cut + 1));
        } catch (error) {
          expect(error).toBeInstanceOf(PolicyConfigError);
        }
      }),
    );
  });

  it('should name the file, line, column, path, what was found and what is allowed (YAML)', () => {
    const text = [
      'topology:',
      '  interfaces:',
      '    - name: eth1',
      '      zone: sideways',
      'rules:',
      '  - match: { source: [10.0.0.1/8] }',
      '    action: { sync: sometimes }',
      '',
    ].join('\n');
    const error = refusal(() => parsePolicy('policy.yaml', text));
    expect(error.issues).toHaveLength(3);
    const [zone, cidr, sync] = error.issues;
    expect(zone).toMatchObject({
      file: 'policy.yaml',
      line: 4,
      column: 13,
      path: '$.topology.interfaces[0].zone',
      found: '"sideways"',
    });
    expect(zone?.expected).toContain("'internal' or 'external'");
    expect(cidr).toMatchObject({ line: 6, column: 23, path: '$.rules[0].match.source[0]' });
    expect(cidr?.expected).toContain('10.0.0.0/8');
    expect(sync).toMatchObject({ line: 7, path: '$.rules[0].action.sync', found: '"sometimes"' });
    expect(error.message).toContain('policy.yaml:4:13: $.topology.interfaces[0].zone: found "sideways"');
  });

  it('should name the JSON path and position of an issue in a JSON file', () => {
    const text =
      '{\n  "rules": [\n    { "action": { "sync": "none" }, "match": { "vlans": [5000] } }\n  ]\n}\n';
    const error = refusal(() => parsePolicy('policy.json', text));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ path: '$.rules[0].match.vlans[0]', found: '5000', line: 3 });
  });

  it('should report a JSON syntax error with its position', () => {
    const error = refusal(() => parsePolicy('policy.json', '{\n  "rules": [,]\n}'));
    expect(error.issues[0]?.expected).toBe('well-formed JSON');
    expect(error.issues[0]?.line).toBe(2);
  });

  it('should report unknown keys at the key and missing keys at their parent', () => {
    const text = 'rules:\n  - match: {}\n    acton: { sync: none }\n';
    const error = refusal(() => parsePolicy('p.yaml', text));
    const paths = error.issues.map((i) => `${i.path}@${i.line}:${i.column}`);
    expect(paths).toEqual(['$.rules[0]@2:5', '$.rules[0].acton@3:5']);
  });
  it('should refuse a key repeated in one JSON object as the YAML reading does, not keep the last', () => {
    const text = '{\n  "rules": [\n    { "action": { "sync": "none", "sync": "all" } }\n  ]\n}\n';
    const error = refusal(() => parsePolicy('policy.json', text));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({
      line: 3,
      column: 35,
      expected: 'well-formed JSON with each key once per object',
    });
    refusal(() => parsePolicy('policy.yaml', text));
  });
  it('should refuse a hide NAT rule exactly at each destination block of another family than its address', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<4 | 6>(4, 6).chain((family) =>
          fc.tuple(
            hostCidr(family),
            fc.array(
              cidr.filter((c) => c.family === family),
              { minLength: 1, maxLength: 2 },
            ),
            fc.array(cidr, { maxLength: 4 }),
          ),
        ),
        ([address, source, destination]) => {
          const config = {
            nat: [
              {
                type: 'hide',
                source: source.map(formatCidr),
                destination: destination.map(formatCidr),
                address: formatCidr(address),
              },
            ],
          };
          const expected = destination.flatMap((d, i) =>
            d.family === address.family ? [] : [`$.nat[0].destination[${i}]`],
          );
          if (expected.length === 0) {
            expect(validatePolicy(config).nat[0]).toMatchObject({ kind: 'hide', destination });
          } else {
            expect(refusal(() => validatePolicy(config)).issues.map((i) => i.path)).toEqual(expected);
          }
        },
      ),
    );
  });
  it('should refuse a hide NAT destination of another family than its address and sources, at its line and column', () => {
    const text = [
      'nat:',
      '  - type: hide',
      '    source: [10.0.0.0/8]',
      '    destination: [192.0.2.0/24, "2001:db8::/32"]',
      '    address: 198.51.100.7',
      '  - { type: hide, source: ["fd00::/8"], destination: [203.0.113.0/24], address: "2001:db8::7" }',
      '',
    ].join('\n');
    const error = refusal(() => parsePolicy('policy.yaml', text));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.issues).toHaveLength(2);
    expect(error.issues[0]).toMatchObject({
      line: 4,
      column: 33,
      path: '$.nat[0].destination[1]',
      found: 'an IPv6 block',
      expected: 'IPv4 blocks, like the hiding address and the sources',
    });
    expect(error.issues[1]).toMatchObject({
      line: 6,
      path: '$.nat[1].destination[0]',
      found: 'an IPv4 block',
      expected: 'IPv6 blocks, like the hiding address and the sources',
    });
  });
  it('should fill the documented defaults of hide NAT and logical servers', () => {
    const p = parsePolicy(
      'p.yaml',
      [
        'nat:',
        '  - { type: hide, source: [10.0.0.0/8], address: 192.0.2.1 }',
        'logicalServers:',
        '  - { name: web, address: 192.0.2.80, port: 80, method: random, servers: [{ address: 10.9.0.1 }] }',
        '',
      ].join('\n'),
    );
    expect(p.nat[0]).toMatchObject({ kind: 'hide', destination: [], ports: { from: 1024, to: 65535 } });
    expect(p.logicalServers?.[0]).toMatchObject({
      protocol: 6,
      persistency: 'none',
      persistencyTimeout: 1800,
    });
  });
});
