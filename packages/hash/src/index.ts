export { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './address.js';
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
  PortKind,
  reverseFlowKey,
  setFlowV4,
  setFlowV6,
} from './flow-key.js';
export { formatFlow, hasPorts, parseFlow, parseProtocol, protocolName } from './flow-text.js';
