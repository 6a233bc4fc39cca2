export { identity } from './identity.js';
