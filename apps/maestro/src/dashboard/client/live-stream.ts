/// <reference lib="dom" />
import type { ClusterEvent } from '../../cluster/cluster-handle.js';
import type { DashboardFrame } from '../rates.js';
import type { Dom } from './dom.js';
import type { ErrorBanner } from './error-banner.js';

/** What the server pushes over `/api/events`, each message read already. */
export interface StreamHandlers {
  /** The greeting on every (re)connection: the recent frames and events, oldest first. */
  hello(frames: readonly DashboardFrame[], events: readonly ClusterEvent[]): void;
  frame(frame: DashboardFrame): void;
  cluster(event: ClusterEvent): void;
}

/** The Server-Sent Events connection to `/api/events`, its state shown in the `#connection` pill. */
export interface LiveStream {
  connect(): void;
}

/**
 * A piece of the page script: self-contained, see `main.ts`. A fault the server reports, or a
 * message that cannot be read, goes to the error banner.
 */
export function makeLiveStream(dom: Dom, errors: ErrorBanner, on: StreamHandlers): LiveStream {
  const status = dom.byId('connection');
  function setStatus(text: string, tone: string): void {
    dom.setText(status, text);
    status.dataset['tone'] = tone;
  }
  function parse<T>(event: Event): T | null {
    try {
      return JSON.parse((event as MessageEvent<string>).data) as T;
    } catch (e) {
      errors.show(`a message from maestro could not be read: ${e instanceof Error ? e.message : String(e)}`);
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
      on.hello(hello.frames, hello.events);
      if (hello.frames.length === 0) setStatus('live, waiting for the first snapshot', 'ok');
    });
    source.addEventListener('frame', (event) => {
      const frame = parse<DashboardFrame>(event);
      if (frame !== null) on.frame(frame);
    });
    source.addEventListener('cluster', (event) => {
      const e = parse<ClusterEvent>(event);
      if (e !== null) on.cluster(e);
    });
    source.addEventListener('fault', (event) => {
      const fault = parse<{ message: string }>(event);
      if (fault !== null) errors.show(fault.message);
    });
  }
  return { connect };
}
