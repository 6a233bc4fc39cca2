/** The dashboard's stylesheet: light and dark themes (`prefers-color-scheme`), a fluid grid. */
export const DASHBOARD_CSS: string = `
:root {
  color-scheme: light dark;
  --bg: #f6f7fb; --panel: #ffffff; --fg: #1d2433; --muted: #5b6478; --grid: #dfe3ec; --border: #d5dae5;
  --ok: #15803d; --warn: #b45309; --bad: #c0392b; --info: #2563eb; --idle: #64748b; --focus: #2563eb;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #10141c; --panel: #181e29; --fg: #e6e9f0; --muted: #9aa4b8; --grid: #2a3242; --border: #313a4c;
    --ok: #4ade80; --warn: #fbbf24; --bad: #f87171; --info: #60a5fa; --idle: #94a3b8; --focus: #93c5fd;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, sans-serif; }
main { max-width: 1400px; margin: 0 auto; padding: 16px clamp(8px, 3vw, 24px) 32px; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px 16px; margin-bottom: 12px; }
h1 { font-size: 20px; margin: 0; } h2 { font-size: 15px; margin: 0 0 8px; } h3 { font-size: 15px; margin: 0; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
section { background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 12px; margin-top: 12px; min-width: 0; }
.pill, .state, .event-kind { display: inline-block; border-radius: 999px; padding: 1px 9px; font-size: 12px; font-weight: 600;
  border: 1px solid currentColor; }
[data-tone="ok"] { --tone: var(--ok); } [data-tone="warn"] { --tone: var(--warn); } [data-tone="bad"] { --tone: var(--bad); }
[data-tone="info"] { --tone: var(--info); } [data-tone="idle"] { --tone: var(--idle); }
.pill[data-tone], .state[data-tone], .event[data-tone] .event-kind { color: var(--tone); }
.totals { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; margin: 0; }
.total { background: var(--bg); border-radius: 6px; padding: 8px 10px; }
.total dt { color: var(--muted); font-size: 12px; } .total dd { margin: 0; font-size: 17px; font-weight: 600; font-variant-numeric: tabular-nums; }
.total.bad dd { color: var(--bad); }
.members { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 10px; }
.member { border: 1px solid var(--border); border-left: 5px solid var(--tone, var(--idle)); border-radius: 6px; padding: 10px; background: var(--bg); }
.member-head { display: flex; justify-content: space-between; align-items: center; margin-bottom: 6px; }
.member dl { display: grid; grid-template-columns: repeat(3, 1fr); gap: 4px 8px; margin: 0 0 8px; }
.member dt { color: var(--muted); font-size: 11px; } .member dd { margin: 0; font-variant-numeric: tabular-nums; }
.actions { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
button, input { font: inherit; color: inherit; }
button { background: var(--panel); border: 1px solid var(--border); border-radius: 5px; padding: 3px 10px; cursor: pointer; min-height: 30px; }
button:hover:not(:disabled) { border-color: var(--fg); } button:disabled { opacity: .45; cursor: not-allowed; }
.act-kill { color: var(--bad); } .act-restart { color: var(--ok); }
:focus-visible { outline: 2px solid var(--focus); outline-offset: 2px; }
.weight-form { display: flex; gap: 4px; align-items: center; margin-left: auto; }
.weight-form input { width: 5.5em; background: var(--panel); border: 1px solid var(--border); border-radius: 5px; padding: 3px 6px; min-height: 30px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 460px), 1fr)); gap: 0 12px; }
.chart { min-width: 0; overflow: hidden; }
.uplot, .u-legend { color: var(--fg); font-family: inherit; }
.errors:empty { display: none; }
.error { display: flex; justify-content: space-between; gap: 8px; align-items: center; background: color-mix(in srgb, var(--bad) 14%, var(--panel));
  border: 1px solid var(--bad); border-radius: 6px; padding: 6px 10px; margin-top: 6px; }
.events { list-style: none; margin: 0; padding: 0; max-height: 320px; overflow-y: auto; font-variant-numeric: tabular-nums; }
.event { display: grid; grid-template-columns: 5.5em 6.5em 4.5em 1fr; gap: 8px; padding: 3px 0; border-bottom: 1px solid var(--grid); align-items: baseline; }
.event-at { color: var(--muted); text-align: right; } .event-member { font-weight: 600; }
@media (max-width: 560px) { .event { grid-template-columns: 4.5em auto 1fr; } .event-detail { grid-column: 1 / -1; } .weight-form { margin-left: 0; } }
`;
