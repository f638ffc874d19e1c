import { timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tdesDecryptEcb } from '../crypto/des';
import { KeyError } from '../errors';
import { seal, unseal } from '../journal/sealed';
import { checkValue, checkValueHex } from './check-value';
import { loadOrCreateDataKey } from './data-key';

/**
 * The DES keys quay itself uses on the bank link: the terminal master key (TMK), loaded once at
 * installation, and the working MAC key the bank sends under it at each key exchange. They are
 * kept in one owner-only file (0600), each sealed with AES-256-GCM under the data key
 * (src/keys/data-key.ts) with its name as associated data, beside its check value. Only check
 * values leave this module in a form meant for people: keys are never logged or printed.
 */

export type TerminalKeyName = 'master' | 'mac';

interface StoredKey {
  sealed: string;
  kcv: string;
  at: string;
}

interface KeyFile {
  version: 1;
  keys: Partial<Record<TerminalKeyName, StoredKey>>;
}

/** What may be shown about the stored keys: their check values and when they were set. */
export type KeyCheckValues = Partial<Record<TerminalKeyName, { kcv: string; at: string }>>;

function isDesKey(key: Buffer): boolean {
  return key.length === 16 || key.length === 24;
}

function aad(name: TerminalKeyName): string {
  return `quay terminal key ${name}`;
}

/** Where quay keeps the terminal keys: beside the data key, under the data folder. */
export function terminalKeysPath(dataDir: string): string {
  return join(dataDir, 'keys', 'terminal-keys.json');
}

/** The key store of a data folder, opened with its data key (made on first use). */
export function openTerminalKeys(dataDir: string): TerminalKeyStore {
  return new TerminalKeyStore(terminalKeysPath(dataDir),
    loadOrCreateDataKey(join(dataDir, 'keys', 'data.key')));
}

export class TerminalKeyStore {
  constructor(readonly path: string, private readonly dataKey: Buffer) {}

  /** Check values of the keys held; never the keys. */
  checkValues(): KeyCheckValues {
    const out: KeyCheckValues = {};
    for (const [name, stored] of Object.entries(this.read().keys)) {
      out[name as TerminalKeyName] = { kcv: stored.kcv, at: stored.at };
    }
    return out;
  }

  /**
   * Stores the terminal master key. With `expectedKcv` (as printed on the key form of the
   * bank), a key whose check value differs is refused and nothing changes.
   */
  setMasterKey(key: Buffer, expectedKcv?: string): string {
    if (!isDesKey(key)) throw keyError('KEY_INVALID', 'the master key is not 16 or 24 bytes');
    const kcv = checkValueHex(key);
    if (expectedKcv !== undefined && kcv !== expectedKcv.toUpperCase()) {
      throw keyError('KEY_CHECK_FAILED', 'the master key does not have the expected check value',
        { expected: expectedKcv.toUpperCase(), computed: kcv });
    }
    this.put('master', key);
    return kcv;
  }

  /**
   * Installs a working MAC key received encrypted under the master key (3DES ECB) with its
   * check value. A key whose check value does not match is refused (KEY_CHECK_FAILED) and the
   * key in use stays. Returns the new key's check value.
   */
  installMacKey(encrypted: Buffer, kcv: Buffer): string {
    const master = this.key('master');
    if (!master) throw keyError('KEY_MISSING', 'no terminal master key is loaded');
    if (!isDesKey(encrypted)) {
      throw keyError('KEY_INVALID', `the encrypted MAC key is ${encrypted.length} bytes`);
    }
    const key = tdesDecryptEcb(master, encrypted);
    const computed = checkValue(key);
    if (kcv.length !== 3 || !timingSafeEqual(computed, kcv)) {
      throw keyError('KEY_CHECK_FAILED', 'the MAC key received does not match its check value',
        { received: kcv.toString('hex').toUpperCase(), masterKcv: checkValueHex(master) });
    }
    this.put('mac', key);
    return checkValueHex(key);
  }

  /** The key, opened; undefined when none is stored. */
  key(name: TerminalKeyName): Buffer | undefined {
    const stored = this.read().keys[name];
    if (!stored) return undefined;
    try {
      return unseal(this.dataKey, Buffer.from(stored.sealed, 'base64'), aad(name));
    } catch (err) {
      throw keyError('KEY_INVALID', `the stored ${name} key does not open with the data key`,
        {}, err);
    }
  }

  private put(name: TerminalKeyName, key: Buffer): void {
    const file = this.read();
    file.keys[name] = {
      sealed: seal(this.dataKey, key, aad(name)).toString('base64'),
      kcv: checkValueHex(key), at: new Date().toISOString(),
    };
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    // Written beside and renamed: a crash leaves the old file or the new one, never half.
    const temp = `${this.path}.tmp`;
    writeFileSync(temp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, this.path);
  }

  private read(): KeyFile {
    if (!existsSync(this.path)) return { version: 1, keys: {} };
    try {
      const file = JSON.parse(readFileSync(this.path, 'utf8')) as KeyFile;
      if (file.version !== 1 || typeof file.keys !== 'object') throw new Error('unknown format');
      return file;
    } catch (err) {
      throw keyError('KEY_INVALID', `cannot read the key file ${this.path}`, {}, err);
    }
  }
}

function keyError(code: 'KEY_MISSING' | 'KEY_CHECK_FAILED' | 'KEY_INVALID', message: string,
  detail: Record<string, unknown> = {}, cause?: unknown): KeyError {
  return new KeyError(code, message, { detail, cause });
}
