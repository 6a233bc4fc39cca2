import { formatIPv4, formatIPv6, PortKind } from '@maestro/hash';
import { DecodeStatus } from '@maestro/pcap';
import { damageLine, readCaptureOrFail } from '../cli/capture-input.js';
import type { Command } from '../cli/command.js';
import { CliError } from '../cli/errors.js';
import { onePositional, parseCommandArgs, stringOption } from '../cli/options.js';

const HELP = `maestro dump CAPTURE --format tsv

One line per packet, tab-separated: frame number (from 1), source address, destination address,
IP protocol number, source port, destination port, outer VLAN id. A field that does not exist
(no IP header, no ports, no VLAN tag) is "-". Addresses are dotted quads and RFC 5952 IPv6.
The key is the outermost IP header's; tunnels are not opened. ICMP echo ids are not ports.

Options:
  --format tsv     output format (tsv is the one there is)
  -h, --help       this text

Examples:
  maestro dump samples/sample.pcap --format tsv | head
  maestro dump trace.pcapng --format tsv | awk -F'\\t' '$4 == 6' | wc -l
`;

/** `maestro dump`: the capture as a TSV of flow keys, one packet per line. */
export const dumpCommand: Command = {
  name: 'dump',
  summary: 'print one tab-separated line per packet (addresses, protocol, ports, VLAN)',
  help: HELP,
  async run(argv, io) {
    const parsed = parseCommandArgs('dump', argv, { format: { type: 'string', default: 'tsv' } });
    const path = onePositional('dump', parsed, 'CAPTURE', true) as string;
    const format = stringOption(parsed, 'format');
    if (format !== 'tsv') throw new CliError(`dump: --format must be tsv, got ${JSON.stringify(format)}`);

    let buffer = '';
    const { summary } = readCaptureOrFail(path, (p) => {
      let line = `${p.index + 1}\t`;
      if (p.status === DecodeStatus.OK) {
        const f = p.flow;
        const src = f.family === 4 ? formatIPv4(f.srcV4) : formatIPv6(f.src6);
        const dst = f.family === 4 ? formatIPv4(f.dstV4) : formatIPv6(f.dst6);
        const ports = f.portKind === PortKind.PORTS ? `${f.srcPort}\t${f.dstPort}` : '-\t-';
        line += `${src}\t${dst}\t${f.protocol}\t${ports}`;
      } else {
        line += '-\t-\t-\t-\t-';
      }
      line += `\t${p.vlan >= 0 ? p.vlan : '-'}\n`;
      buffer += line;
      if (buffer.length > 1 << 16) {
        io.out(buffer);
        buffer = '';
      }
    });
    io.out(buffer);
    const damage = damageLine(path, summary);
    if (damage !== null) {
      io.err(`maestro: ${damage}\n`);
      return 1;
    }
    return 0;
  },
};
