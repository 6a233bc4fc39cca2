/// <reference lib="dom" />
import type uPlot from 'uplot';
import type { Dom } from './dom.js';
import type { EventLog } from './event-log.js';

/**
 * A uPlot plugin that draws the logged events on a chart: a dashed line at each event since
 * `from()` (the chart's first point), in the event's tone, labelled with its kind and member.
 */
export type EventMarkers = (from: () => number | undefined) => uPlot.Plugin;

/** A piece of the page script: self-contained, see `main.ts`. */
export function makeEventMarkers(dom: Dom, log: EventLog): EventMarkers {
  return (from) => ({
    hooks: {
      draw: [
        (u: uPlot) => {
          const ctx = u.ctx;
          const start = from();
          if (start === undefined) return;
          ctx.save();
          ctx.setLineDash([4, 4]);
          ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
          // Events come in bursts (kill, three detections, a table): labels close to the previous
          // one go a row lower, a repeat of the same label is not written again, a fifth row is dropped.
          const near = 90 * devicePixelRatio;
          let row = 0;
          let lastX = Number.NEGATIVE_INFINITY;
          let lastLabel = '';
          for (const e of log.events) {
            const at = e.at / 1000;
            if (at < start) continue;
            const x = Math.round(u.valToPos(at, 'x', true));
            const tone = log.tone(e.kind);
            const stroke = dom.colour(tone === undefined ? '--muted' : `--${tone}`);
            ctx.strokeStyle = stroke;
            ctx.fillStyle = stroke;
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
            const label = `${e.kind} ${e.member ?? ''}`;
            const close = x - lastX < near;
            if (close && label === lastLabel) continue;
            row = close ? row + 1 : 0;
            lastX = x;
            lastLabel = label;
            if (row >= 4) continue;
            // Near the right edge the label goes to the left of its line.
            const width = ctx.measureText(label).width;
            const right = x + 3 + width > u.bbox.left + u.bbox.width;
            ctx.fillText(
              label,
              right ? x - 3 - width : x + 3,
              u.bbox.top + (12 + 13 * row) * devicePixelRatio,
            );
          }
          ctx.restore();
        },
      ],
    },
  });
}
