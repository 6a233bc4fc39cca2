import { writeFileSync } from 'node:fs';
import { captureBytes, connectionHint, damageLine, readCaptureOrFail } from '../cli/capture-input.js';
import type { Command } from '../cli/command.js';
import { CliError } from '../cli/errors.js';
import { checkEvents } from '../cli/event-checks.js';
import type { Io } from '../cli/io.js';
import { flag, type OptionSpec, parseCommandArgs, stringOption } from '../cli/options.js';
import { createStyle } from '../cli/style.js';
import { renderHtml } from '../report/html.js';
import { renderText } from '../report/text.js';
import { buildGroup, GROUP_FLAGS, groupFlags } from '../simulation/group-setup.js';
import { resolveSettings } from '../simulation/settings.js';
import { Simulation } from '../simulation/simulator.js';

const HELP = `maestro simulate [CAPTURE] [options]

Replays a capture (pcap or pcapng) through a simulated security group: the orchestrator
distributes each packet by topology and policy, the members' correction layer forwards packets
to their connection's owner, HyperSync keeps a backup of every connection, and injected events
fail, recover, add, remove or re-weight members. Without CAPTURE (and without --scenario) the
bundled sample is used.

The capture is taken as the endpoints saw the traffic: NAT is applied by the simulated group,
so replies to translated connections are re-addressed to the translated tuple.

Options:
  --members N|LIST      N members sgm1..sgmN (weight 100 each), or sgm1=100,sgm2=300,...
  --mode MODE           auto (topology: internal user, external network), general, user, network
  --l3, --l4            Layer-3 or Layer-4 distribution (default: the topology's, l4)
  --table-size N        distribution table buckets, a prime (default 65537)
  --strategy S          rebalance (exact quotas, minimal moves) or maglev (default rebalance)
  --topology FILE       topology file (YAML/JSON, see @maestro/policy); default: VLAN 100
                        internal, VLAN 200 external, untagged traffic in general mode
  --policy FILE         policy file: rules (mode overrides, pinning, management, sync), NAT,
                        and ConnectControl logical servers (balanced to real servers)
  --nat FILE            NAT rules file (hide NAT, static NAT)
  --event "E"           "<fail|recover|add|remove|weight=W> <member> @<seconds>s", repeatable;
                        seconds from the capture's first packet; an event that would change
                        nothing (recover of an active member, a second fail, add of a member
                        in the group, the weight it has) is refused before the run, as is
                        one that leaves no active member with a weight above 0
  --scenario FILE       a YAML file holding all of the above (flags given too win)
  --hash H              toeplitz (Microsoft RSS key), symmetric, keyed:<16 hex digits>
  --json                the report as JSON on stdout
  --html FILE           also write a self-contained HTML report with plots
  -h, --help            this text

Examples:
  maestro simulate
  maestro simulate trace.pcap --members 8 --event "fail sgm3 @2.5s" --event "recover sgm3 @6s"
  maestro simulate trace.pcapng --members sgm1=100,sgm2=100,sgm3=300 --mode general --json
  maestro simulate --scenario samples/default-scenario.yaml --html report.html
`;

const FLAGS: OptionSpec = { ...GROUP_FLAGS, html: { type: 'string' } };

/** `maestro simulate`: a capture through a simulated security group. */
export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'replay a capture through a simulated security group and report',
  help: HELP,
  async run(argv, io) {
    const parsed = parseCommandArgs('simulate', argv, FLAGS);
    if (parsed.positionals.length > 1) throw new CliError('simulate: expected at most one CAPTURE');
    if (flag(parsed, 'l3') && flag(parsed, 'l4'))
      throw new CliError('simulate: --l3 and --l4 exclude each other');
    const settings = resolveSettings(groupFlags(parsed, parsed.positionals[0]));
    const capture = settings.capture ?? bundledSample();
    checkEvents(settings.members, settings.events, {
      size: settings.tableSize,
      source: settings.tableSizeSource,
      file: settings.scenarioFile,
      fileEvents: settings.fileEvents,
    });
    const fileBytes = captureBytes(capture);
    const connections = connectionHint(fileBytes);
    // A member owns its share of the connections and, after a failure, some of the failed
    // member's: a quarter more than the even share keeps its table from growing (a rehash of
    // every entry) in the runs the hint fits.
    const { group, ingress, hasher, layer, nat, balancer } = buildGroup(
      settings,
      settings.events.map((e) => e.member),
      Math.ceil((1.25 * connections) / settings.members.length),
    );
    const simulation = new Simulation({
      group,
      balancer,
      ingress,
      hasher,
      events: settings.events,
      capture,
      capacity: connections,
      settings: {
        mode: settings.mode,
        layer,
        strategy: settings.strategy,
        tableSize: settings.tableSize,
        hash: settings.hash,
      },
    });
    const progress = io.isTTY && !flag(parsed, 'json') ? progressBar(io) : undefined;
    const { summary } = readCaptureOrFail(
      capture,
      (p) => {
        simulation.onPacket(p);
        if (progress !== undefined && (p.index & 0xffff) === 0) progress(p.recordOffset / fileBytes);
      },
      fileBytes,
    );
    if (progress !== undefined) io.err('\r\u001b[K');
    const report = simulation.finish();
    const html = stringOption(parsed, 'html');
    if (html !== undefined) {
      try {
        writeFileSync(html, renderHtml(report));
      } catch (error) {
        throw new CliError(`${html}: cannot write (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 1);
      }
    }
    if (flag(parsed, 'json')) io.out(`${JSON.stringify(report, null, 2)}\n`);
    else io.out(renderText(report, createStyle(io.color)));
    if (nat.skipped.length > 0)
      io.err(`maestro: NAT rules not simulated (IPv6 NAT): ${nat.skipped.join(', ')}\n`);
    const damage = damageLine(capture, summary);
    if (damage !== null) {
      io.err(`maestro: ${damage}\n`);
      return 1;
    }
    return 0;
  },
};

function bundledSample(): string {
  return new URL('../samples/sample.pcap', import.meta.url).pathname;
}

function progressBar(io: Io): (fraction: number) => void {
  const width = Math.max(10, Math.min(40, io.columns - 20));
  return (fraction) => {
    const done = Math.round(Math.min(1, fraction) * width);
    io.err(
      `\r  [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${(100 * Math.min(1, fraction)).toFixed(0)} %`,
    );
  };
}
