import { makeCharts } from './charts.js';
import { makeDom } from './dom.js';
import { makeErrorBanner } from './error-banner.js';
import { makeEventLog } from './event-log.js';
import { makeEventMarkers } from './event-markers.js';
import { makeFormat } from './format.js';
import { makeGroupTotals } from './group-totals.js';
import { makeLiveStream } from './live-stream.js';
import { type ClientPieces, dashboardClient } from './main.js';
import { makeMemberCards } from './member-cards.js';
import { makeMemberControls } from './member-controls.js';

const PIECES: ClientPieces = {
  makeDom,
  makeFormat,
  makeErrorBanner,
  makeMemberControls,
  makeMemberCards,
  makeGroupTotals,
  makeEventLog,
  makeEventMarkers,
  makeCharts,
  makeLiveStream,
};

/**
 * The client as one page script: `dashboardClient({ makeDom: function makeDom() {…}, … })`, each
 * function by its source text. Transpilers that keep function names (tsx, vitest's esbuild) wrap
 * nested functions in `__name(fn, "name")`; the script defines that helper once, around all the
 * pieces, so the serialized functions run whichever tool loaded this module.
 */
export function clientScript(): string {
  const pieces = Object.entries(PIECES)
    .map(([name, make]) => `${name}: ${make.toString()}`)
    .join(',\n');
  return `(function () { var __name = function (fn) { return fn; }; (${dashboardClient.toString()})({\n${pieces}\n}); })();`;
}
