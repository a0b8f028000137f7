// Path events become xAPI statements under the paths-progress load: bench/xapi/emission-lag.ts.
export { scenario } from '../xapi/emission-lag.js';
