import { MAX_BLOCK_LENGTH } from './limits.js';

/** Receives the bytes a writer produces, in order; the writer never touches a chunk again. */
export type ByteSink = (chunk: Uint8Array) => void;

/** A write buffer that hands full chunks to a {@link ByteSink} (internal to the writers). */
export class ChunkBuffer {
  bytes: Uint8Array;
  view: DataView;
  pos = 0;
  private readonly size: number;

  constructor(
    private readonly sink: ByteSink,
    size: number,
  ) {
    this.size = Math.max(size, MAX_BLOCK_LENGTH + 64);
    this.bytes = new Uint8Array(this.size);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Makes room for `n` more bytes (n never exceeds the chunk size). */
  reserve(n: number): void {
    if (this.pos + n > this.bytes.length) this.flush();
  }

  /** Hands what is buffered to the sink and starts a fresh chunk. */
  flush(): void {
    if (this.pos === 0) return;
    const full = this.bytes.subarray(0, this.pos);
    this.bytes = new Uint8Array(this.size);
    this.view = new DataView(this.bytes.buffer);
    this.pos = 0;
    this.sink(full);
  }
}

/** Collects chunks and joins them (for writing a capture into memory). */
export function collectBytes(): { readonly sink: ByteSink; result(): Uint8Array } {
  const chunks: Uint8Array[] = [];
  let total = 0;
  return {
    sink: (chunk) => {
      chunks.push(chunk);
      total += chunk.length;
    },
    result: () => {
      const out = new Uint8Array(total);
      let at = 0;
      for (const chunk of chunks) {
        out.set(chunk, at);
        at += chunk.length;
      }
      return out;
    },
  };
}
