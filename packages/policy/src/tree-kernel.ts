import { CONVERT_LOCALS, CONVERT_PARAMS, convertCode } from './batch-points.js';
import { PACKET_WORDS } from './packet-batch.js';
import { POINT_STRIDE, ROOT_WORD } from './point-layout.js';
import type { TreePair } from './tree-pair.js';
import { Code, moduleBytes } from './wasm-emit.js';

/** Points a kernel call takes at most. */
export const KERNEL_BATCH = 32;

/** The part of the WebAssembly API used here (the package's TypeScript libs do not declare it). */
interface WasmApi {
  Memory: new (limits: { initial: number; maximum: number }) => { readonly buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}

type WalkFn = (pointsAt: number, count: number, outAt: number) => void;
type ConvertFn = (
  recordsAt: number,
  count: number,
  pointsAt: number,
  familiesAt: number,
  root4: number,
  root6: number,
  interfaceCount: number,
) => number;

/** The kernel's two functions. */
interface KernelFns {
  readonly walk: WalkFn;
  readonly convert: ConvertFn;
}

/** Bytes of the scratch after the trees: points, results, packet words, families. */
const SCRATCH_BYTES = KERNEL_BATCH * (POINT_STRIDE + 1 + PACKET_WORDS + 1) * 4;

/**
 * {@link lookupPair} for a batch of points as one WebAssembly function, over a copy of the tree
 * pair in the kernel's own memory: the same node steps (a signed compare yields 0 or 1 directly,
 * so the seven compares need no tricks) and the same leaf scan, without the typed-array bounds
 * and type checks of V8's JavaScript code. The copy holds byte addresses where the pair holds
 * indices (children, leaf references, box ends, and fields as byte offsets into a point), so a
 * step does no address arithmetic beyond an add. Internal to the package.
 */
export class TreeKernel {
  /** The root of the IPv4 tree in the kernel's copy (what a point's root word takes). */
  readonly root4: number;
  /** The root of the IPv6 tree in the kernel's copy. */
  readonly root6: number;
  /** {@link KERNEL_BATCH} points of {@link POINT_STRIDE} ints; word {@link ROOT_WORD} of each is its root. */
  readonly points: Int32Array;
  /** The rule of point `l` after {@link run}. */
  readonly out: Int32Array;
  /** {@link KERNEL_BATCH} packets' words, as a `PacketBatch` holds them, for {@link convert}. */
  readonly records: Int32Array;
  /** The family of point `l` after {@link convert}. */
  readonly families: Int32Array;
  private readonly fns: KernelFns;
  private readonly pointsAt: number;
  private readonly outAt: number;
  private readonly recordsAt: number;
  private readonly familiesAt: number;

  constructor(fns: KernelFns, buffer: ArrayBuffer, roots: readonly [number, number], pointsAt: number) {
    this.fns = fns;
    [this.root4, this.root6] = roots;
    this.pointsAt = pointsAt;
    this.outAt = pointsAt + KERNEL_BATCH * POINT_STRIDE * 4;
    this.recordsAt = this.outAt + KERNEL_BATCH * 4;
    this.familiesAt = this.recordsAt + KERNEL_BATCH * PACKET_WORDS * 4;
    this.points = new Int32Array(buffer, pointsAt, KERNEL_BATCH * POINT_STRIDE);
    this.out = new Int32Array(buffer, this.outAt, KERNEL_BATCH);
    this.records = new Int32Array(buffer, this.recordsAt, KERNEL_BATCH * PACKET_WORDS);
    this.families = new Int32Array(buffer, this.familiesAt, KERNEL_BATCH);
  }

  /**
   * Converts the packets in {@link records} `0 .. count-1` into points `0 .. count-1` (and
   * {@link families}), as `batchPoints` does; returns `count`, or the lane of the first refused
   * packet.
   */
  convert(count: number, interfaceCount: number): number {
    return this.fns.convert(
      this.recordsAt,
      count,
      this.pointsAt,
      this.familiesAt,
      this.root4,
      this.root6,
      interfaceCount,
    );
  }

  /** Looks up points `0 .. count-1` (count <= {@link KERNEL_BATCH}) into {@link out}. */
  run(count: number): void {
    this.fns.walk(this.pointsAt, count, this.outAt);
  }
}

const PAGE = 65536;
let compiled: object | undefined;

/**
 * A kernel over a copy of `pair`, or undefined when WebAssembly is unavailable (`node --jitless`,
 * some sandboxes) or refuses the module or the memory; callers then walk in JavaScript.
 */
export function treeKernel(pair: TreePair): TreeKernel | undefined {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wasm === undefined) return undefined;
  try {
    // Nodes at 0, then the code, then the scratch, each on a cache line.
    const codeAt = pair.nodes.byteLength;
    const pointsAt = Math.ceil((codeAt + pair.code.byteLength) / 64) * 64;
    const bytes = pointsAt + SCRATCH_BYTES;
    const pages = Math.ceil(bytes / PAGE);
    const memory = new wasm.Memory({ initial: pages, maximum: pages });
    compiled ??= new wasm.Module(
      moduleBytes([
        { name: 'walk', params: OUT + 1, returns: false, locals: LOCALS, code: walkCode() },
        {
          name: 'convert',
          params: CONVERT_PARAMS,
          returns: true,
          locals: CONVERT_LOCALS,
          code: convertCode(),
        },
      ]),
    );
    const exports = new wasm.Instance(compiled, { env: { memory } }).exports;
    const fns = { walk: exports['walk'] as WalkFn, convert: exports['convert'] as ConvertFn };
    const nodes = new Int32Array(memory.buffer, 0, pair.nodes.length);
    const code = new Int32Array(memory.buffer, codeAt, pair.code.length);
    const address = (ref: number): number => (ref >= 0 ? ref * 64 : ~(codeAt + 4 * ~ref));
    for (let o = 0; o < nodes.length; o += 16) {
      nodes[o] = 4 * (pair.nodes[o] as number);
      for (let i = 1; i < 8; i++) nodes[o + i] = pair.nodes[o + i] as number;
      for (let i = 8; i < 16; i++) nodes[o + i] = address(pair.nodes[o + i] as number);
    }
    code.set(pair.code);
    // Leaf after leaf: the count, then per box its rule, its end and its checks.
    for (let p = 0; p < code.length; ) {
      const count = code[p] as number;
      p++;
      for (let k = 0; k < count; k++) {
        const end = code[p + 1] as number;
        code[p + 1] = codeAt + 4 * end;
        for (let q = p + 2; q < end; ) {
          const header = code[q] as number;
          code[q] = (4 * (header & 255)) | (header & ~255);
          q += 1 + 2 * (header >>> 8);
        }
        p = end;
      }
    }
    return new TreeKernel(fns, memory.buffer, [address(pair.root4), address(pair.root6)], pointsAt);
  } catch {
    return undefined;
  }
}

