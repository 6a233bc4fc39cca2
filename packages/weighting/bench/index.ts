import {
  compileC,
  formatRate,
  haveCompiler,
  measure,
  printTable,
  runJson,
  timeOnce,
} from '@maestro/bench-tools';
import type { DistributionTable } from '../src/index.js';
import { churn, exactQuotas, type Member, maglev, rebalance } from '../src/index.js';
import { MAGLEV_C } from './maglev-baseline.js';

const M = 65_537;
const group = (n: number): Member[] => Array.from({ length: n }, (_, i) => ({ id: `sgm-${i}`, weight: 1 }));
const members1000 = group(1000);

// 1. maglev build, N = 1000, M = 65537, against C.
const build = timeOnce(() => maglev(members1000, { size: M }), { samples: 15 });
const rows: (string | number)[][] = [['operation', 'this package', 'baseline', 'ratio']];
if (haveCompiler()) {
  const bin = compileC(MAGLEV_C, { name: 'maglev' });
  const c = runJson<{ paperMs: number; strideMs: number }>(bin, [1000, M, 15]);
  rows.push([
    'maglev build N=1000 M=65537',
    `${build.ms.toFixed(2)} ms`,
    `C paper: ${c.paperMs.toFixed(2)} ms`,
    `${(build.ms / c.paperMs).toFixed(2)}×`,
  ]);
  rows.push(['', '', `C stride: ${c.strideMs.toFixed(2)} ms`, `${(build.ms / c.strideMs).toFixed(2)}×`]);
} else {
  rows.push(['maglev build N=1000 M=65537', `${build.ms.toFixed(2)} ms`, 'no C compiler', '-']);
}

// 2. rebalance after one member fails.
const steady = rebalance(maglev(members1000, { size: M }), members1000);
const failed = members1000.filter((m) => m.id !== 'sgm-500');
const rb = timeOnce(() => rebalance(steady, failed), { samples: 25 });
rows.push(['rebalance, 1 of 1000 fails', `${rb.ms.toFixed(3)} ms`, 'target 1 ms', '']);

// 3. lookup: the caller compares the owner with its own id (as the correction layer does), or
// takes the owner's index.
// The loops take the table as a parameter: bundled module-level consts become vars that V8
// reloads on every iteration.
function lookupRate(table: DistributionTable, self: string): number {
  return measure((iterations) => {
    let h = 0x9e3779b9;
    let acc = 0;
    for (let i = 0; i < iterations; i++) {
      h = (h + 0x6d2b79f5) | 0;
      if (table.lookup(h) === self) acc++;
    }
    return acc;
  }).opsPerSec;
}
function lookupIndexRate(table: DistributionTable): number {
  return measure((iterations) => {
    let h = 0x9e3779b9;
    let acc = 0;
    for (let i = 0; i < iterations; i++) {
      h = (h + 0x6d2b79f5) | 0;
      acc += table.lookupIndex(h);
    }
    return acc;
  }).opsPerSec;
}
const lookups = { opsPerSec: lookupRate(steady, steady.ids[500] as string) };
rows.push(['t.lookup(hash) === id', formatRate(lookups.opsPerSec), 'target 100 M/s', '']);
const indexLookups = { opsPerSec: lookupIndexRate(steady) };
rows.push(['t.lookupIndex(hash)', formatRate(indexLookups.opsPerSec), 'target 100 M/s', '']);
printTable(rows);

// 4. Churn: maglev rebuilt vs rebalance vs the minimum (Σ positive quota changes).
console.log('');
const churnRows: (string | number)[][] = [['N', 'removed', 'maglev rebuild', 'rebalance', 'minimum']];
const pct = (x: number) => `${(x * 100).toFixed(3)} %`;
for (const n of [10, 100, 1000]) {
  for (const k of [1, 10]) {
    if (k >= n) {
      churnRows.push([n, k, '-', '-', '-']);
      continue;
    }
    const all = group(n);
    // Remove members spread over the id range, not only the last ones.
    const gone = new Set(Array.from({ length: k }, (_, i) => `sgm-${Math.floor((i * n) / k + n / (2 * k))}`));
    const rest = all.filter((m) => !gone.has(m.id));
    const mBefore = maglev(all, { size: M });
    const mAfter = maglev(rest, { size: M });
    const rBefore = rebalance(mBefore, all);
    const rAfter = rebalance(rBefore, rest);
    const qb = exactQuotas(all, M);
    const qa = exactQuotas(rest, M);
    let min = 0;
    for (const m of rest) min += Math.max(0, (qa.get(m.id) ?? 0) - (qb.get(m.id) ?? 0));
    churnRows.push([n, k, pct(churn(mBefore, mAfter)), pct(churn(rBefore, rAfter)), pct(min / M)]);
  }
}
printTable(churnRows);
