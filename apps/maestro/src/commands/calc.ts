import { Decision, type Packet, REASON_NAMES } from '@maestro/correction';
import {
  copyFlowKey,
  createFlowKey,
  flowKeyEquals,
  formatFlow,
  HashError,
  IpProtocol,
  parseFlow,
  reverseFlowKey,
} from '@maestro/hash';
import type { Command } from '../cli/command.js';
import { CliError } from '../cli/errors.js';
import { flag, integerValue, parseCommandArgs, stringOption, stringsOption } from '../cli/options.js';
import { createStyle } from '../cli/style.js';
import { buildGroup, GROUP_FLAGS, groupFlags } from '../simulation/group-setup.js';
import { resolveSettings } from '../simulation/settings.js';
import { VLANS_PER_INTERFACE } from '../simulation/topology.js';

const HELP = `maestro calc "<proto> <src>:<sport> -> <dst>:<dport>" [group options]

Like the vendor's distribution calculator: which member receives the packet, which member owns
the connection, where the reply lands (after NAT), whether the correction layer must forward it,
and which member backs the connection up (HyperSync).

The packet enters the first internal interface/VLAN of the topology unless --interface or --vlan
says otherwise; the reply comes back through the other side.

Options:
  --members N|LIST   sgm1..sgmN, or sgm1=100,sgm2=300,... (default 4)
  --mode MODE        auto, general, user, network (default auto)
  --l3, --l4         Layer-3 or Layer-4 distribution
  --table-size N     table buckets, a prime (default 65537)
  --strategy S       rebalance or maglev
  --topology FILE    topology file; --policy FILE rules and NAT; --nat FILE NAT rules
  --scenario FILE    take the group from a simulate scenario file
  --interface NAME   the interface the packet enters
  --vlan N           the VLAN it enters on (0: untagged)
  --hash H           toeplitz, symmetric, keyed:<16 hex digits>
  --json             machine-readable output
  -h, --help         this text

Examples:
  maestro calc "tcp 10.0.0.1:40000 -> 192.0.2.7:443"
  maestro calc "udp [2001:db8::1]:5353 -> [2001:db8::2]:53" --members 8 --mode general --json
  maestro calc "tcp 198.18.0.9:50000 -> 203.0.113.5:443" --scenario samples/default-scenario.yaml
`;

/** `maestro calc`: the distribution calculator. */
export const calcCommand: Command = {
  name: 'calc',
  summary: 'which member gets a flow in each direction, its owner, backup and correction',
  help: HELP,
  async run(argv, io) {
    const parsed = parseCommandArgs('calc', argv, {
      ...GROUP_FLAGS,
      interface: { type: 'string' },
      vlan: { type: 'string' },
    });
    if (stringsOption(parsed, 'event').length > 0)
      throw new CliError('calc: --event applies to simulate only');
    if (parsed.positionals.length !== 1) {
      throw new CliError('calc: expected one flow, e.g. maestro calc "tcp 10.0.0.1:1234 -> 192.0.2.7:443"');
    }
    let key: ReturnType<typeof parseFlow>;
    try {
      key = parseFlow(parsed.positionals[0] as string);
    } catch (error) {
      if (error instanceof HashError) throw new CliError(`calc: ${error.message}`);
      throw error;
    }
    const settings = resolveSettings(groupFlags(parsed, undefined));
    const { compiled, layer, ingress: ingressMap, group } = buildGroup(settings, [], 16);
    const topology = settings.policy.topology;
    let ingress = ingressMap.defaultOutbound(topology);
    const ifaceName = stringOption(parsed, 'interface');
    const vlanText = stringOption(parsed, 'vlan');
    if (ifaceName !== undefined || vlanText !== undefined) {
      const iface =
        ifaceName === undefined ? ingressMap.interfaceOf(ingress) : compiled.interfaceIndex(ifaceName);
      if (iface < 0) {
        throw new CliError(
          `calc: the topology has no interface ${JSON.stringify(ifaceName)} (${topology.interfaces.map((i) => i.name).join(', ')})`,
        );
      }
      const vlan =
        vlanText === undefined ? ingress % VLANS_PER_INTERFACE : integerValue(vlanText, '--vlan', 0, 4094);
      ingress = ingressMap.ingressOf(iface, vlan);
    }

    const landing = group.distribute(key, ingress);
    const packet: Packet = {
      key,
      ingress,
      ipId: 1,
      moreFragments: false,
      tcpFlags: key.protocol === IpProtocol.TCP ? 0x02 : 0,
      bytes: 64,
      embedded: null,
      hops: 0,
    };
    group.enter(ingress);
    let owner = landing;
    for (let hop = 0; hop < 3; hop++) {
      const engine = group.engines[owner];
      const d = engine?.decide(packet, 0);
      if (d === Decision.FORWARD && engine !== undefined) {
        owner = engine.lastTarget;
        packet.hops++;
        continue;
      }
      break;
    }
    const translated = createFlowKey();
    if (!group.engines[owner]?.translation(key, translated)) copyFlowKey(key, translated);
    const natted = !flowKeyEquals(translated, key);
    const reply = reverseFlowKey(translated, createFlowKey());
    const replyIngress = ingressMap.replyIngress(translated, ingress);
    const target = group.distribute(reply, replyIngress);
    const backup = group.backupOf(key, target, owner);
    const id = (m: number): string => group.ids[m] ?? `member ${m}`;
    const modeOf = (ing: number): string => ingressMap.ingresses[ing]?.mode ?? 'general';
    const result = {
      flow: formatFlow(key),
      ingress: { name: ingressMap.describe(topology, ingress), mode: modeOf(ingress), layer },
      receivedBy: id(landing),
      owner: id(owner),
      translated: natted ? formatFlow(translated) : null,
      reply: {
        flow: formatFlow(reply),
        ingress: { name: ingressMap.describe(topology, replyIngress), mode: modeOf(replyIngress), layer },
        receivedBy: id(target),
      },
      correction: {
        needed: target !== owner,
        reason: target === owner ? null : natted ? REASON_NAMES[1] : REASON_NAMES[2],
        forwarder: target === owner ? null : id(target),
      },
      backup: backup < 0 ? null : id(backup),
    };
    if (flag(parsed, 'json')) {
      io.out(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    }
    const st = createStyle(io.color);
    const lines = [
      st.bold(result.flow),
      `  enters      ${result.ingress.name} (${result.ingress.mode}, ${layer}) -> ${st.bold(result.receivedBy)}`,
      `  owner       ${st.bold(result.owner)}`,
      ...(result.translated === null ? [] : [`  translated  ${result.translated}`]),
      `  reply       ${result.reply.flow}`,
      `              enters ${result.reply.ingress.name} (${result.reply.ingress.mode}, ${layer}) -> ${st.bold(result.reply.receivedBy)}`,
      `  correction  ${
        result.correction.needed
          ? st.yellow(
              `needed: ${result.correction.forwarder} forwards the reply to ${result.owner} (${result.correction.reason})`,
            )
          : st.green('none: both directions reach the owner')
      }`,
      `  backup      ${result.backup ?? 'none (a single member)'}${result.correction.needed && result.backup === result.correction.forwarder ? ' (the correction target)' : ''}`,
    ];
    io.out(`${lines.join('\n')}\n`);
    return 0;
  },
};
