import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { SimulationReport } from './model.js';
import { formatBytes, formatCount, formatPercent } from './text-table.js';

const require = createRequire(import.meta.url);

/** uPlot's script and stylesheet, inlined so the report is one self-contained file. */
function uplotAssets(): { js: string; css: string } {
  return {
    js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JSON safe to place inside a <script> element. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

/**
 * A self-contained HTML report: summary, members, events, and three plots (load per member over
 * time with event markers, corrections over time, share vs weight) drawn by uPlot.
 */
export function renderHtml(report: SimulationReport): string {
  const { js, css } = uplotAssets();
  const bad = (card: string): boolean =>
    (card === 'misdelivered' && report.misdelivered > 0) ||
    (card === 'split connections' && report.splitConnections > 0);
  const cards: [string, string][] = [
    ['packets', formatCount(report.packets)],
    ['connections', formatCount(report.connections)],
    ['imbalance', report.imbalance.toFixed(3)],
    ['corrections', formatCount(report.corrections.total)],
    ['misdelivered', formatCount(report.misdelivered)],
    ['split connections', formatCount(report.splitConnections)],
    ['sync records', `${formatCount(report.sync.records)} (${formatBytes(report.sync.bytes)})`],
  ];
  const memberRows = report.members
    .map(
      (m) =>
        `<tr><td>${escapeHtml(m.id)}</td><td>${m.weight}</td><td>${escapeHtml(m.state)}</td><td>${formatCount(m.packets)}</td><td>${formatBytes(m.bytes)}</td><td>${formatCount(m.connections)}</td><td>${formatPercent(m.share)}</td><td>${formatPercent(m.expectedShare)}</td></tr>`,
    )
    .join('\n');
  const eventRows = report.events
    .map(
      (e) =>
        `<tr><td>${e.at.toFixed(3)} s</td><td>${e.kind}${e.weight === undefined ? '' : ` ${e.weight}`}</td><td>${escapeHtml(e.member)}</td><td>${formatCount(e.bucketsMoved)}</td><td>${formatCount(e.connectionsMoved)}</td><td>${formatCount(e.connectionsLost)}</td></tr>`,
    )
    .join('\n');
  const logicalServers = report.logicalServers
    .map((ls) => {
      const total = ls.servers.reduce((a, r) => a + r.connections, 0);
      const rows = ls.servers
        .map(
          (r) =>
            `<tr><td>${escapeHtml(r.address)}:${r.port}</td><td>${formatCount(r.connections)}</td><td>${formatPercent(total === 0 ? 0 : r.connections / total)}</td></tr>`,
        )
        .join('\n');
      return `<h3>${escapeHtml(ls.name)} · ${escapeHtml(ls.address)}:${ls.port} · ${escapeHtml(ls.method)}${ls.persistency === 'none' ? '' : ` · persistency by ${escapeHtml(ls.persistency)}`}</h3>
<table><thead><tr><th>real server</th><th>connections</th><th>share</th></tr></thead><tbody>
${rows}
</tbody></table>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>maestro simulate: ${escapeHtml(report.capture)}</title>
<style>${css}</style>
<style>
  body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1100px; color: #1d2433; }
  h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; } h3 { font-size: 14px; margin: 16px 0 6px; }
  .sub { color: #5b6478; margin-bottom: 16px; }
  .cards { display: grid; grid-template-columns: repeat(7, 1fr); gap: 8px; }
  .card { background: #f3f5f9; border-radius: 6px; padding: 10px 12px; }
  .card b { display: block; font-size: 18px; } .card span { color: #5b6478; font-size: 12px; }
  .bad b { color: #c0392b; } .warn { color: #c0392b; }
  table { border-collapse: collapse; width: 100%; } th, td { padding: 4px 8px; text-align: right; }
  th:first-child, td:first-child { text-align: left; } tr:nth-child(even) td { background: #f7f8fb; }
  th { border-bottom: 1px solid #ccd; font-weight: 600; }
  .plot { margin: 8px 0 0; }
</style>
</head>
<body>
<h1>Simulated security group</h1>
<div class="sub">${escapeHtml(report.capture)} · ${report.members.length} members · mode ${escapeHtml(report.settings.mode)} ${report.settings.layer} · ${report.settings.strategy} table of ${report.settings.tableSize} buckets · ${report.durationSeconds.toFixed(2)} s of traffic</div>
<div class="cards">
${cards.map(([k, v]) => `<div class="card${bad(k) ? ' bad' : ''}"><b>${v}</b><span>${k}</span></div>`).join('\n')}
</div>${
    report.splitConnections > 0
      ? `\n<p class="warn">Split connections: ${formatCount(report.splitConnections)}. A reply entered where the topology did not predict and a second member created the connection: the topology is probably wrong.</p>`
      : ''
  }${
    report.natCollisions > 0
      ? `\n<p class="warn">NAT collisions: ${formatCount(report.natCollisions)}. Connections were translated to a tuple another connection held (hide NAT of a protocol without ports, or a many-to-one source NAT): their replies cannot be told apart.</p>`
      : ''
  }
<h2>Load per member over time</h2>
<div id="plot-load" class="plot" data-plot="load"></div>
<h2>Corrections over time</h2>
<div id="plot-corrections" class="plot" data-plot="corrections"></div>
<h2>Share vs weight</h2>
<div id="plot-share" class="plot" data-plot="share"></div>
<h2>Members</h2>
<table><thead><tr><th>member</th><th>weight</th><th>state</th><th>packets</th><th>bytes</th><th>connections</th><th>share</th><th>expected</th></tr></thead>
<tbody>
${memberRows}
</tbody></table>
<h2>Events</h2>
${report.events.length === 0 ? '<p>No events.</p>' : `<table><thead><tr><th>at</th><th>event</th><th>member</th><th>buckets moved</th><th>connections moved</th><th>connections lost</th></tr></thead><tbody>\n${eventRows}\n</tbody></table>`}
<h2>Corrections by reason</h2>
<table><thead><tr><th>reason</th><th>packets</th></tr></thead><tbody>
${Object.entries(report.corrections.byReason)
  .map(([k, v]) => `<tr><td>${k}</td><td>${formatCount(v)}</td></tr>`)
  .join('\n')}
</tbody></table>
${logicalServers === '' ? '' : `<h2>ConnectControl logical servers</h2>\n${logicalServers}`}
<script>${js}</script>
<script id="report-data" type="application/json">${scriptJson({
    timeline: report.timeline,
    events: report.events.map((e) => ({ at: e.at, label: `${e.kind} ${e.member}` })),
    members: report.members.map((m) => ({ id: m.id, share: m.share, expected: m.expectedShare })),
  })}</script>
<script>${PLOT_SCRIPT}</script>
</body>
</html>
`;
}

// Runs in the page: builds the three uPlot charts from the embedded JSON.
const PLOT_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var palette = ['#2f6fdf', '#e8743b', '#19a979', '#945ecf', '#ed4a7b', '#13a4b4', '#bf399e', '#6c8893', '#f2b705', '#5899da'];
  var width = Math.min(1100, document.body.clientWidth);
  function markers(events) {
    return {
      hooks: {
        draw: [function (u) {
          var ctx = u.ctx;
          ctx.save();
          ctx.strokeStyle = '#c0392b';
          ctx.fillStyle = '#c0392b';
          ctx.setLineDash([5, 4]);
          ctx.font = (11 * devicePixelRatio) + 'px system-ui';
          events.forEach(function (e) {
            var x = Math.round(u.valToPos(e.at, 'x', true));
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.fillText(e.label, x + 4, u.bbox.top + 12 * devicePixelRatio);
          });
          ctx.restore();
        }]
      }
    };
  }
  var t = data.timeline.t;
  var ids = Object.keys(data.timeline.packets);
  new uPlot({
    width: width, height: 300, plugins: [markers(data.events)],
    scales: { x: { time: false } },
    axes: [{ label: 'seconds' }, { label: 'packets / interval' }],
    series: [{}].concat(ids.map(function (id, i) { return { label: id, stroke: palette[i % palette.length], width: 1.5 }; }))
  }, [t].concat(ids.map(function (id) { return data.timeline.packets[id]; })), document.getElementById('plot-load'));

  var reasons = Object.keys(data.timeline.corrections);
  new uPlot({
    width: width, height: 240, plugins: [markers(data.events)],
    scales: { x: { time: false } },
    axes: [{ label: 'seconds' }, { label: 'corrections / interval' }],
    series: [{}].concat(reasons.map(function (r, i) { return { label: r, stroke: palette[(i + 3) % palette.length], width: 1.5 }; }))
  }, [t].concat(reasons.map(function (r) { return data.timeline.corrections[r]; })), document.getElementById('plot-corrections'));

  var xs = data.members.map(function (_, i) { return i; });
  new uPlot({
    width: width, height: 260,
    scales: { x: { time: false, range: [-0.6, data.members.length - 0.4] } },
    axes: [{ values: function (u, splits) { return splits.map(function (s) { var m = data.members[Math.round(s)]; return Number.isInteger(s) && m ? m.id : ''; }); }, splits: function () { return xs; } },
           { label: 'share %' }],
    series: [{},
      { label: 'actual share', fill: '#2f6fdfcc', stroke: '#2f6fdf', paths: uPlot.paths.bars({ size: [0.3, 60], align: -1 }) },
      { label: 'expected (weight)', fill: '#e8743bcc', stroke: '#e8743b', paths: uPlot.paths.bars({ size: [0.3, 60], align: 1 }) }]
  }, [xs, data.members.map(function (m) { return 100 * m.share; }), data.members.map(function (m) { return 100 * m.expected; })], document.getElementById('plot-share'));
  document.body.setAttribute('data-plots-ready', 'true');
})();
`;
