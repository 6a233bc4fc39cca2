import type { ServerResponse } from 'node:http';

/** A client further behind than this is cut off: it reconnects and starts from fresh history. */
const MAX_BUFFERED_BYTES = 1 << 20;

/** One Server-Sent Events message: a named event with one JSON line of data. */
export function sseMessage(event: string, data: unknown): string {
  // JSON.stringify escapes newlines inside strings, so the data is always one `data:` line.
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The open Server-Sent Events streams, each a browser tab watching the group. */
export class EventStreams {
  readonly #clients = new Set<ServerResponse>();

  /** How many streams are open. */
  get size(): number {
    return this.#clients.size;
  }

  /** Starts a stream on `res` and sends `first` (the history a new or reconnecting page needs). */
  open(res: ServerResponse, first: string): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // EventSource reconnects on its own after a drop; 1 s keeps the page from hammering a dead group.
    res.write(`retry: 1000\n\n${first}`);
    this.#clients.add(res);
    res.on('close', () => this.#clients.delete(res));
  }

  /** Sends `message` (from {@link sseMessage}) to every stream, cutting off any that fell too far behind. */
  broadcast(message: string): void {
    for (const res of this.#clients) {
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        this.#clients.delete(res);
        res.destroy();
      } else {
        res.write(message);
      }
    }
  }

  /** Ends every stream. */
  closeAll(): void {
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }
}
