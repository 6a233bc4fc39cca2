/// <reference lib="dom" />
import type { DashboardFrame } from '../rates.js';
import type { Dom } from './dom.js';
import type { Format } from './format.js';

/** The group's figures (`[data-total]`): uptime, table version, packets, losses, sync. */
export interface GroupTotals {
  render(frame: DashboardFrame): void;
}

/** A piece of the page script: self-contained, see `main.ts`. */
export function makeGroupTotals(dom: Dom, format: Format): GroupTotals {
  function render(frame: DashboardFrame): void {
    const s = frame.snapshot;
    const r = frame.rates;
    const values: Record<string, string> = {
      uptime: `${(s.at / 1000).toFixed(1)} s`,
      table: `v${s.tableVersion}`,
      sent: `${format.count(s.packetsSent)} (${format.perSecond(r.packetsSent)})`,
      dropped: format.count(s.packetsDropped),
      lost: format.count(s.connectionsLost),
      sync: `${format.count(s.sync.records)} (${format.perSecond(r.syncRecords)})`,
      syncBytes: format.bytes(s.sync.bytes),
    };
    for (const [key, text] of Object.entries(values)) {
      const el = document.querySelector<HTMLElement>(`[data-total="${key}"]`);
      if (el === null) continue;
      dom.setText(el, text);
      if (key === 'dropped' || key === 'lost') {
        const bad = (key === 'dropped' ? s.packetsDropped : s.connectionsLost) > 0;
        el.closest('.total')?.classList.toggle('bad', bad);
      }
    }
  }
  return { render };
}
