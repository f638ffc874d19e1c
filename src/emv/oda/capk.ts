import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../../errors';
import { PROJECT_ROOT } from '../../config/load';

/**
 * Certification Authority public keys (EMV Book 2 5.1, 6.1 and annex A2): one key per RID
 * and CA public key index, loaded from YAML files. A file is either a production set or a
 * test set (`test: true`); a production configuration refuses to load a test set, so that
 * a certificate signed by a published test key can never pass on a live terminal.
 *
 * File format:
 *   test: true | false
 *   keys:                      # optional
 *     A000000003:              # RID, 5 bytes hex
 *       issuer: Visa           # optional, for people
 *       certificates:
 *         '92':                # index, 1 byte hex
 *           modulus: hex       # 64..248 bytes
 *           exponent: '03'     # 03 or 010001
 *           expiry: 2029-12-31 # optional: the key is not used after this day
 *           checksum: hex      # optional: SHA-1 of RID || index || modulus || exponent
 *   revoked:                   # optional: issuer certificates revoked by the CA
 *     - { rid: A000000003, index: '92', serial: '123456' }
 */
export interface CaPublicKey {
  rid: string;
  index: number;
  modulus: Buffer;
  exponent: Buffer;
  /** Last day the key may be used, YYYY-MM-DD. */
  expiry?: string;
  test: boolean;
  /** The file the key came from. */
  source: string;
}

/** An issuer public key certificate the CA revoked (Book 2 5.3 step 10, 6.3 step 10). */
export interface RevokedCertificate {
  rid: string;
  index: number;
  /** Certificate serial number, 3 bytes hex. */
  serial: string;
}

export interface LoadCaKeysOptions {
  /** Whether sets flagged `test: true` may be loaded: false on a production terminal. */
  allowTest: boolean;
  /** Files to read; default: every .yaml file in `dir`. */
  files?: string[];
  /** Folder of key files; default config/capk of the project. */
  dir?: string;
}

export const DEFAULT_CAPK_DIR = resolve(PROJECT_ROOT, 'config/capk');

/** Largest CA modulus EMV allows (Book 2 annex A2.1: 1984 bits). */
const MAX_MODULUS_BYTES = 248;
const MIN_MODULUS_BYTES = 64;

const hex = (bytes: number | [number, number], what: string) => {
  const [min, max] = typeof bytes === 'number' ? [bytes, bytes] : bytes;
  return z.string().regex(/^([0-9A-Fa-f]{2})+$/, `${what} must be hex bytes`).refine(
    (s) => s.length / 2 >= min && s.length / 2 <= max,
    min === max ? `${what} must be ${min} bytes` : `${what} must be ${min}..${max} bytes`,
  );
};

const keySchema = z.strictObject({
  modulus: hex([MIN_MODULUS_BYTES, MAX_MODULUS_BYTES], 'modulus'),
  exponent: z.enum(['03', '010001'], 'exponent must be 03 or 010001'),
  expiry: z.iso.date().optional(),
  checksum: hex(20, 'checksum').optional(),
});

const ridSchema = z.strictObject({
  issuer: z.string().optional(),
  certificates: z.record(hex(1, 'CA public key index'), keySchema),
});

const fileSchema = z.strictObject({
  test: z.boolean(),
  keys: z.record(hex(5, 'RID'), ridSchema).optional(),
  revoked: z.array(z.strictObject({
    rid: hex(5, 'RID'),
    index: hex(1, 'index'),
    serial: hex(3, 'serial'),
  })).optional(),
});

/** SHA-1 over RID || index || modulus || exponent (Book 2 annex A2.1, the key check value). */
export function caKeyChecksum(
  rid: Buffer, index: number, modulus: Buffer, exponent: Buffer,
): Buffer {
  return createHash('sha1')
    .update(Buffer.concat([rid, Buffer.from([index]), modulus, exponent]))
    .digest();
}

/** The keys the terminal holds, and the revoked issuer certificates. */
export class CaKeyStore {
  private readonly keys = new Map<string, CaPublicKey>();
  private readonly revoked = new Set<string>();

  constructor(keys: readonly CaPublicKey[], revoked: readonly RevokedCertificate[] = []) {
    for (const key of keys) this.keys.set(keyId(key.rid, key.index), key);
    for (const r of revoked) this.revoked.add(`${keyId(r.rid, r.index)}/${r.serial.toUpperCase()}`);
  }

