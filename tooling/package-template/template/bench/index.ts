import { formatRate, measure } from '@maestro/bench-tools';
import { identity } from '../src/index.js';

const { opsPerSec } = measure((n) => {
  let acc = 0;
  for (let i = 0; i < n; i++) acc += identity(i);
  return acc;
});
console.log(`identity: ${formatRate(opsPerSec)}`);
