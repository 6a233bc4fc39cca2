/// <reference lib="dom" />
import type uPlot from 'uplot';
import type { ClusterEvent, MemberView } from '../cluster/cluster-handle.js';
import type { DashboardFrame } from './rates.js';

/**
 * The dashboard's script, run in the browser. The page embeds it as `(${dashboardClient})()`, so
 * it must reference nothing outside its own body (no imports at run time, no module scope); the
 * types above are erased. It reads Server-Sent Events from `/api/events`, draws the member cards,
 * the two uPlot charts and the event log, and posts the buttons to `/api/members/<id>/<action>`.
 */
export function dashboardClient(): void {
  const UPlot = (window as unknown as { uPlot: typeof uPlot }).uPlot;
  const POINTS = 240;
  const MAX_EVENTS = 200;
  const MAX_ERRORS = 5;
  const PALETTE = ['#2f6fdf', '#e8743b', '#19a979', '#945ecf', '#ed4a7b', '#13a4b4', '#bf399e', '#6c8893'];
  const TONES: Record<string, string> = {
    ACTIVE: 'ok',
    'ACTIVE(!)': 'warn',
    STANDBY: 'info',
    INIT: 'idle',
    READY: 'idle',
    STOPPED: 'warn',
    DOWN: 'bad',
    LOST: 'bad',
    KILLED: 'bad',
  };
  const EVENT_TONES: Record<string, string> = {
    kill: 'bad',
    stop: 'warn',
    detected: 'warn',
    cont: 'info',
    restart: 'ok',
    resync: 'ok',
  };
  const count = new Intl.NumberFormat('en');
  const rateFormat = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

  function byId(id: string): HTMLElement {
    const el = document.getElementById(id);
    if (el === null) throw new Error(`the page has no #${id}`);
    return el;
  }
  function make<K extends keyof HTMLElementTagNameMap>(
    tag: K,
    className?: string,
    text?: string,
  ): HTMLElementTagNameMap[K] {
    const el = document.createElement(tag);
    if (className !== undefined) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }
  function bytes(n: number): string {
    const units = ['B', 'KiB', 'MiB', 'GiB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) {
      n /= 1024;
      i++;
    }
    return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
  }
  const perSecond = (r: number | null): string => (r === null ? '–' : `${rateFormat.format(r)}/s`);

  // ---- errors: every failure stays on screen until dismissed.
  const errors = byId('errors');
  function showError(message: string): void {
    const item = make('div', 'error');
    item.append(make('span', undefined, message));
    const close = make('button', 'dismiss', '×');
    close.type = 'button';
    close.setAttribute('aria-label', 'dismiss this error');
    close.addEventListener('click', () => item.remove());
    item.append(close);
    errors.prepend(item);
    while (errors.children.length > MAX_ERRORS) errors.lastElementChild?.remove();
  }

  // ---- actions
  async function post(member: string, action: string, body: unknown): Promise<boolean> {
    try {
      const res = await fetch(`/api/members/${encodeURIComponent(member)}/${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.ok) return true;
      const message = `${res.status} ${res.statusText}`;
      try {
        const json = (await res.json()) as { error?: { message?: string } };
        // The server's message names the action and the member already.
        if (json.error?.message !== undefined) {
          showError(json.error.message);
          return false;
        }
      } catch {
        // Not JSON: the status line says enough.
      }
      showError(`${action} ${member}: ${message}`);
    } catch (e) {
      showError(
        `${action} ${member}: ${e instanceof Error ? e.message : String(e)} (is maestro still running?)`,
      );
    }
    return false;
  }

  // ---- member cards: built once per member, then only their text changes (focus and typing survive).
  interface Card {
    readonly root: HTMLLIElement;
    readonly state: HTMLElement;
    readonly fields: Record<string, HTMLElement>;
    readonly weight: HTMLInputElement;
    readonly buttons: Record<string, HTMLButtonElement>;
  }
  const cards = new Map<string, Card>();
  const membersList = byId('members');

  function makeCard(id: string): Card {
    const root = make('li', 'member');
    root.dataset['member'] = id;
    const head = make('div', 'member-head');
    const title = make('h3', undefined, id);
    const state = make('span', 'state');
    state.dataset['field'] = 'state';
    head.append(title, state);
    const list = make('dl');
    const fields: Record<string, HTMLElement> = {};
    for (const name of ['weight', 'pid', 'packets', 'load', 'connections', 'corrections']) {
      const box = make('div');
      const value = make('dd');
      value.dataset['field'] = name;
      box.append(make('dt', undefined, name === 'load' ? 'packets/s' : name), value);
      list.append(box);
      fields[name] = value;
    }
    const actions = make('div', 'actions');
    const buttons: Record<string, HTMLButtonElement> = {};
    for (const action of ['kill', 'stop', 'cont', 'restart']) {
      const b = make('button', `act act-${action}`, action);
      b.type = 'button';
      b.dataset['action'] = action;
      b.setAttribute('aria-label', `${action} ${id}`);
      b.addEventListener('click', async () => {
        b.disabled = true;
        b.setAttribute('aria-busy', 'true');
        await post(id, action, {});
        b.removeAttribute('aria-busy');
        b.disabled = false;
      });
      actions.append(b);
      buttons[action] = b;
    }
    const form = make('form', 'weight-form');
    const label = make('label', undefined, 'weight ');
    const weight = make('input');
    weight.type = 'number';
    weight.min = '0';
    weight.max = '512';
    weight.step = '1';
    weight.required = true;
    weight.inputMode = 'numeric';
    weight.setAttribute('aria-label', `new weight for ${id}`);
    weight.addEventListener('input', () => {
      weight.dataset['dirty'] = 'true';
    });
    label.append(weight);
    const set = make('button', 'act', 'set');
    set.type = 'submit';
    set.setAttribute('aria-label', `set the weight of ${id}`);
    form.append(label, set);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const value = weight.valueAsNumber;
      if (!Number.isInteger(value) || value < 0 || value > 512) {
        showError(`weight ${id}: enter an integer 0..512`);
        return;
      }
      set.disabled = true;
      if (await post(id, 'weight', { weight: value })) delete weight.dataset['dirty'];
      set.disabled = false;
    });
    actions.append(form);
    root.append(head, list, actions);
    return { root, state, fields, weight, buttons };
  }

  function setText(el: HTMLElement | undefined, text: string): void {
    if (el !== undefined && el.textContent !== text) el.textContent = text;
  }

  function renderMembers(frame: DashboardFrame): void {
    const ids = frame.snapshot.members.map((m) => m.id);
    if (ids.join('\n') !== [...cards.keys()].join('\n')) {
      cards.clear();
      membersList.replaceChildren();
      for (const id of ids) {
        const card = makeCard(id);
        cards.set(id, card);
        membersList.append(card.root);
      }
    }
    frame.snapshot.members.forEach((m: MemberView, i: number) => {
      const card = cards.get(m.id);
      if (card === undefined) return;
      const tone = TONES[m.state] ?? 'idle';
      card.root.dataset['state'] = m.state;
      card.root.dataset['tone'] = tone;
      card.state.dataset['tone'] = tone;
      setText(card.state, m.state);
      setText(card.fields['weight'], String(m.weight));
      setText(card.fields['pid'], m.pid === null ? '–' : String(m.pid));
      setText(card.fields['packets'], count.format(m.packets));
      setText(card.fields['load'], perSecond(frame.rates.members[i]?.packets ?? null));
      setText(card.fields['connections'], count.format(m.connections));
      setText(card.fields['corrections'], count.format(m.corrections));
      if (document.activeElement !== card.weight && card.weight.dataset['dirty'] !== 'true')
        card.weight.value = String(m.weight);
      const running = m.pid !== null;
      for (const action of ['kill', 'stop']) {
        const b = card.buttons[action];
        if (b !== undefined && b.getAttribute('aria-busy') !== 'true') b.disabled = !running;
      }
    });
  }

  function renderTotals(frame: DashboardFrame): void {
    const s = frame.snapshot;
    const r = frame.rates;
    const values: Record<string, string> = {
      uptime: `${(s.at / 1000).toFixed(1)} s`,
      table: `v${s.tableVersion}`,
      sent: `${count.format(s.packetsSent)} (${perSecond(r.packetsSent)})`,
      dropped: count.format(s.packetsDropped),
      lost: count.format(s.connectionsLost),
      sync: `${count.format(s.sync.records)} (${perSecond(r.syncRecords)})`,
      syncBytes: bytes(s.sync.bytes),
    };
    for (const [key, text] of Object.entries(values)) {
      const el = document.querySelector<HTMLElement>(`[data-total="${key}"]`);
      if (el === null) continue;
      setText(el, text);
      if (key === 'dropped' || key === 'lost') {
        const bad = (key === 'dropped' ? s.packetsDropped : s.connectionsLost) > 0;
        el.closest('.total')?.classList.toggle('bad', bad);
      }
    }
  }

  // ---- event log
  const log = byId('events');
  const events: ClusterEvent[] = [];
  function addEvent(e: ClusterEvent): void {
    events.push(e);
    if (events.length > MAX_EVENTS) events.shift();
    const item = make('li', 'event');
    item.dataset['kind'] = e.kind;
    item.dataset['tone'] = EVENT_TONES[e.kind] ?? 'idle';
    item.append(
      make('time', 'event-at', `${(e.at / 1000).toFixed(2)} s`),
      make('span', 'event-kind', e.kind),
      make('span', 'event-member', e.member ?? ''),
      make('span', 'event-detail', e.detail),
    );
    log.prepend(item);
    while (log.children.length > MAX_EVENTS) log.lastElementChild?.remove();
    byId('events-empty').hidden = true;
  }

  // ---- charts
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

  function colour(name: string): string {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
  }
  function axis(label: string): uPlot.Axis {
    const stroke = colour('--muted');
    const grid = colour('--grid');
    return { label, stroke, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  }
  function markers(): uPlot.Plugin {
    return {
      hooks: {
        draw: [
          (u: uPlot) => {
            const ctx = u.ctx;
            const from = series.t[0];
            if (from === undefined) return;
            ctx.save();
            ctx.setLineDash([4, 4]);
            ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
            // Events come in bursts (kill, three detections, a table): labels close to the previous
            // one go a row lower, a repeat of the same label is not written again, a fifth row is dropped.
            const near = 90 * devicePixelRatio;
            let row = 0;
            let lastX = Number.NEGATIVE_INFINITY;
            let lastLabel = '';
            for (const e of events) {
              const at = e.at / 1000;
              if (at < from) continue;
              const x = Math.round(u.valToPos(at, 'x', true));
              const tone = EVENT_TONES[e.kind];
              const stroke = colour(tone === undefined ? '--muted' : `--${tone}`);
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
    };
  }
  function chartWidth(el: HTMLElement): number {
    return Math.max(240, Math.floor(el.clientWidth));
  }
  function buildCharts(): void {
    loadChart?.destroy();
    syncChart?.destroy();
    const loadEl = byId('chart-load');
    const syncEl = byId('chart-sync');
    loadChart = new UPlot(
      {
        width: chartWidth(loadEl),
        height: 260,
        scales: { x: { time: false } },
        legend: { live: false },
        axes: [axis('seconds since start'), axis('packets/s')],
        series: [
          { label: 's' },
          ...series.ids.map((id, i) => ({
            label: id,
            stroke: PALETTE[i % PALETTE.length] ?? '#888',
            width: 2,
          })),
        ],
        plugins: [markers()],
      },
      [series.t, ...series.load],
      loadEl,
    );
    syncChart = new UPlot(
      {
        width: chartWidth(syncEl),
        height: 260,
        scales: { x: { time: false } },
        legend: { live: false },
        axes: [axis('seconds since start'), axis('per second')],
        series: [
          { label: 's' },
          { label: 'corrections/s', stroke: PALETTE[1] ?? '#888', width: 2 },
          { label: 'sync records/s', stroke: PALETTE[2] ?? '#888', width: 2 },
        ],
        plugins: [markers()],
      },
      [series.t, series.corrections, series.sync],
      syncEl,
    );
    document.body.dataset['chartsReady'] = 'true';
  }
  function addPoint(frame: DashboardFrame): void {
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
  function drawCharts(): void {
    if (needsBuild || loadChart === null || syncChart === null) {
      needsBuild = false;
      buildCharts();
    } else {
      loadChart.setData([series.t, ...series.load]);
      syncChart.setData([series.t, series.corrections, series.sync]);
    }
  }
  function onFrame(frame: DashboardFrame, draw: boolean): void {
    addPoint(frame);
    renderMembers(frame);
    renderTotals(frame);
    if (draw) drawCharts();
  }
  new ResizeObserver(() => {
    for (const [chart, id] of [
      [loadChart, 'chart-load'],
      [syncChart, 'chart-sync'],
    ] as const)
      chart?.setSize({ width: chartWidth(byId(id)), height: 260 });
  }).observe(byId('charts'));
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    if (loadChart !== null) buildCharts();
  });

  // ---- the live stream
  const status = byId('connection');
  function setStatus(text: string, tone: string): void {
    setText(status, text);
    status.dataset['tone'] = tone;
  }
  function parse<T>(event: Event): T | null {
    try {
      return JSON.parse((event as MessageEvent<string>).data) as T;
    } catch (e) {
      showError(`a message from maestro could not be read: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
  }
  let source: EventSource | null = null;
  function connect(): void {
    source = new EventSource('/api/events');
    source.addEventListener('open', () => setStatus('live', 'ok'));
    source.addEventListener('error', () => {
      if (source?.readyState === EventSource.CLOSED) {
        // The browser gave up (the server answered with an error): try again ourselves.
        setStatus('disconnected, retrying…', 'bad');
        source.close();
        setTimeout(connect, 2000);
      } else setStatus('reconnecting…', 'warn');
    });
    source.addEventListener('hello', (event) => {
      const hello = parse<{ frames: DashboardFrame[]; events: ClusterEvent[] }>(event);
      if (hello === null) return;
      events.length = 0;
      log.replaceChildren();
      for (const e of hello.events) addEvent(e);
      series.ids = [];
      if (hello.frames.length === 0) setStatus('live, waiting for the first snapshot', 'ok');
      hello.frames.forEach((f, i) => {
        onFrame(f, i === hello.frames.length - 1);
      });
    });
    source.addEventListener('frame', (event) => {
      const frame = parse<DashboardFrame>(event);
      if (frame !== null) onFrame(frame, true);
    });
    source.addEventListener('cluster', (event) => {
      const e = parse<ClusterEvent>(event);
      if (e !== null) addEvent(e);
    });
    source.addEventListener('fault', (event) => {
      const fault = parse<{ message: string }>(event);
      if (fault !== null) showError(fault.message);
    });
  }
  connect();
}
