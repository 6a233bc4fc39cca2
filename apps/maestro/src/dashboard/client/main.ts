/// <reference lib="dom" />
import type { DashboardFrame } from '../rates.js';
import type { makeCharts } from './charts.js';
import type { makeDom } from './dom.js';
import type { makeErrorBanner } from './error-banner.js';
import type { makeEventLog } from './event-log.js';
import type { makeEventMarkers } from './event-markers.js';
import type { makeFormat } from './format.js';
import type { makeGroupTotals } from './group-totals.js';
import type { makeLiveStream } from './live-stream.js';
import type { makeMemberCards } from './member-cards.js';
import type { makeMemberControls } from './member-controls.js';

/**
 * The pieces of the page script, passed to {@link dashboardClient} as arguments. Each is a factory
 * that the page embeds as its source text (`script.ts`), so each must reference nothing outside its
 * own body: no imports at run time, no module scope, not even another piece (it receives what it
 * needs as arguments). Imports of types only are fine: they are erased.
 */
export interface ClientPieces {
  readonly makeDom: typeof makeDom;
  readonly makeFormat: typeof makeFormat;
  readonly makeErrorBanner: typeof makeErrorBanner;
  readonly makeMemberControls: typeof makeMemberControls;
  readonly makeMemberCards: typeof makeMemberCards;
  readonly makeGroupTotals: typeof makeGroupTotals;
  readonly makeEventLog: typeof makeEventLog;
  readonly makeEventMarkers: typeof makeEventMarkers;
  readonly makeCharts: typeof makeCharts;
  readonly makeLiveStream: typeof makeLiveStream;
}

/**
 * The dashboard's script, run in the browser (self-contained like its pieces): it builds the pieces
 * and feeds them what the server pushes over `/api/events`, the frames to the member cards, the
 * group's totals and the charts, the events to the log.
 */
export function dashboardClient(pieces: ClientPieces): void {
  const dom = pieces.makeDom();
  const format = pieces.makeFormat();
  const errors = pieces.makeErrorBanner(dom);
  const cards = pieces.makeMemberCards(dom, format, pieces.makeMemberControls(dom, errors));
  const totals = pieces.makeGroupTotals(dom, format);
  const log = pieces.makeEventLog(dom);
  const charts = pieces.makeCharts(dom, pieces.makeEventMarkers(dom, log));

  function onFrame(frame: DashboardFrame, draw: boolean): void {
    charts.add(frame);
    cards.render(frame);
    totals.render(frame);
    if (draw) charts.draw();
  }
  pieces
    .makeLiveStream(dom, errors, {
      hello(frames, events) {
        log.clear();
        for (const e of events) log.add(e);
        charts.reset();
        // Drawn once, at the last frame: the history arrives all at once.
        frames.forEach((f, i) => {
          onFrame(f, i === frames.length - 1);
        });
      },
      frame: (frame) => onFrame(frame, true),
      cluster: (e) => log.add(e),
    })
    .connect();
}
