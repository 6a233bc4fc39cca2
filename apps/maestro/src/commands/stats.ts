import { formatFlow, protocolName } from '@maestro/hash';
import { DecodeStatus, LinkType } from '@maestro/pcap';
import { captureBytes, connectionHint, damageLine, readCaptureOrFail } from '../cli/capture-input.js';
import type { Command } from '../cli/command.js';
import { flag, integerValue, onePositional, parseCommandArgs, stringOption } from '../cli/options.js';
import { createStyle } from '../cli/style.js';
import { formatBytes, formatCount, renderTable } from '../report/text-table.js';
import { FlowCounter } from '../simulation/flow-counter.js';

const HELP = `maestro stats CAPTURE [--top N] [--json]

Capture statistics in the spirit of capinfos: packets, bytes, duration, link types, IPv4/IPv6
and protocol mix, the number of flows (both directions of a connection count as one flow) and
the top flows by packets.

Options:
  --top N      how many top flows to list (default 10)
  --json       machine-readable output
  -h, --help   this text

Examples:
  maestro stats samples/sample.pcap
  maestro stats trace.pcapng --top 20 --json | jq .flows
`;

const LINK_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(LinkType).map(([name, value]) => [value as number, name.toLowerCase()]),
);

/** What `maestro stats` reports (also its JSON). */
export interface CaptureStats {
  readonly file: string;
  readonly format: string | null;
  readonly fileBytes: number;
  readonly packets: number;
  readonly capturedBytes: number;
  readonly wireBytes: number;
  readonly firstTimestamp: number | null;
  readonly lastTimestamp: number | null;
  readonly durationSeconds: number;
  readonly linkTypes: Record<string, number>;
  readonly ipv4: number;
  readonly ipv6: number;
  readonly nonIp: number;
  readonly malformed: number;
  readonly truncated: number;
  readonly fragments: number;
  readonly vlanTagged: number;
  readonly protocols: Record<string, number>;
  readonly flows: number;
  readonly topFlows: { flow: string; packets: number; bytes: number }[];
  readonly error: string | null;
}