/** Points walked side by side, so that one walk's loads overlap another's. */
const LANES = 4;

// Parameters, then locals, by index: the scratch shared by all lanes, then each lane's point
// address and node.
const PTS = 0;
const N = 1;
const OUT = 2;
const I = 3;
const O = 4;
const V = 5;
const K = 6;
const B = 7;
const R = 8;
const END = 9;
const Q = 10;
const H = 11;
const X = 12;
const J = 13;
const STOP = 14;
const LANE_P = 15;
const LANE_NODE = LANE_P + LANES;
const LOCALS = LANE_NODE + LANES - I;

/** One node step of the point at local `p`: node = child #(thresholds < value) of node. */
function step(c: Code, p: number, node: number): void {
  c.get(node).set(O);
  c.get(p).get(O).load(0).add().load(0).set(V);
  for (let t = 1; t < 8; t++) {
    c.get(O)
      .load(4 * t)
      .get(V)
      .ltS();
    if (t > 1) c.add();
  }
  c.const(2).shl().get(O).add().load(32).set(node);
}

/**
 * The leaf scan of the point at local `p` in leaf `~node`, its rule left in R: boxes in rule
 * order, each a list of checks, each a list of intervals (see {@link scanLeaf}).
 */
function scan(c: Code, p: number, node: number): void {
  c.get(node).const(-1).xor().set(B);
  c.get(B).load(0).set(K);
  c.get(B).const(4).add().set(B);
  c.const(-1).set(R);
  c.block().loop(); // per box; B is the box's byte address
  c.get(K).eqz().brIf(1);
  c.get(B).load(4).set(END);
  c.get(B).const(8).add().set(Q);
  c.block().loop(); // per check; leaving the block means the box fails
  c.get(Q).get(END).geU().if().get(B).load(0).set(R).br(4).end();
  c.get(Q).load(0).set(H);
  c.get(p).get(H).const(255).and().add().load(0).set(X);
  c.get(Q).const(4).add().set(J);
  c.get(H).const(8).shrU().const(3).shl().get(J).add().set(STOP);
  c.block().loop(); // per interval; leaving the block means the check holds
  c.get(J).get(STOP).geU().brIf(3);
  c.get(X).get(J).load(0).sub().get(J).load(4).get(J).load(0).sub().leU().brIf(1);
  c.get(J).const(8).add().set(J).br(0);
  c.end().end();
  c.get(STOP).set(Q).br(0);
  c.end().end();
  c.get(END).set(B).get(K).const(1).sub().set(K).br(0);
  c.end().end();
}

/**
 * `walk(pointsAt, count, outAt, codeAt)`: {@link LANES} points at a time, their node walks
 * interleaved (each round moves every unfinished one a node down), then their leaf scans. A
 * lane past `count` starts on a leaf (so it takes no step) and is not scanned.
 */
function walkCode(): Code {
  const c = new Code();
  c.const(0).set(I);
  c.block().loop(); // per group of lanes
  c.get(I).get(N).geS().brIf(1);
  for (let k = 0; k < LANES; k++) {
    c.get(I)
      .const(k)
      .add()
      .const(Math.log2(POINT_STRIDE * 4))
      .shl()
      .get(PTS)
      .add()
      .tee(LANE_P + k);
    c.load(ROOT_WORD * 4)
      .const(-1)
      .get(I)
      .const(k)
      .add()
      .get(N)
      .ltS()
      .select()
      .set(LANE_NODE + k);
  }
  c.block().loop();
  for (let k = 0; k < LANES; k++) {
    c.get(LANE_NODE + k)
      .const(0)
      .geS()
      .if();
    step(c, LANE_P + k, LANE_NODE + k);
    c.end();
  }
  // Again while any lane is still on an inner node (a non-negative one).
  c.get(LANE_NODE);
  for (let k = 1; k < LANES; k++) c.get(LANE_NODE + k).and();
  c.const(0).geS().brIf(0);
  c.end().end();
  for (let k = 0; k < LANES; k++) {
    c.get(I).const(k).add().get(N).ltS().if();
    scan(c, LANE_P + k, LANE_NODE + k);
    c.get(OUT).get(I).const(k).add().const(2).shl().add().get(R).store(0);
    c.end();
  }
  c.get(I).const(LANES).add().set(I).br(0);
  c.end().end();
  return c;
}
