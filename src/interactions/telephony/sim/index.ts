/** `ors sim tserver` as a library: the simulator, its options and its report (docs/telephony.md). */
export { TServerSim } from './server.js';
export type { TServerSimOptions } from './options.js';
export { formatReport, type SimReport, type NodeReport, type ClientReport } from './report.js';
