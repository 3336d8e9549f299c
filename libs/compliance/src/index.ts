// Compliance orchestration shared by the API and the worker: starting scans.
export { ScanStarter } from './scan-starter';
