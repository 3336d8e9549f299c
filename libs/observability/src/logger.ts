import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';

/** Field names whose values are secrets wherever they appear in a log object. */
const REDACT = [
  'token',
  'caData',
  'caPem',
  'authorization',
  'password',
  'kubeconfig',
  'secret',
  '*.secret',
  '*.token',
  '*.caData',
  '*.caPem',
  '*.authorization',
  '*.password',
  '*.kubeconfig',
  'req.headers.authorization',
  'headers.authorization',
  'input.token',
  'variables.input.token',
];

const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi;
const FLT_TOKEN = /flt_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}/g;
const WEBHOOK_SECRET = /whsec_[A-Za-z0-9_-]{43}/g;

/** Masks bearer tokens, Flotilla tokens and webhook secrets inside free text (error messages from libraries). */
export function redactText(text: string): string {
  return text.replace(BEARER, '$1[REDACTED]').replace(FLT_TOKEN, 'flt_[REDACTED]').replace(WEBHOOK_SECRET, 'whsec_[REDACTED]');
}

/** `destination`: where the JSON lines go (default stdout); tests pass a stream to search what was logged. */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    redact: { paths: REDACT, censor: '[REDACTED]' },
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    hooks: {
      logMethod(args, method) {
        // Strings are scanned too: a library's error message may quote a header.
        method.apply(this, args.map((a) => (typeof a === 'string' ? redactText(a) : a)) as Parameters<typeof method>);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Nest's logger interface over pino: structured JSON lines with secrets redacted. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.write('info', message, context);
  }
  error(message: unknown, trace?: string, context?: string) {
    this.write('error', message, context, trace);
  }
  warn(message: unknown, context?: string) {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string) {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string) {
    this.write('trace', message, context);
  }
  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace', message: unknown, context?: string, trace?: string) {
    if (typeof message === 'object' && message !== null) this.logger[level]({ context, ...(message as object), ...(trace ? { trace } : {}) });
    else this.logger[level]({ context, ...(trace ? { trace: redactText(trace) } : {}) }, String(message));
  }
}
