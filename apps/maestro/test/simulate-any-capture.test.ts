import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CliError } from '../src/cli/errors.js';
import type { Io } from '../src/cli/io.js';
import { simulateCommand } from '../src/commands/simulate.js';
import type { SimulationReport } from '../src/report/model.js';
import { CAPTURE_VLANS, randomCapture, writeRandomCapture } from './random-capture.js';
import { tempDir } from './run-cli.js';

/** An Io that keeps what a command prints. */
function bufferIo(): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out: (text: string) => {
      io.stdout += text;
    },
    err: (text: string) => {
      io.stderr += text;
    },
    isTTY: false,
    color: false,
    columns: 100,
  };
  return io;
}

const zone = fc.constantFrom('internal', 'external');
const mode = fc.option(fc.constantFrom('user', 'network', 'general'), { nil: undefined });

/** A topology of 1..3 interfaces, each with a zone, maybe a mode, and some of the captures' VLANs. */
const topology = fc.record({
  mode: fc.constantFrom('auto', 'general'),
  layer: fc.constantFrom('l3', 'l4'),
  interfaces: fc.array(
    fc.record({
      zone,
      mode,
      vlans: fc.subarray(
        CAPTURE_VLANS.filter((v) => v > 0),
        { minLength: 0 },
      ),
      vlanZones: fc.array(fc.tuple(zone, mode), { minLength: 3, maxLength: 3 }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
});

/** A scenario for a random capture: members, modes, topology, maybe hide NAT, up to three events. */
const scenario = fc.record({
  members: fc.integer({ min: 1, max: 5 }),
  mode: fc.constantFrom('auto', 'general', 'user', 'network'),
  strategy: fc.constantFrom('rebalance', 'maglev'),
  // A small table keeps each run short; the bundled runs use 65 537 buckets.
  tableSize: fc.constantFrom(251, 1021),
  topology: fc.option(topology, { nil: undefined }),
  nat: fc.constantFrom('none', 'hide', 'hide-few-ports'),
  // Each event: a member (one more than the group's: a joining one), a choice among what changes
  // that member then, a time in ms.
  events: fc.array(fc.tuple(fc.nat(5), fc.nat(3), fc.nat(3000)), { maxLength: 3 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/**
 * Events that each change the group (the CLI refuses one that changes nothing): in time order,
 * each picks, for the member it names, one of the events that apply to it in its state then.
 */
function validEvents(members: number, picks: Scenario['events']): string[] {
  const state = Array.from({ length: members + 1 }, (_, m): 'active' | 'failed' | 'removed' =>
    m < members ? 'active' : 'removed',
  );
  const weight = Array.from({ length: members + 1 }, () => 100);
  return [...picks]
    .sort((a, b) => a[2] - b[2])
    .map(([member, choice, ms]) => {
      const m = member % (members + 1);
      const options =
        state[m] === 'active'
          ? ['fail', 'remove', `weight=${weight[m] === 0 ? 100 : 0}`]
          : state[m] === 'failed'
            ? ['recover', 'remove']
            : ['add'];
      const kind = options[choice % options.length] as string;
      if (kind.startsWith('weight=')) weight[m] = Number(kind.slice(7));
      else state[m] = kind === 'fail' ? 'failed' : kind === 'remove' ? 'removed' : 'active';
      if (kind === 'add') weight[m] = 100;
      return `${kind} sgm${m + 1} @${ms / 1000}s`;
    });
}

function scenarioFile(dir: string, s: Scenario): string {
  const value: Record<string, unknown> = {
    capture: 'capture.pcapng',
    members: s.members,
    mode: s.mode,
    strategy: s.strategy,
    tableSize: s.tableSize,
  };
  if (s.topology !== undefined) {
    value['topology'] = {
      mode: s.topology.mode,
      layer: s.topology.layer,
      interfaces: s.topology.interfaces.map((iface, i) => ({
        name: `eth${i}`,
        zone: iface.zone,
        ...(iface.mode === undefined ? {} : { mode: iface.mode }),
        vlans: iface.vlans.map((id, j) => {
          const [vlanZone, vlanMode] = iface.vlanZones[j] ?? ['internal', undefined];
          return { id, zone: vlanZone, ...(vlanMode === undefined ? {} : { mode: vlanMode }) };
        }),
      })),
    };
  }
  if (s.nat !== 'none') {
    value['nat'] = [
      {
        type: 'hide',
        source: ['10.0.0.0/8'],
        address: '192.0.2.1',
        ports: s.nat === 'hide' ? '1024-65535' : '1024-1031',
      },
    ];
  }
  value['events'] = validEvents(s.members, s.events);
  const path = join(dir, 'scenario.yaml');
  // JSON is YAML.
  writeFileSync(path, JSON.stringify(value));
  return path;
}

describe('maestro simulate on any capture', () => {
  it('should end any valid capture with a report or a CliError, and count every routed packet as processed by a member or dropped with a cause', async () => {
    const dir = tempDir();
    await fc.assert(
      fc.asyncProperty(randomCapture, scenario, async (capture, s) => {
        writeRandomCapture(join(dir, 'capture.pcapng'), capture);
        const io = bufferIo();
        let code: number;
        try {
          code = await simulateCommand.run(['--scenario', scenarioFile(dir, s), '--json'], io);
        } catch (error) {
          // A usage or configuration error the CLI reports (say, an event that leaves no member).
          expect(error).toBeInstanceOf(CliError);
          return;
        }
        expect(code).toBe(0);
        const r = JSON.parse(io.stdout) as SimulationReport;
        expect(r.packets).toBe(capture.packets.length);
        const processed = r.members.reduce((n, m) => n + m.packets, 0);
        expect(processed + r.dropped).toBe(r.packets - r.skipped);
        expect(Object.values(r.drops).reduce((n, d) => n + d, 0)).toBe(r.dropped);
        // The second creator of a split connection processed at least its first packet off the owner.
        expect(r.misdelivered).toBeGreaterThanOrEqual(r.splitConnections);
      }),
      { numRuns: 150 },
    );
  });
});
