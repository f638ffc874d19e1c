import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors';
import { caKeyChecksum, loadCaKeys, CaKeyStore } from '../../src/emv/oda/capk';
import { hex } from './support/scripted-card';

const TEST_KEYS = loadCaKeys({ allowTest: true });
const VISA_92 = TEST_KEYS.find('A000000003', 0x92, new Date(2026, 0, 1))!;
const VISA_92_MODULUS = VISA_92.modulus.toString('hex').toUpperCase();

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function files(contents: Record<string, string>): string[] {
  dir = mkdtempSync(join(tmpdir(), 'quay-capk-'));
  return Object.entries(contents).map(([name, text]) => {
    const path = join(dir!, name);
    writeFileSync(path, text);
    return path;
  });
}

function refusal(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const keyFile = (test: boolean, extra = '', checksum?: string) => `test: ${test}
keys:
  A000000003:
    certificates:
      '92':
        modulus: ${VISA_92_MODULUS}
        exponent: '03'${checksum === undefined ? '' : `\n        checksum: ${checksum}`}${extra}
`;

describe('CA public key files', () => {
  it('loads the emvpt test set (six keys) and quay\'s test CA key, flagged as test keys', () => {
    expect(TEST_KEYS.size).toBe(7);
    expect(TEST_KEYS.find('A000000003', 0xf1, new Date(2026, 2, 15))?.source)
      .toMatch(/config\/capk\/quay-test-ca\.yaml$/);
    const key = TEST_KEYS.find('AFFFFFFFFF', 0x92, new Date(2020, 6, 24))!;
    expect(key.modulus.length).toBe(176);
    expect(key.modulus.subarray(0, 4)).toEqual(hex('BF08CA64'));
    expect(key.exponent).toEqual(hex('03'));
    expect(key.test).toBe(true);
    expect(key.source).toMatch(/config\/capk\/test-keys\.yaml$/);
    expect(TEST_KEYS.find('AFFFFFFFFF', 0x93, new Date(2020, 6, 24))).toBeUndefined();
  });

  it('computes the key checksums the schemes publish for their test keys', () => {
    const checksum = (rid: string, index: number) => {
      const key = TEST_KEYS.find(rid, index, new Date(2026, 0, 1))!;
      return caKeyChecksum(hex(rid), index, key.modulus, key.exponent).toString('hex');
    };
    // Published with the Visa and Mastercard test key sets.
    expect(checksum('A000000003', 0x92)).toBe('429c954a3859cef91295f663c963e582ed6eb253');
    expect(checksum('A000000004', 0xef)).toBe('21766ebb0ee122afb65d7845b73db46bab65427a');
  });

  it('refuses a test set in production mode, naming the file', () => {
    const [path] = files({ 'lab.yaml': keyFile(true) });
    const err = refusal(() => loadCaKeys({ allowTest: false, files: [path!] }));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.detail.file).toBe(path);
    expect(err.message).toContain(path!);
    expect(loadCaKeys({ allowTest: true, files: [path!] }).size).toBe(1);
  });

  it('checks a checksum where the file gives one', () => {
    const good = '429C954A3859CEF91295F663C963E582ED6EB253';
    const [ok] = files({ 'ok.yaml': keyFile(false, '', good) });
    const store = loadCaKeys({ allowTest: false, files: [ok!] });
    expect(store.find('A000000003', 0x92, new Date(2026, 0, 1))!.test).toBe(false);

    const [bad] = files({ 'bad.yaml': keyFile(false, '', good.replace(/3$/, '4')) });
    const err = refusal(() => loadCaKeys({ allowTest: false, files: [bad!] }));
    expect(err.message).toContain('keys.A000000003.certificates.92.checksum');
    expect(err.message).toContain(good);
  });

  it('stops using a key after its expiry date', () => {
    const [path] = files({ 'k.yaml': keyFile(false, '\n        expiry: 2020-07-23') });
    const store = loadCaKeys({ allowTest: false, files: [path!] });
    expect(store.find('A000000003', 0x92, new Date(2020, 6, 23, 23, 59))).toBeDefined();
    expect(store.find('A000000003', 0x92, new Date(2020, 6, 24, 0, 1))).toBeUndefined();
  });

  it('reads a revocation list as data', () => {
    const [keys, revoked] = files({
      'keys.yaml': keyFile(false),
      'revoked.yaml':
        "test: false\nrevoked:\n  - { rid: a000000003, index: '92', serial: 00A1b2 }\n",
    });
    const store = loadCaKeys({ allowTest: false, files: [keys!, revoked!] });
    expect(store.isRevoked('A000000003', 0x92, hex('00A1B2'))).toBe(true);
    expect(store.isRevoked('A000000003', 0x92, hex('00A1B3'))).toBe(false);
    expect(store.isRevoked('A000000003', 0x94, hex('00A1B2'))).toBe(false);
  });

  it('refuses unknown keys, bad values and a key given twice', () => {
    const [typo] = files({ 't.yaml': keyFile(false).replace('exponent', 'exponant') });
    expect(refusal(() => loadCaKeys({ allowTest: false, files: [typo!] })).message)
      .toMatch(/exponant/);
    const [wrongExponent] = files({ 'e.yaml': keyFile(false).replace("'03'", "'05'") });
    expect(refusal(() => loadCaKeys({ allowTest: false, files: [wrongExponent!] })).message)
      .toMatch(/exponent must be 03 or 010001/);
    const [noFlag] = files({ 'n.yaml': keyFile(false).replace('test: false\n', '') });
    expect(refusal(() => loadCaKeys({ allowTest: true, files: [noFlag!] })).message)
      .toMatch(/test/);
    const [unquoted] = files({ 'u.yaml': keyFile(false).replace("'92'", '09') });
    expect(refusal(() => loadCaKeys({ allowTest: false, files: [unquoted!] })).message)
      .toMatch(/certificates\.9: .*quote indexes/);
    const [a, b] = files({ 'a.yaml': keyFile(false), 'b.yaml': keyFile(false) });
    const twice = refusal(() => loadCaKeys({ allowTest: false, files: [a!, b!] }));
    expect(twice.message).toContain('A000000003/92 is also in');
  });

  it('reads every .yaml file of a folder', () => {
    files({ 'one.yaml': keyFile(false), 'notes.txt': 'not a key file' });
    expect(loadCaKeys({ allowTest: false, dir }).size).toBe(1);
    expect(new CaKeyStore([]).size).toBe(0);
  });
});
