import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/**
 * Paths that may hold card data or keys. pino replaces them before a line is written, so a
 * mistake elsewhere cannot put a full PAN, track data, a PIN block or a key in a log file.
 */
export const REDACT_PATHS = [
  'pan', '*.pan', 'track2', '*.track2', 'pinBlock', '*.pinBlock', 'key', '*.key',
  'keys', '*.keys', 'iccData', '*.iccData', 'field55', '*.field55',
  'fields["2"]', 'fields["35"]', 'fields["45"]', 'fields["52"]', 'fields["55"]',
  '*.fields["2"]', '*.fields["35"]', '*.fields["45"]', '*.fields["52"]', '*.fields["55"]',
];

export type { Logger };

/** The logger; `destination` defaults to stdout (the CLI sends logs to stderr). */
export function createLogger(options: LoggerOptions = {},
  destination?: DestinationStream): Logger {
  const level = options.level ?? process.env.QUAY_LOG_LEVEL ?? 'info';
  const settings = {
    name: 'quay',
    ...options,
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(settings, destination) : pino(settings);
}

/** A logger that writes nothing, for library use and tests that do not read logs. */
export const silentLogger: Logger = pino({ level: 'silent' });
