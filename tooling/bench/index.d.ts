/** Options of a timing loop. */
export interface MeasureOptions {
  /** Milliseconds each sample runs for. @default 300 */
  readonly minMs?: number;
  /** Samples taken; the best rate is kept. @default 5 */
  readonly samples?: number;
  /** Warm-up before sampling, in milliseconds. @default 200 */
  readonly warmupMs?: number;
}
/** Times `run(iterations)`; returns the best rate in operations per second. */
export declare function measure(
  run: (iterations: number) => unknown,
  options?: MeasureOptions,
): { opsPerSec: number; sink: number };
/** Times one call of `run`, best of `samples`, in milliseconds. */
export declare function timeOnce<T>(
  run: () => T,
  options?: { readonly samples?: number },
): { ms: number; sink: T };
/** Compiles a C source with `cc -O3`; returns the binary's path. */
export declare function compileC(
  source: string,
  options?: { readonly name?: string; readonly flags?: readonly string[]; readonly libs?: readonly string[] },
): string;
/** Runs a binary and parses the JSON it prints. */
export declare function runJson<T = Record<string, number>>(
  bin: string,
  args?: readonly (string | number)[],
): T;
/** True when `cc` is available. */
export declare function haveCompiler(): boolean;
/** Formats operations per second. */
export declare function formatRate(perSec: number): string;
/** Peak RSS of this process, in MiB. */
export declare function peakRssMiB(): number;
/** Prints an aligned text table; the first row is the header. */
export declare function printTable(rows: readonly (readonly (string | number)[])[]): void;
/**
 * The libpcap reference loop (C source): pcap_next_ex over a file, extracting the 5-tuple, printing
 * {"packets", "seconds", "cpuSeconds", "sum"}. Compile with `compileC(LIBPCAP_SOURCE, { libs: ['-lpcap'] })`.
 */
export declare const LIBPCAP_SOURCE: string;