  get size(): number {
    return this.keys.size;
  }

  /** The key for a RID and index, unless the terminal has none or it expired before `on`. */
  find(rid: string, index: number, on: Date): CaPublicKey | undefined {
    const key = this.keys.get(keyId(rid, index));
    if (key === undefined) return undefined;
    if (key.expiry !== undefined && localDay(on) > key.expiry) return undefined;
    return key;
  }

  isRevoked(rid: string, index: number, serial: Buffer): boolean {
    return this.revoked.has(`${keyId(rid, index)}/${serial.toString('hex').toUpperCase()}`);
  }
}

function keyId(rid: string, index: number): string {
  return `${rid.toUpperCase()}/${index.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** YYYY-MM-DD of a date in the terminal's local time zone. */
function localDay(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
}

interface ParsedFile {
  keys: CaPublicKey[];
  revoked: RevokedCertificate[];
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.join('.') || '(top level)';
  if (issue.code === 'invalid_key') {
    // YAML reads an unquoted 09 as the number 9: the key then has one digit.
    return `${where}: not a RID (5 bytes hex) or index (1 byte hex); quote indexes: '09'`;
  }
  return `${where}: ${issue.message}`;
}

function invalid(path: string, problems: string[]): ConfigError {
  return new ConfigError('CONFIG_INVALID', `${path}:\n  ${problems.join('\n  ')}`, {
    detail: { file: path, problems },
  });
}

/** Reads one key file; refuses a test set unless `allowTest`, and a wrong checksum. */
export function parseCaKeyFile(text: string, path: string, allowTest: boolean): ParsedFile {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw invalid(path, [`not valid YAML: ${String(err)}`]);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    throw invalid(path, parsed.error.issues.map(describeIssue));
  }
  const file = parsed.data;
  if (file.test && !allowTest) {
    throw invalid(path, ['holds test CA keys (test: true), refused in production']);
  }
  const keys: CaPublicKey[] = [];
  for (const [rid, set] of Object.entries(file.keys ?? {})) {
    for (const [index, entry] of Object.entries(set.certificates)) {
      const key: CaPublicKey = {
        rid: rid.toUpperCase(), index: parseInt(index, 16),
        modulus: Buffer.from(entry.modulus, 'hex'), exponent: Buffer.from(entry.exponent, 'hex'),
        expiry: entry.expiry, test: file.test, source: path,
      };
      checkChecksum(key, entry.checksum, path);
      keys.push(key);
    }
  }
  const revoked = (file.revoked ?? []).map((r) => ({
    rid: r.rid.toUpperCase(), index: parseInt(r.index, 16), serial: r.serial.toUpperCase(),
  }));
  return { keys, revoked };
}

function checkChecksum(key: CaPublicKey, expected: string | undefined, path: string): void {
  if (expected === undefined) return;
  const actual = caKeyChecksum(Buffer.from(key.rid, 'hex'), key.index, key.modulus, key.exponent);
  if (actual.equals(Buffer.from(expected, 'hex'))) return;
  const where = `keys.${key.rid}.certificates.${key.index.toString(16).toUpperCase()}`;
  throw invalid(path, [`${where}.checksum: does not match the key (SHA-1 of RID, index, ` +
    `modulus, exponent is ${actual.toString('hex').toUpperCase()})`]);
}

/** Loads every key file; a key (RID and index) given twice is refused. */
export function loadCaKeys(options: LoadCaKeysOptions): CaKeyStore {
  const dir = options.dir ?? DEFAULT_CAPK_DIR;
  const files = options.files ?? readdirSync(dir)
    .filter((name) => name.endsWith('.yaml')).sort().map((name) => join(dir, name));
  const keys: CaPublicKey[] = [];
  const revoked: RevokedCertificate[] = [];
  const seen = new Map<string, string>();
  for (const path of files) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new ConfigError('CONFIG_INVALID', `cannot read CA key file ${path}`, {
        cause: err, detail: { file: path },
      });
    }
    const parsed = parseCaKeyFile(text, path, options.allowTest);
    for (const key of parsed.keys) {
      const id = keyId(key.rid, key.index);
      const first = seen.get(id);
      if (first !== undefined) throw invalid(path, [`CA key ${id} is also in ${first}`]);
      seen.set(id, path);
      keys.push(key);
    }
    revoked.push(...parsed.revoked);
  }
  return new CaKeyStore(keys, revoked);
}
