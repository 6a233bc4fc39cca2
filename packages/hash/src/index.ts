export { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './address.js';
export { createDistributor, distributionHash, type FlowHasher } from './distribution.js';
export { DISTRIBUTION_MODES, type DistributionLayer, type DistributionMode } from './distribution-mode.js';
export { HashError, type HashErrorCode } from './errors.js';
export {
  assertFlowKey,
  assertPort,
  cloneFlowKey,
  copyFlowKey,
  createFlowKey,
  type FlowKey,
  flowKeyEquals,
  IpProtocol,
  isFlowKeyObject,
  PortKind,
  reverseFlowKey,
  setFlowV4,
  setFlowV6,
} from './flow-key.js';
export { formatFlow, hasPorts, parseFlow, parseProtocol, protocolName } from './flow-text.js';
export { createKeyedHash, type KeyedHasher, type KeyedHashOptions, randomHashKey } from './keyed-hash.js';
export { fmix16, fmix32, spread16 } from './mix.js';
export {
  createToeplitz,
  MICROSOFT_RSS_KEY,
  SYMMETRIC_RSS_KEY,
  type ToeplitzHasher,
  toeplitz,
} from './toeplitz.js';
