import type { Logger } from '@immutable-infra/core';
import { type Logger as PinoLogger, pino } from 'pino';
import { maskSecretValues, redactSecrets } from './secret-masking.js';

export { redactSecrets };

export type HostLogger = Logger & { child(fields: Record<string, unknown>): HostLogger };

/**
 * Structured JSON logs (one object per line): fields with secret names are replaced and every
 * remembered secret value is masked, in messages and fields alike.
 */
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
    debug: (message, fields) => logger.debug(fields ?? {}, maskSecretValues(message)),
    info: (message, fields) => logger.info(fields ?? {}, maskSecretValues(message)),
    warn: (message, fields) => logger.warn(fields ?? {}, maskSecretValues(message)),
    error: (message, fields) => logger.error(fields ?? {}, maskSecretValues(message)),
    child: (fields) => wrap(logger.child(redactSecrets(fields) as Record<string, unknown>)),
  };
}
