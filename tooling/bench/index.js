import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Times `run(iterations)` (which must perform `iterations` operations and return a value that
 * depends on them, so the JIT cannot drop the work) until `minMs` has passed, after a warm-up.
 * Reports the best of `samples` rates: the least disturbed by the other core's noise.
 */
export function measure(run, { minMs = 300, samples = 5, warmupMs = 200 } = {}) {
  let iterations = 1;
  let sink = 0;
  const warmEnd = performance.now() + warmupMs;
  while (performance.now() < warmEnd) {
    sink ^= Number(run(iterations)) | 0;
    iterations = Math.min(iterations * 2, 1 << 26);
  }
  let best = 0;
  for (let s = 0; s < samples; s++) {
    let ops = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < minMs) {
      sink ^= Number(run(iterations)) | 0;
      ops += iterations;
      elapsed = performance.now() - start;
    }
    best = Math.max(best, (ops / elapsed) * 1000);
  }
  return { opsPerSec: best, sink };
}

/** Times one call of `run` (best of `samples`), in milliseconds. */
export function timeOnce(run, { samples = 5 } = {}) {
  let best = Number.POSITIVE_INFINITY;
  let sink;
  for (let s = 0; s < samples; s++) {
    const start = performance.now();
    sink = run();
    best = Math.min(best, performance.now() - start);
  }
  return { ms: best, sink };
}

/** Compiles a C source with `cc -O3` into a fresh temporary folder; returns the binary's path. */
export function compileC(source, { name = 'baseline', flags = [], libs = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'maestro-bench-'));
  const src = join(dir, `${name}.c`);
  const bin = join(dir, name);
  writeFileSync(src, source);
  execFileSync('cc', ['-O3', ...flags, '-o', bin, src, ...libs], { stdio: 'inherit' });
  return bin;
}

/** Runs a compiled baseline and parses the JSON object it prints on stdout. */
export function runJson(bin, args = []) {
  const out = execFileSync(bin, args.map(String), { encoding: 'utf8', maxBuffer: 16 << 20 });
  return JSON.parse(out);
}

/** True when a C compiler is on the PATH (benchmarks skip their C column without one). */
export function haveCompiler() {
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Formats a rate: 123456789 -> "123.5 M/s". */
export function formatRate(perSec) {
  if (perSec >= 1e9) return `${(perSec / 1e9).toFixed(2)} G/s`;
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(1)} M/s`;
  if (perSec >= 1e3) return `${(perSec / 1e3).toFixed(1)} k/s`;
  return `${perSec.toFixed(1)} /s`;
}

/** Peak resident set size of this process so far, in MiB. */
export function peakRssMiB() {
  return process.resourceUsage().maxRSS / 1024;
}

/** Prints rows as an aligned plain-text table (first row is the header). */
export function printTable(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  for (const [i, row] of rows.entries()) {
    console.log(row.map((cell, c) => String(cell).padEnd(widths[c])).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

export { LIBPCAP_SOURCE } from './libpcap-loop.js';
