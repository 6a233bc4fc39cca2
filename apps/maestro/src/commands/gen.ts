import { generateCaptureFile } from '@maestro/pcap/node';
import type { Command } from '../cli/command.js';
import { CliError } from '../cli/errors.js';
import { flag, integerValue, numberValue, parseCommandArgs, stringOption } from '../cli/options.js';
import { formatCount } from '../report/text-table.js';

const HELP = `maestro gen --packets N --flows F [--seed S] [--ipv6 SHARE] [--nat] [--snaplen N] [--rate PPS] -o FILE

Writes a synthetic capture, the same bytes for the same options and seed: Zipf-popular flows
of heavy-tailed length in both directions, TCP handshakes and closes, UDP (some fragmented,
some answered by ICMP port-unreachable), ICMP echo, an IPv6 share. Client-to-server packets
carry VLAN 100 (internal side), replies VLAN 200 (external side). With --nat, 30 % of the
IPv4 clients sit on a private network, 10.0.0.0/16, that the group is to hide behind NAT. The
capture shows the traffic as the endpoints see it, replies to the private address, as
"maestro simulate" takes it: simulate it with a hide NAT rule for 10.0.0.0/16 (see below), and
the group translates those clients and corrects their replies.
A FILE ending in .pcapng is written as pcapng, anything else as classic pcap.

Options:
  --packets N     packets to write (1..1000000000)
  --flows F       concurrent flow slots (1..10000000)
  --seed S        seed (default 1)
  --ipv6 SHARE    share of IPv6 connections, 0..1 (default 0.2)
  --nat           put 30 % of the IPv4 clients on 10.0.0.0/16, to be hidden by NAT
  --snaplen N     cut packets to N bytes, keeping their length on the wire (64..262144)
  --rate PPS      mean packet rate that spaces the timestamps (default 100000)
  -o, --output    the capture file to write
  -h, --help      this text

Examples:
  maestro gen --packets 100000 --flows 5000 --seed 7 -o /tmp/trace.pcap
  maestro gen --packets 1000000 --flows 50000 --ipv6 0.5 --nat -o big.pcapng
  maestro gen --packets 20000 --flows 1000 --nat -o nat.pcap
  echo 'nat: [{ type: hide, source: [10.0.0.0/16], address: 192.0.2.1 }]' > nat.yaml
  maestro simulate nat.pcap --nat nat.yaml
`;

/** `maestro gen`: the traffic generator. */
export const genCommand: Command = {
  name: 'gen',
  summary: 'generate a synthetic capture (deterministic by seed)',
  help: HELP,
  async run(argv, io) {
    const parsed = parseCommandArgs('gen', argv, {
      packets: { type: 'string' },
      flows: { type: 'string' },
      seed: { type: 'string' },
      ipv6: { type: 'string' },
      nat: { type: 'boolean' },
      output: { type: 'string', short: 'o' },
      snaplen: { type: 'string' },
      rate: { type: 'string' },
    });
    if (parsed.positionals.length > 0)
      throw new CliError(`gen: unexpected argument ${JSON.stringify(parsed.positionals[0])}`);
    const required = (name: string): string => {
      const value = stringOption(parsed, name);
      if (value === undefined) throw new CliError(`gen: --${name} is required (see maestro gen --help)`);
      return value;
    };
    const packets = integerValue(required('packets'), '--packets', 1, 1_000_000_000);
    const flows = integerValue(required('flows'), '--flows', 1, 10_000_000);
    const output = stringOption(parsed, 'output');
    if (output === undefined) throw new CliError('gen: -o FILE is required (see maestro gen --help)');
    const seedText = stringOption(parsed, 'seed');
    const ipv6Text = stringOption(parsed, 'ipv6');
    const seed = seedText === undefined ? 1 : integerValue(seedText, '--seed', 0, 0xffff_ffff);
    const ipv6Share = ipv6Text === undefined ? 0.2 : numberValue(ipv6Text, '--ipv6', 0, 1);
    const snaplenText = stringOption(parsed, 'snaplen');
    const rateText = stringOption(parsed, 'rate');
    const packetsPerSecond = rateText === undefined ? 100_000 : numberValue(rateText, '--rate', 1, 1e9);
    const snaplen = snaplenText === undefined ? 262_144 : integerValue(snaplenText, '--snaplen', 64, 262_144);

    let summary: ReturnType<typeof generateCaptureFile>;
    try {
      summary = generateCaptureFile(
        output,
        {
          packets,
          flows,
          seed,
          ipv6Share,
          packetsPerSecond,
          natShare: flag(parsed, 'nat') ? 0.3 : 0,
          // simulate applies NAT itself: replies already sent to a public address found no connection.
          natView: 'endpoints',
        },
        output.endsWith('.pcapng')
          ? { format: 'pcapng', interfaces: [{ snaplen }] }
          : { format: 'pcap', snaplen },
      );
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (typeof code === 'string') throw new CliError(`${output}: cannot write (${code})`, 1);
      throw error;
    }
    io.err(
      `wrote ${output}: ${formatCount(summary.packets)} packets, ${formatCount(summary.connections)} connections\n`,
    );
    return 0;
  },
};
