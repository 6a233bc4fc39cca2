export {
  type Cidr,
  cidrContainsV4,
  cidrContainsV6,
  formatCidr,
  maskCidr,
  maskV4,
  parseCidr,
} from './cidr.js';
export { type CompiledPolicy, type CompileOptions, compilePolicy, DEFAULT_FLOW_CACHE } from './compile.js';
export { formatPath } from './config-path.js';
export {
  type ConfigIssue,
  formatIssue,
  PolicyConfigError,
  PolicyError,
  type PolicyErrorCode,
} from './errors.js';
export { matchLinear, ruleMatches } from './linear.js';
export {
  DEFAULT_PERSISTENCY_TIMEOUT,
  type LogicalServerConfig,
  type Persistency,
  type RealServerConfig,
} from './logical-servers.js';
export { PACKET_WORDS, PacketBatch, PacketWord } from './packet-batch.js';
export { type ParseOptions, parsePolicy } from './parse.js';
export {
  BALANCE_METHODS,
  type BalanceMethod,
  DEFAULT_HIDE_PORTS,
  DEFAULT_SYNC,
  type HideNatRule,
  type InterfaceTopology,
  type NatRule,
  type Policy,
  type Rule,
  type RuleAction,
  type RuleMatch,
  type StaticNatRule,
  SYNC_SCOPES,
  type SyncScope,
  type Topology,
  type VlanTopology,
  type Zone,
} from './policy.js';
export { type ConfigValue, type PrintOptions, policyToConfig, printPolicy } from './print.js';
export { formatRange, parseRange, type Range } from './range.js';
export type { ConfigFormat, PathKey, Position } from './source.js';
export { autoMode, topologyMode } from './topology.js';
export { type ValidateOptions, validatePolicy } from './validate.js';
