import type { Style } from '../cli/style.js';
import type { SimulationReport } from './model.js';
import { formatBytes, formatCount, formatPercent, renderTable } from './text-table.js';

/** The terminal report of `maestro simulate`. */
export function renderText(report: SimulationReport, style: Style): string {
  const s = report.settings;
  const out: string[] = [];
  out.push(style.bold(`maestro simulate · ${report.capture}`));
  out.push(
    style.dim(
      `  ${report.members.length} members · mode ${s.mode} ${s.layer} · ${s.strategy} table, ${formatCount(s.tableSize)} buckets · ${s.hash}`,
    ),
  );
  out.push(
    `  ${formatCount(report.packets)} packets (${formatBytes(report.bytes)}) over ${report.durationSeconds.toFixed(2)} s · ${formatCount(report.connections)} connections${
      report.skipped > 0 ? ` · ${formatCount(report.skipped)} non-IP packets not distributed` : ''
    }`,
  );
  out.push('');
  out.push(style.bold('Members'));
  out.push(
    renderTable(
      ['member', 'weight', 'state', 'packets', 'bytes', 'connections', 'share', 'expected', 'deviation'],
      report.members.map((m) => {
        const dev = m.share - m.expectedShare;
        const devText = `${dev >= 0 ? '+' : ''}${(100 * dev).toFixed(2)} pt`;
        return [
          m.id,
          String(m.weight),
          m.state === 'ACTIVE'
            ? style.green(m.state)
            : m.state === 'DOWN'
              ? style.red(m.state)
              : style.yellow(m.state),
          formatCount(m.packets),
          formatBytes(m.bytes),
          formatCount(m.connections),
          formatPercent(m.share),
          formatPercent(m.expectedShare),
          Math.abs(dev) > 0.01 ? style.yellow(devText) : devText,
        ];
      }),
      ['left', 'right', 'left', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
  );
  out.push(
    `  imbalance (max / mean packets over members with weight > 0): ${style.bold(report.imbalance.toFixed(3))}`,
  );
  out.push('');
  const c = report.corrections;
  out.push(style.bold('Correction layer'));
  out.push(
    `  ${formatCount(c.total)} corrected packets (${formatPercent(report.packets === 0 ? 0 : c.total / report.packets)}), ${formatCount(c.extraHops)} extra internal hops`,
  );
  out.push(
    `  by reason: ${Object.entries(c.byReason)
      .map(([k, v]) => `${k} ${formatCount(v)}`)
      .join(' · ')}`,
  );
  const mis = `  misdelivered packets: ${formatCount(report.misdelivered)}`;
  out.push(report.misdelivered === 0 ? style.green(mis) : style.red(mis));
  const split = `  split connections: ${formatCount(report.splitConnections)}`;
  out.push(
    report.splitConnections === 0
      ? style.green(split)
      : style.red(
          `${split} (created again by a second member: a reply entered where the topology did not predict, so the topology is probably wrong)`,
        ),
  );
  if (report.natCollisions > 0) {
    out.push(
      style.red(
        `  NAT collisions: ${formatCount(report.natCollisions)} (connections translated to a tuple another connection held: hide NAT of a protocol without ports, or a many-to-one source NAT; their replies cannot be told apart)`,
      ),
    );
  }
  const causes = Object.entries(report.drops).filter(([, n]) => n > 0);
  out.push(
    `  dropped packets: ${formatCount(report.dropped)}${
      causes.length === 0 ? '' : ` (${causes.map(([k, v]) => `${k} ${formatCount(v)}`).join(' · ')})`
    }`,
  );
  out.push('');
  if (report.logicalServers.length > 0) {
    out.push(style.bold('ConnectControl'));
    for (const ls of report.logicalServers) {
      const total = ls.servers.reduce((a, s) => a + s.connections, 0);
      out.push(
        `  ${ls.name} ${ls.address}:${ls.port} · ${ls.method}${ls.persistency === 'none' ? '' : ` · persistency by ${ls.persistency}`} · ${formatCount(total)} connections`,
      );
      out.push(
        renderTable(
          ['real server', 'connections', 'share'],
          ls.servers.map((s) => [
            `${s.address}:${s.port}`,
            formatCount(s.connections),
            formatPercent(total === 0 ? 0 : s.connections / total),
          ]),
          ['left', 'right', 'right'],
        ),
      );
    }
    out.push('');
  }
  out.push(style.bold('HyperSync'));
  out.push(
    `  ${formatCount(report.sync.records)} sync records, ${formatBytes(report.sync.bytes)} on the sync network`,
  );
  out.push('');
  out.push(style.bold('Events'));
  if (report.events.length === 0) out.push('  none');
  else
    out.push(
      renderTable(
        ['at', 'event', 'member', 'buckets moved', 'connections moved', 'connections lost'],
        report.events.map((e) => [
          `${e.at.toFixed(3)} s`,
          e.weight === undefined ? e.kind : `${e.kind} ${e.weight}`,
          e.member,
          formatCount(e.bucketsMoved),
          formatCount(e.connectionsMoved),
          e.connectionsLost === 0 ? style.green('0') : style.red(formatCount(e.connectionsLost)),
        ]),
        ['right', 'left', 'left', 'right', 'right', 'right'],
      ),
    );
  return `${out.join('\n')}\n`;
}
