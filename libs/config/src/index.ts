export { loadConfig, redactUrl, ConfigError } from './app-config';
export type { AppConfig } from './app-config';
