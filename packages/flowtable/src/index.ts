export { BATCH as FIND_BATCH, FindFlag } from './bulk-find.js';
export { ConnState, initialState, nextState, STATE_COUNT, stateName, TcpFlag } from './conn-state.js';
export { MAX_ENTRIES } from './entry-table.js';
export { FlowTableError, type FlowTableErrorCode } from './errors.js';
export { FlowTable, type FlowTableOptions } from './flow-table.js';
export { KEY_WORDS, KeyWord } from './packed-find.js';
export { DEFAULT_TIMEOUTS, resolveTimeouts, type Timeouts, timeoutsByState } from './timeouts.js';
