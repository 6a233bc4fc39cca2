export { DashboardError, type DashboardErrorCode, DashboardRequestError } from './errors.js';
export {
  computeRates,
  counterRate,
  type DashboardFrame,
  type GroupRates,
  type MemberRates,
} from './rates.js';
export {
  checkLoopbackRequest,
  type DashboardRoute,
  type MemberAction,
  parseWeightBody,
  requireMember,
  routeRequest,
} from './requests.js';
export { type Dashboard, type DashboardOptions, startDashboard } from './server.js';
