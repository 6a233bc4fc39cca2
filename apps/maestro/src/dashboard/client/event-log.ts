/// <reference lib="dom" />
import type { ClusterEvent } from '../../cluster/cluster-handle.js';
import type { Dom } from './dom.js';

/** The event log (`#events`), newest first, and the events it holds for the charts' markers. */
export interface EventLog {
  /** The last events, oldest first. */
  readonly events: readonly ClusterEvent[];
  add(event: ClusterEvent): void;
  clear(): void;
  /** The tone (`bad`, `warn`, `info`, `ok`) of an event's kind; none for a kind that is news only. */
  tone(kind: string): string | undefined;
}

/** A piece of the page script: self-contained, see `main.ts`. */
export function makeEventLog(dom: Dom): EventLog {
  const MAX_EVENTS = 200;
  const EVENT_TONES: Record<string, string> = {
    kill: 'bad',
    stop: 'warn',
    detected: 'warn',
    cont: 'info',
    restart: 'ok',
    resync: 'ok',
  };
  const log = dom.byId('events');
  const events: ClusterEvent[] = [];
  function add(e: ClusterEvent): void {
    events.push(e);
    if (events.length > MAX_EVENTS) events.shift();
    const item = dom.make('li', 'event');
    item.dataset['kind'] = e.kind;
    item.dataset['tone'] = EVENT_TONES[e.kind] ?? 'idle';
    item.append(
      dom.make('time', 'event-at', `${(e.at / 1000).toFixed(2)} s`),
      dom.make('span', 'event-kind', e.kind),
      dom.make('span', 'event-member', e.member ?? ''),
      dom.make('span', 'event-detail', e.detail),
    );
    log.prepend(item);
    while (log.children.length > MAX_EVENTS) log.lastElementChild?.remove();
    dom.byId('events-empty').hidden = true;
  }
  function clear(): void {
    events.length = 0;
    log.replaceChildren();
  }
  return { events, add, clear, tone: (kind) => EVENT_TONES[kind] };
}
