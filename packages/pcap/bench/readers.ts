import { PortKind } from '@maestro/hash';
import { DecodeStatus, type PacketRecord } from '../src/index.js';
import { readCaptureFileSync } from '../src/node.js';
import { pcapParserReader } from './pcap-parser-baseline.js';
import { type Run, settle } from './rounds.js';

/** The flow-key fold every reader does: addresses, protocol and ports into a 32-bit sum. */
function foldInto(acc: Uint32Array): (p: PacketRecord) => void {
  return (p) => {
    if (p.status !== DecodeStatus.OK) return;
    const f = p.flow;
    let src = f.srcV4;
    let dst = f.dstV4;
    if (f.family === 6) {
      src = 0;
      dst = 0;
      const s6 = f.src6;
      const d6 = f.dst6;
      for (let i = 0; i < 16; i += 4) {
        src ^=
          ((s6[i] as number) << 24) |
          ((s6[i + 1] as number) << 16) |
          ((s6[i + 2] as number) << 8) |
          (s6[i + 3] as number);
        dst ^=
          ((d6[i] as number) << 24) |
          ((d6[i + 1] as number) << 16) |
          ((d6[i + 2] as number) << 8) |
          (d6[i + 3] as number);
      }
    }
    const ports = f.portKind === PortKind.PORTS ? f.srcPort ^ f.dstPort : 0;
    acc[0] = (acc[0] as number) + (src ^ dst ^ f.protocol ^ ports);
  };
}

/** @maestro/pcap reading and decoding a file, timed; the callback is made once and reused. */
export function oursReader(): (path: string) => Run {
  const acc = new Uint32Array(1);
  const fold = foldInto(acc);
  return (path) => {
    acc[0] = 0;
    const start = performance.now();
    const cpu0 = process.cpuUsage();
    const summary = readCaptureFileSync(path, fold);
    const cpu = process.cpuUsage(cpu0);
    if (summary.error !== null) throw summary.error;
    return {
      packets: summary.packets,
      seconds: (performance.now() - start) / 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      sum: acc[0] as number,
    };
  };
}

/** The JavaScript readers a child process can time. */
export type ReaderName = 'ours' | 'pcap-parser';

/** Warm-up runs before the timed one: enough for V8 to settle its optimised code. */
const WARM_UP_RUNS = 2;

/**
 * One timed run in this (fresh) process: {@link WARM_UP_RUNS} runs of the same reader on the same
 * file (JIT, page cache), {@link settle}, then the timed run. A process per run keeps one reader's
 * heap, garbage and compiled code out of the other's figures: in one shared process, the
 * collections `pcap-parser` causes aged our idle code until V8 dropped it, and our next run paid
 * to compile again.
 */
export async function childRun(name: ReaderName, path: string): Promise<Run> {
  const read = name === 'ours' ? oursReader() : pcapParserReader();
  for (let i = 0; i < WARM_UP_RUNS; i++) await read(path);
  await settle();
  return read(path);
}
