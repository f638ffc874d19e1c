import { join } from 'node:path';
import { pino, type DestinationStream, type LoggerOptions } from 'pino';
import type { LoadedConfig } from '../config/load';
import { createLogger, type Logger } from '../log';
import { RotatingFile } from './rotating-file';

/** The log file of a configuration: logs.path, else logs/quay.log in its data folder. */
export function logFilePath(loaded: LoadedConfig): string {
  const { logs, dataDir } = loaded.config;
  return logs.path ? loaded.resolvePath(logs.path)
    : join(loaded.resolvePath(dataDir), 'logs', 'quay.log');
}

export interface FileLogger {
  log: Logger;
  file: RotatingFile;
  path: string;
}

/**
 * The daemon's logger: the redacting logger of src/log.ts writing to the rotated log file
 * and, when `also` is given (stdout under systemd, for the journal), there too.
 */
export function createFileLogger(loaded: LoadedConfig, options: LoggerOptions = {},
  also?: DestinationStream): FileLogger {
  const path = logFilePath(loaded);
  const file = new RotatingFile({ path, maxBytes: loaded.config.logs.maxBytes,
    keep: loaded.config.logs.keep });
  const destination = also
    ? pino.multistream([{ stream: file, level: 'trace' }, { stream: also, level: 'trace' }])
    : file;
  return { log: createLogger(options, destination), file, path };
}
