export {
  type AvailabilityOptions,
  availabilityOptions,
  ServerHealth,
  type ServerState,
} from './availability.js';
export { domainAffinity, domainLabels, sharedSuffix } from './domain.js';
export { ConnectControlError, type ConnectControlErrorCode, LoadReportError } from './errors.js';
export {
  decodeLoadReport,
  encodeLoadReport,
  LOAD_AGENT_PORT,
  LOAD_REPORT_VERSION,
  type LoadReport,
  MAX_LOAD,
  MAX_SERVER_ID_BYTES,
} from './load-report.js';
export {
  type ClientRequest,
  LogicalServer,
  type LogicalServerOptions,
  METHODS,
  type Method,
  type Persistency,
  type RealServer,
} from './logical-server.js';
