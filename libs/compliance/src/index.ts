// Compliance orchestration shared by the API and the worker: starting scans, reaching snapshot kinds.
export { ScanStarter, scanStarterProvider } from './scan-starter';
export { KIND_RESOURCES, listPathFor, objectPathFor } from './kube-resources';