/** `maestro stats`: what is in a capture. */
export const statsCommand: Command = {
  name: 'stats',
  summary: 'capture statistics: packets, bytes, duration, protocol mix, flows, top flows',
  help: HELP,
  async run(argv, io) {
    const parsed = parseCommandArgs('stats', argv, { top: { type: 'string' }, json: { type: 'boolean' } });
    const path = onePositional('stats', parsed, 'CAPTURE', true) as string;
    const topText = stringOption(parsed, 'top');
    const top = topText === undefined ? 10 : integerValue(topText, '--top', 0, 10_000);

    let capturedBytes = 0;
    let wireBytes = 0;
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    let ipv4 = 0;
    let ipv6 = 0;
    let nonIp = 0;
    let malformed = 0;
    let truncated = 0;
    let fragments = 0;
    let vlanTagged = 0;
    // Per-packet counts stay in numbers and a typed array; the link-type map is touched only when
    // the link type changes (once per interface run, not once per packet).
    const links = new Map<number, number>();
    let link = -1;
    let linkRun = 0;
    const endLinkRun = (): void => {
      if (linkRun > 0) links.set(link, (links.get(link) ?? 0) + linkRun);
      linkRun = 0;
    };
    const protocols = new Float64Array(256);
    const fileBytes = captureBytes(path);
    const flows = new FlowCounter(connectionHint(fileBytes));

    const { summary } = readCaptureOrFail(
      path,
      (p) => {
        capturedBytes += p.capturedLength;
        wireBytes += p.originalLength;
        const t = p.timestampSec + p.timestampNs / 1e9;
        if (t < first) first = t;
        if (t > last) last = t;
        if (p.linkType !== link) {
          endLinkRun();
          link = p.linkType;
        }
        linkRun++;
        if (p.vlan >= 0) vlanTagged++;
        if (p.truncated) truncated++;
        if (p.status === DecodeStatus.OK) {
          if (p.flow.family === 4) ipv4++;
          else ipv6++;
          if (p.isFragment) fragments++;
          protocols[p.flow.protocol] = (protocols[p.flow.protocol] as number) + 1;
          flows.add(p.flow, p.originalLength);
        } else if (p.status === DecodeStatus.MALFORMED) {
          malformed++;
        } else {
          nonIp++;
        }
      },
      fileBytes,
    );

    endLinkRun();
    const protocolCounts = [...protocols.entries()].filter(([, n]) => n > 0);

    const stats: CaptureStats = {
      file: path,
      format: summary.format,
      fileBytes,
      packets: summary.packets,
      capturedBytes,
      wireBytes,
      firstTimestamp: summary.packets > 0 ? first : null,
      lastTimestamp: summary.packets > 0 ? last : null,
      durationSeconds: summary.packets > 0 ? last - first : 0,
      linkTypes: Object.fromEntries([...links].map(([k, v]) => [LINK_NAMES.get(k) ?? `linktype-${k}`, v])),
      ipv4,
      ipv6,
      nonIp,
      malformed,
      truncated,
      fragments,
      vlanTagged,
      protocols: Object.fromEntries(
        protocolCounts.sort((a, b) => b[1] - a[1]).map(([k, v]) => [protocolName(k), v]),
      ),
      flows: flows.size,
      topFlows: flows.top(top).map((f) => ({ flow: formatFlow(f.key), packets: f.packets, bytes: f.bytes })),
      error: summary.error?.message ?? null,
    };

    if (flag(parsed, 'json')) io.out(`${JSON.stringify(stats, null, 2)}\n`);
    else io.out(renderStats(stats, createStyle(io.color)));
    const damage = damageLine(path, summary);
    if (damage !== null) {
      io.err(`maestro: ${damage}\n`);
      return 1;
    }
    return 0;
  },
};

function renderStats(s: CaptureStats, style: ReturnType<typeof createStyle>): string {
  const pct = (n: number): string => (s.packets === 0 ? '' : ` (${((100 * n) / s.packets).toFixed(1)} %)`);
  const lines = [
    style.bold(s.file),
    `  format        ${s.format ?? 'unknown'}, ${formatBytes(s.fileBytes)}`,
    `  packets       ${formatCount(s.packets)}`,
    `  bytes         ${formatBytes(s.wireBytes)} on the wire, ${formatBytes(s.capturedBytes)} captured`,
    `  duration      ${s.durationSeconds.toFixed(3)} s${
      s.firstTimestamp === null ? '' : ` from ${new Date(s.firstTimestamp * 1000).toISOString()}`
    }`,
    `  link types    ${Object.entries(s.linkTypes)
      .map(([k, v]) => `${k} ${formatCount(v)}`)
      .join(', ')}`,
    `  IPv4          ${formatCount(s.ipv4)}${pct(s.ipv4)}`,
    `  IPv6          ${formatCount(s.ipv6)}${pct(s.ipv6)}`,
    `  not IP        ${formatCount(s.nonIp)}${pct(s.nonIp)}`,
    `  malformed     ${formatCount(s.malformed)}, truncated ${formatCount(s.truncated)}`,
    `  fragments     ${formatCount(s.fragments)}, VLAN-tagged ${formatCount(s.vlanTagged)}`,
    `  protocols     ${Object.entries(s.protocols)
      .map(([k, v]) => `${k} ${formatCount(v)}`)
      .join(', ')}`,
    `  flows         ${formatCount(s.flows)}`,
  ];
  if (s.topFlows.length > 0) {
    lines.push('', style.bold('top flows'));
    lines.push(
      renderTable(
        ['flow', 'packets', 'bytes'],
        s.topFlows.map((f) => [f.flow, formatCount(f.packets), formatBytes(f.bytes)]),
        ['left', 'right', 'right'],
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}
