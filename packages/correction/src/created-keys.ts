import type { FlowKey } from '@maestro/hash';

/**
 * The keys (and translated aliases) of the connections a `decideMany` batch has created so far,
 * as words in one typed array, so that a miss of the batch's bulk lookup is looked up again only
 * when it may be one of them. IPv6 keys are not kept: once one is added, every key may match.
 * Internal to the package.
 */
export class CreatedKeys {
  /** Four words a key: source, destination, ports (source high), protocol | port kind << 8. */
  private readonly words: Int32Array;
  private readonly room: number;
  private count = 0;
  /** A 256-bit filter of the added keys' direction-free hashes: most keys skip the scan. */
  private readonly filter: Int32Array = new Int32Array(8);
  /** An IPv6 key was added, or more keys than there is room for: every key may match. */
  private any = false;

  constructor(room: number) {
    this.room = room;
    this.words = new Int32Array(4 * room);
  }

  /** Forgets every key. */
  clear(): void {
    if (this.count > 0) this.filter.fill(0);
    this.count = 0;
    this.any = false;
  }

  /** True when nothing was added since {@link clear}. */
  get empty(): boolean {
    return this.count === 0 && !this.any;
  }

  /** Remembers `key`, a key already checked. */
  add(key: FlowKey): void {
    if (key.family !== 4 || this.count === this.room) {
      this.any = true;
      return;
    }
    // The fields read once, the addresses as int32 words: handed to bitOf as numbers past 2^31
    // they were boxed (a heap number each) whenever bitOf was not inlined.
    const s = key.srcV4 | 0;
    const d = key.dstV4 | 0;
    const sp = key.srcPort;
    const dp = key.dstPort;
    const protocol = key.protocol;
    const bit = bitOf(s, d, sp, dp, protocol);
    const f = this.filter;
    f[bit >>> 5] = (f[bit >>> 5] as number) | (1 << (bit & 31));
    const w = this.words;
    const b = 4 * this.count++;
    w[b] = s;
    w[b + 1] = d;
    w[b + 2] = (sp << 16) | dp;
    w[b + 3] = protocol | (key.portKind << 8);
  }

  /** True when `key` could find one of the added keys in a symmetric table (either direction). */
  mayHold(key: FlowKey): boolean {
    if (this.any || key.family !== 4) return this.any || this.count > 0;
    return this.mayHold4(
      key.srcV4 | 0,
      key.dstV4 | 0,
      key.srcPort,
      key.dstPort,
      key.protocol | (key.portKind << 8),
    );
  }

  /**
   * {@link mayHold} for the checked key words at `words[b ..]` (the layout of `KeyWord` in
   * `@maestro/flowtable`), with no key object.
   */
  mayHoldWords(words: Int32Array, b: number): boolean {
    if (this.any || words[b] !== 4) return this.any || this.count > 0;
    // KeyWord: PROTOCOL 1, PORT_KIND 2, SRC_PORT 3, DST_PORT 4, SRC 8, DST 12.
    const meta = (words[b + 1] as number) | ((words[b + 2] as number) << 8);
    return this.mayHold4(
      words[b + 8] as number,
      words[b + 12] as number,
      words[b + 3] as number,
      words[b + 4] as number,
      meta,
    );
  }

  /** {@link mayHold} of an IPv4 key: addresses as int32 words, `meta` protocol | port kind << 8. */
  private mayHold4(s: number, d: number, sp: number, dp: number, meta: number): boolean {
    const ports = (sp << 16) | dp;
    const bit = bitOf(s, d, sp, dp, meta & 0xff);
    if (((this.filter[bit >>> 5] as number) & (1 << (bit & 31))) === 0) return false;
    const w = this.words;
    const back = (dp << 16) | sp;
    for (let b = 0, end = 4 * this.count; b < end; b += 4) {
      if (w[b + 3] !== meta) continue;
      const ws = w[b] as number;
      const wd = w[b + 1] as number;
      const wp = w[b + 2] as number;
      if ((ws === s && wd === d && wp === ports) || (ws === d && wd === s && wp === back)) return true;
    }
    return false;
  }
}

/** A bit 0..255 from an IPv4 key's words, the same for the key and its reverse. */
function bitOf(s: number, d: number, sp: number, dp: number, protocol: number): number {
  const ports = (sp ^ dp) * 0x10001;
  return Math.imul(s ^ d ^ ports ^ protocol, 0x9e3779b1) >>> 24;
}
