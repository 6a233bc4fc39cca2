export { type ResolvedConfig, validateConfig } from './config.js';
export { Decision, DropCause, REASON_NAMES, Reason } from './decision.js';
export { createDecisionBuffers, type DecisionBuffers } from './decision-buffers.js';
export { CorrectionError, type CorrectionErrorCode } from './errors.js';
export { fragmentKey } from './fragment-key.js';
export { type DeliveryResult, Group } from './group.js';
export { MAX_HOPS, MemberEngine } from './member-engine.js';
export {
  applyNat,
  type Cidr,
  hideSlice,
  matchNat,
  type NatMatch,
  type NatRule,
  validateNatRules,
} from './nat.js';
export { PACKED_WORDS, PackedBatch, PackedWord } from './packed-batch.js';
export { createPacket } from './packet.js';
export type { CorrectionStats } from './stats.js';
export type {
  CorrectionConfig,
  CorrectionMessage,
  Distribute,
  Ingress,
  Packet,
  Route,
  Translate,
} from './types.js';
