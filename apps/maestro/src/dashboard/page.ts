import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { clientScript } from './client/script.js';
import { DASHBOARD_CSS } from './style.js';

const require = createRequire(import.meta.url);

/** The dashboard page and the Content-Security-Policy that lets exactly its own scripts run. */
export interface DashboardPage {
  readonly html: string;
  readonly contentSecurityPolicy: string;
}

const TOTALS: readonly [string, string][] = [
  ['uptime', 'running for'],
  ['table', 'table in force'],
  ['sent', 'packets sent'],
  ['dropped', 'packets dropped'],
  ['lost', 'connections lost'],
  ['sync', 'sync records'],
  ['syncBytes', 'sync bytes'],
];

const hash = (script: string): string => `'sha256-${createHash('sha256').update(script).digest('base64')}'`;

/**
 * Renders the one self-contained page: uPlot's script and stylesheet are inlined from the installed
 * package (nothing is fetched from elsewhere), the data arrives over `/api/events`.
 */
export function renderPage(): DashboardPage {
  const uplotJs = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  const uplotCss = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  const client = clientScript();
  const totals = TOTALS.map(
    ([key, label]) => `<div class="total"><dt>${label}</dt><dd data-total="${key}">–</dd></div>`,
  ).join('\n');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>maestro cluster</title>
<link rel="icon" href="data:,">
<style>${uplotCss}</style>
<style>${DASHBOARD_CSS}</style>
</head>
<body>
<main>
<header>
<h1>Maestro security group</h1>
<span id="connection" class="pill" role="status" aria-live="polite" data-tone="idle">connecting…</span>
</header>
<noscript><p>The dashboard needs JavaScript; <a href="/api/snapshot">/api/snapshot</a> has the same data as JSON.</p></noscript>
<div id="errors" class="errors" role="alert" aria-live="assertive"></div>
<section aria-labelledby="totals-title">
<h2 id="totals-title">Group</h2>
<dl class="totals">
${totals}
</dl>
</section>
<section aria-labelledby="members-title">
<h2 id="members-title">Members</h2>
<ul id="members" class="members"></ul>
</section>
<section id="charts" class="charts" aria-label="charts">
<div><h2 id="load-title">Load per member (packets/s)</h2>
<div id="chart-load" class="chart" role="img" aria-labelledby="load-title"></div></div>
<div><h2 id="sync-title">Corrections and sync records per second</h2>
<div id="chart-sync" class="chart" role="img" aria-labelledby="sync-title"></div></div>
</section>
<section aria-labelledby="events-title">
<h2 id="events-title">Events <small>(newest first)</small></h2>
<p id="events-empty">No event yet.</p>
<ol id="events" class="events" role="log" aria-labelledby="events-title"></ol>
</section>
</main>
<script>${uplotJs}</script>
<script>${client}</script>
</body>
</html>
`;
  const contentSecurityPolicy = [
    "default-src 'none'",
    `script-src ${hash(uplotJs)} ${hash(client)}`,
    "style-src 'unsafe-inline'",
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, contentSecurityPolicy };
}
