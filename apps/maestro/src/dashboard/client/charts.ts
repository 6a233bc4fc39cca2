/// <reference lib="dom" />
import type uPlot from 'uplot';
import type { DashboardFrame } from '../rates.js';
import type { Dom } from './dom.js';
import type { EventMarkers } from './event-markers.js';

/**
 * The two uPlot charts (`#chart-load`: packets/s per member; `#chart-sync`: corrections/s and sync
 * records/s) over the last 240 frames, with the events marked on both.
 */
export interface Charts {
  /** Takes a frame's rates; a changed member set starts the series afresh. */
  add(frame: DashboardFrame): void;
  /** Shows the points added so far (builds the charts first when needed). */
  draw(): void;
  /** Forgets the member set, so that the next frame starts the series afresh. */
  reset(): void;
}

/**
 * A piece of the page script: self-contained, see `main.ts`. Needs uPlot's page script loaded first
 * (`window.uPlot`); follows the page's width and its light or dark theme.
 */
export function makeCharts(dom: Dom, markers: EventMarkers): Charts {
  const UPlot = (window as unknown as { uPlot: typeof uPlot }).uPlot;
  const POINTS = 240;
  const PALETTE = ['#2f6fdf', '#e8743b', '#19a979', '#945ecf', '#ed4a7b', '#13a4b4', '#bf399e', '#6c8893'];
  const series = {
    t: [] as number[],
    ids: [] as string[],
    load: [] as (number | null)[][],
    corrections: [] as (number | null)[],
    sync: [] as (number | null)[],
  };
  let loadChart: uPlot | null = null;
  let syncChart: uPlot | null = null;
  // Set when the member set changed: the charts are rebuilt with one series per member.
  let needsBuild = true;
  const from = (): number | undefined => series.t[0];

  function axis(label: string): uPlot.Axis {
    const stroke = dom.colour('--muted');
    const grid = dom.colour('--grid');
    return { label, stroke, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  }
  function chartWidth(el: HTMLElement): number {
    return Math.max(240, Math.floor(el.clientWidth));
  }
  /** A line chart in `el` of `lines` against seconds, `unit` on its y axis, the events marked. */
  function lineChart(el: HTMLElement, unit: string, lines: uPlot.Series[], data: uPlot.AlignedData): uPlot {
    return new UPlot(
      {
        width: chartWidth(el),
        height: 260,
        scales: { x: { time: false } },
        legend: { live: false },
        axes: [axis('seconds since start'), axis(unit)],
        series: [{ label: 's' }, ...lines],
        plugins: [markers(from)],
      },
      data,
      el,
    );
  }
  function build(): void {
    loadChart?.destroy();
    syncChart?.destroy();
    const line = (label: string, colour: number): uPlot.Series => ({
      label,
      stroke: PALETTE[colour % PALETTE.length] ?? '#888',
      width: 2,
    });
    loadChart = lineChart(
      dom.byId('chart-load'),
      'packets/s',
      series.ids.map((id, i) => line(id, i)),
      [series.t, ...series.load],
    );
    syncChart = lineChart(
      dom.byId('chart-sync'),
      'per second',
      [line('corrections/s', 1), line('sync records/s', 2)],
      [series.t, series.corrections, series.sync],
    );
    document.body.dataset['chartsReady'] = 'true';
  }
  function add(frame: DashboardFrame): void {
    const ids = frame.rates.members.map((m) => m.id);
    if (ids.join('\n') !== series.ids.join('\n')) {
      needsBuild = true;
      series.t.length = 0;
      series.corrections.length = 0;
      series.sync.length = 0;
      series.ids = ids;
      series.load = ids.map(() => []);
    }
    series.t.push(frame.snapshot.at / 1000);
    frame.rates.members.forEach((m, i) => {
      series.load[i]?.push(m.packets);
    });
    series.corrections.push(frame.rates.corrections);
    series.sync.push(frame.rates.syncRecords);
    if (series.t.length > POINTS) {
      series.t.shift();
      for (const s of series.load) s.shift();
      series.corrections.shift();
      series.sync.shift();
    }
  }
  function draw(): void {
    if (needsBuild || loadChart === null || syncChart === null) {
      needsBuild = false;
      build();
    } else {
      loadChart.setData([series.t, ...series.load]);
      syncChart.setData([series.t, series.corrections, series.sync]);
    }
  }
  new ResizeObserver(() => {
    for (const [chart, id] of [
      [loadChart, 'chart-load'],
      [syncChart, 'chart-sync'],
    ] as const)
      chart?.setSize({ width: chartWidth(dom.byId(id)), height: 260 });
  }).observe(dom.byId('charts'));
  // The axes take their colours from the theme when built: a new theme, a new build.
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    if (loadChart !== null) build();
  });
  return {
    add,
    draw,
    reset: () => {
      series.ids = [];
    },
  };
}
