import { parseFlow } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { setKernelThreshold } from '../src/bucket-index.js';
import { R, recordBatch, recordBatchKernel } from '../src/entry-record.js';
import { FindFlag, FlowTable, TcpFlag } from '../src/index.js';
import { RecordMemory } from '../src/record-memory.js';
import { TimeStore } from '../src/time-store.js';

/** `make()` with every index, however small, in page-aligned memory with the kernels (when there is WebAssembly). */
function withKernel<T>(make: () => T): T {
  const before = setKernelThreshold(0);
  try {
    return make();
  } finally {
    setKernelThreshold(before);
  }
}

/** True when `table`'s records live in a WebAssembly memory, so that recordMany runs in the kernel. */
function recordsInKernel(table: FlowTable): boolean {
  return (table as unknown as { recordMemory: unknown }).recordMemory !== null;
}

const hasWasm = typeof (globalThis as { WebAssembly?: unknown }).WebAssembly === 'object';

for (const path of ['JavaScript', 'WebAssembly kernel'] as const) {
  const table = (options: { symmetric: boolean }): FlowTable =>
    path === 'JavaScript' ? new FlowTable(options) : withKernel(() => new FlowTable(options));

  describe(`recordMany (${path})`, () => {
    it(`should put the records where recordMany runs on the ${path} path`, () => {
      expect(recordsInKernel(table({ symmetric: true }))).toBe(path !== 'JavaScript' && hasWasm);
    });

    it(`should record with recordMany exactly what record gives one packet at a time (${path})`, () => {
      const time = fc.oneof(fc.integer({ min: -5, max: 2 ** 33 }), fc.constantFrom(0.5, -0, 2 ** 31));
      const hit = fc.record({
        handle: fc.integer({ min: -1, max: 11 }),
        reply: fc.boolean(),
        bytes: fc.oneof(fc.nat({ max: 1500 }), fc.constant(0xffff_ffff)),
        flags: fc.nat({ max: 255 }),
      });
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 12 }),
          fc.array(fc.tuple(time, fc.array(hit, { maxLength: 70 })), { minLength: 1, maxLength: 6 }),
          (size, rounds) => {
            const one = new FlowTable({ symmetric: true });
            const many = table({ symmetric: true });
            for (let i = 0; i < size; i++) {
              const key = parseFlow(`${i % 2 === 0 ? 'tcp' : 'udp'} 10.0.0.1:${i + 1} -> 10.0.0.2:80`);
              one.insert(key, 7, 0);
              many.insert(key, 7, 0);
            }
            for (const [now, hits] of rounds) {
              const n = hits.length;
              const handles = Int32Array.from(hits, (x) => (x.handle < size ? x.handle : -1));
              const flags = Uint8Array.from(hits, (x) => (x.reply ? FindFlag.REPLY : 0));
              const bytes = Uint32Array.from(hits, (x) => x.bytes);
              const tcp = Uint8Array.from(hits, (x) => x.flags);
              hits.forEach((x, i) => {
                const h = handles[i] as number;
                if (h >= 0) one.record(h, now, x.bytes, x.flags, x.reply);
              });
              many.recordMany(handles, flags, now, bytes, tcp, 0, n);
            }
            for (let h = 0; h < size; h++) {
              expect([many.packets(h), many.bytes(h), many.lastSeen(h), many.state(h)]).toEqual([
                one.packets(h),
                one.bytes(h),
                one.lastSeen(h),
                one.state(h),
              ]);
            }
          },
        ),
      );
    });

    it(`should reject bad recordMany buffers, ranges and handles with typed errors and record nothing (${path})`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: -2, max: 6 }),
          fc.integer({ min: -1, max: 6 }),
          fc.integer({ min: -1, max: 4 }),
          fc.constantFrom('handles', 'flags', 'bytes', 'tcp', 'none'),
          fc.boolean(),
          (from, to, badHandle, wrong, long) => {
            // A long range (past one kernel batch) is checked before the kernel's first batch.
            const lanes = long ? 40 : 4;
            const t = table({ symmetric: false });
            for (let i = 0; i < 3; i++) t.insert(parseFlow(`tcp 10.0.0.1:${i + 1} -> 10.0.0.2:80`), 0, 0);
            const handles = new Int32Array(lanes).map((_, i) => i % 3);
            handles[lanes - 1] = badHandle;
            const args = {
              handles: handles as unknown,
              flags: new Uint8Array(lanes) as unknown,
              bytes: new Uint32Array(lanes).fill(60) as unknown,
              tcp: new Uint8Array(lanes).fill(TcpFlag.ACK) as unknown,
            };
            if (wrong !== 'none') args[wrong] = Array.from({ length: lanes }, () => 0);
            const end = to === 4 ? lanes : to;
            const call = () =>
              t.recordMany(
                args.handles as Int32Array,
                args.flags as Uint8Array,
                1,
                args.bytes as Uint32Array,
                args.tcp as Uint8Array,
                from,
                end,
              );
            const rangeOk = from >= 0 && end >= from && end <= lanes;
            if (wrong !== 'none' || !rangeOk) {
              expect(call).toThrow(expect.objectContaining({ code: 'INVALID_VALUE' }));
            } else if (from < end && end === lanes && badHandle >= 3) {
              expect(call).toThrow(expect.objectContaining({ code: 'INVALID_HANDLE' }));
            } else {
              call();
              return;
            }
            for (let h = 0; h < 3; h++) expect([t.packets(h), t.lastSeen(h)]).toEqual([0, 0]);
          },
        ),
      );
    });
  });
}

