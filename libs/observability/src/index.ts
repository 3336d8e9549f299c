export { createLogger, PinoNestLogger, redactText } from './logger';
