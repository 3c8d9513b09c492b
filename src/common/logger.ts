import pino from 'pino';
import { redact, redactText } from './redact';
import { requestScope } from './request-scope';

/**
 * One-line JSON logs on stderr through pino. Every line written while a request's work runs carries that request's
 * id (`reqId`, from the AsyncLocalStorage scope the HTTP server opens), so service code logs without plumbing ids.
 * Fields and messages are redacted first (redact.ts): no credentials, no image bytes.
 *
 *   {"level":"info","time":"2025-01-01T12:00:00.000Z","reqId":"5f0c…","msg":"request","method":"POST",…}
 */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

type Fields = Record<string, unknown>;

const base = pino(
  {
    level: 'info',
    base: undefined, // no pid/hostname: the orchestrator labels the stream
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => {
      const scope = requestScope.current();
      return scope ? { reqId: scope.requestId } : {};
    },
  },
  // Synchronous: a line written just before process.exit (boot failure, shutdown) is never lost.
  pino.destination({ dest: 2, sync: true }),
);

export function setLogLevel(level: LogLevel): void {
  base.level = level;
}

function write(level: Exclude<LogLevel, 'silent'>, msg: string, fields?: Fields): void {
  if (!base.isLevelEnabled(level)) return;
  base[level]((fields ? redact(fields) : {}) as Fields, redactText(msg));
}

export const logger = {
  debug: (msg: string, fields?: Fields) => write('debug', msg, fields),
  info: (msg: string, fields?: Fields) => write('info', msg, fields),
  warn: (msg: string, fields?: Fields) => write('warn', msg, fields),
  error: (msg: string, fields?: Fields) => write('error', msg, fields),
};