/** Any 32-bit word, the values next to every carry often. */
const word = fc.oneof(
  fc.nat({ max: 0xffff_ffff }),
  fc.constantFrom(0, 1, 0xffff, 0x1_0000, 0xffff_fffe, 0xffff_ffff, 0x7fff_ffff, 0x8000_0000, 0xf000_0000),
);

describe('the WebAssembly record kernel', () => {
  it('should update every counter (carries into the high halves included), last-seen code and state as the JavaScript update does, for any record words', () => {
    const ENTRIES = 6;
    const kernel = RecordMemory.create(ENTRIES * R);
    if (kernel === null) return; // no WebAssembly here: there is only the JavaScript update
    const lane = fc.record({
      handle: fc.integer({ min: -1, max: ENTRIES - 1 }),
      reply: fc.boolean(),
      bytes: word,
      flags: fc.nat({ max: 255 }),
    });
    fc.assert(
      fc.property(
        fc.array(word, { minLength: ENTRIES * R, maxLength: ENTRIES * R }),
        fc.array(fc.nat({ max: 2 ** 31 }), { minLength: ENTRIES, maxLength: ENTRIES }),
        fc.array(fc.boolean(), { minLength: ENTRIES, maxLength: ENTRIES }),
        fc.array(lane, { maxLength: 70 }),
        fc.oneof(fc.integer({ min: 0, max: 2 ** 31 }), fc.constantFrom(-1, 0.5, -0, 2 ** 31 + 0.5)),
        (words, seen, pooled, lanes, offset) => {
          // Both sides get the same time store: epoch 1000, a pooled time for some entries.
          const stores = [new TimeStore(), new TimeStore()];
          const js = Uint32Array.from(words);
          for (let e = 0; e < ENTRIES; e++) {
            const t = pooled[e] ? (seen[e] as number) + 0.25 : 1000 + (seen[e] as number);
            for (const times of stores) {
              times.encode(1000);
              js[e * R + 4] = times.encode(t);
            }
          }
          kernel.records.set(js);
          const handles = Int32Array.from(lanes, (x) => x.handle);
          const flags = Uint8Array.from(lanes, (x) => (x.reply ? FindFlag.REPLY : 0));
          const bytes = Uint32Array.from(lanes, (x) => x.bytes);
          const tcp = Uint8Array.from(lanes, (x) => x.flags);
          const now = 1000 + offset;
          const [jsTimes, kernelTimes] = stores as [TimeStore, TimeStore];
          recordBatch(js, jsTimes, handles, flags, now, bytes, tcp, 0, lanes.length, ENTRIES);
          const bad = recordBatchKernel(
            kernel,
            kernelTimes,
            handles,
            flags,
            now,
            bytes,
            tcp,
            0,
            lanes.length,
            ENTRIES,
          );
          expect(bad).toBe(-1);
          expect(Array.from(kernel.records)).toEqual(Array.from(js));
          for (let e = 0; e < ENTRIES; e++) {
            expect(kernelTimes.decode(kernel.records[e * R + 4] as number)).toBe(
              jsTimes.decode(js[e * R + 4] as number),
            );
          }
        },
      ),
    );
  });
});
