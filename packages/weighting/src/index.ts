export { type MemberCores, weightsFromCores } from './cores.js';
export { WeightingError, type WeightingErrorCode } from './errors.js';
export { type MaglevOptions, maglev, validateMaglev } from './maglev.js';
export { compareIds, MAX_MEMBERS, MAX_WEIGHT, type Member, normalizeMembers } from './member.js';
export { exactQuotas } from './quota.js';
export { minimumMoves, rebalance } from './rebalance.js';
export { type Rendezvous, rendezvous } from './rendezvous.js';
export {
  type BalanceReport,
  balanceReport,
  type ChurnReport,
  churnReport,
  type MemberBalance,
} from './report.js';
export { churn, DistributionTable, movedBuckets } from './table.js';
export { DEFAULT_TABLE_SIZE, isPrime, MAX_TABLE_SIZE } from './table-size.js';
export { loadXxh64, type Xxh64 } from './xxh64.js';
