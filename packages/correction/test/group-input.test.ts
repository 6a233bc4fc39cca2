import { TcpFlag } from '@maestro/flowtable';
import { createFlowKey, IpProtocol, PortKind, setFlowV4 } from '@maestro/hash';
import { describe, expect, it } from 'vitest';
import { type CorrectionConfig, Group, type Packet } from '../src/index.js';

const ifaces = [{ id: 0, mode: 'general', layer: 'l4' }] as const;
function cfg(members: number, extra: Partial<CorrectionConfig> = {}, pick = 0): CorrectionConfig {
  return { members, interfaces: ifaces, distribute: () => pick, route: () => 0, ...extra };
}
function syn(src: number, sport: number, flags: number = TcpFlag.SYN): Packet {
  return {
    key: setFlowV4(createFlowKey(), IpProtocol.TCP, src, 0xc0000201, sport, 80, PortKind.PORTS),
    ingress: 0,
    ipId: 0,
    moreFragments: false,
    tcpFlags: flags,
    bytes: 60,
    embedded: null,
    hops: 0,
  };
}

describe('Group.inject on garbage', () => {
  it('refuses a garbage packet or a bad distribution in Group.inject, and a member that is not one in Group.expect, with a CorrectionError', () => {
    const code = (run: () => unknown) => {
      try {
        run();
        return null;
      } catch (error) {
        return (error as { code?: string }).code ?? String(error);
      }
    };
    expect(code(() => new Group(cfg(2)).inject(null as unknown as Packet, 0))).toBe('INVALID_PACKET');
    expect(code(() => new Group(cfg(2, {}, 5)).inject(syn(0x0a000001, 1), 0))).toBe('BAD_DISTRIBUTION');
    const k = syn(0x0a000001, 1).key;
    for (const member of [2, -1, 0.5, null, '0', Object.create(null)]) {
      expect(code(() => new Group(cfg(2)).expect(member as number, k, k, 0))).toBe('UNKNOWN_MEMBER');
    }
  });
});
