import type { Logger } from '@immutable-infra/core';
import { type Logger as PinoLogger, pino } from 'pino';

/** Keys whose values are never written to a log, however deep they sit. */
const SECRET_KEY = /pass(word)?|secret|token|authkey|apikey|credential|private.?key|^key$|sk$|^ak$/i;

/** Replaces the values of secret-looking keys, recursively. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) ? '[REDACTED]' : redactSecrets(v, depth + 1);
  }
  return out;
}

export type HostLogger = Logger & { child(fields: Record<string, unknown>): HostLogger };

/** Structured JSON logs (one object per line) with secret values redacted. */
export function createLogger(
  options: { level?: string; destination?: NodeJS.WritableStream } = {},
): HostLogger {
  const base = pino(
    {
      level: options.level ?? 'info',
      base: { component: 'iinfra-manager' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redactSecrets(object) as Record<string, unknown>,
      },
    },
    (options.destination as pino.DestinationStream | undefined) ?? pino.destination({ fd: 2, sync: false }),
  );
  return wrap(base);
}

function wrap(logger: PinoLogger): HostLogger {
  return {
    debug: (message, fields) => logger.debug(fields ?? {}, message),
    info: (message, fields) => logger.info(fields ?? {}, message),
    warn: (message, fields) => logger.warn(fields ?? {}, message),
    error: (message, fields) => logger.error(fields ?? {}, message),
    child: (fields) => wrap(logger.child(redactSecrets(fields) as Record<string, unknown>)),
  };
}
