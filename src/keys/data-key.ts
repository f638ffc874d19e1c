import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../errors';

const KEY_BYTES = 32;

/**
 * The key that encrypts card data at rest (AES-256). It lives in its own file, readable by
 * quay's user only, never in the journal: a copy of the database alone reveals no card data.
 * Made on first use; a file of the wrong size or with group/other access is refused.
 */
export function loadOrCreateDataKey(path: string): Buffer {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, randomBytes(KEY_BYTES), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new ConfigError('CONFIG_INVALID', `cannot create the data key ${path}`, { cause: err });
    }
  }
  chmodSync(path, 0o600);
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) {
    throw new ConfigError('CONFIG_INVALID', `the data key ${path} is readable by others`);
  }
  const key = readFileSync(path);
  if (key.length !== KEY_BYTES) {
    throw new ConfigError('CONFIG_INVALID', `the data key ${path} is not ${KEY_BYTES} bytes`);
  }
  return key;
}
