// Compliance orchestration shared by the API and the worker: starting scans.
export { ScanStarter, scanStarterProvider } from './scan-starter';
