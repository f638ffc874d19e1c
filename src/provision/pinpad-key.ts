import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from
  'node:fs';
import { dirname, join } from 'node:path';
import { PinPadSimulator } from '../../drivers/pinpad/pinpad-simulator';
import { KSN_LENGTH } from '../crypto/dukpt';
import { KeyError } from '../errors';
import { checkValueHex } from '../keys/check-value';

/**
 * The PIN pad's DUKPT key as the PIN pad simulator keeps it. A real PIN pad takes its initial
 * key at injection into its own secure memory and quay never holds it; the simulator has no
 * key-loading method, so this file in the simulator's own folder plays that memory: owner-only
 * (0600), read only to build the simulator. quay's key store never holds PIN keys.
 */
export interface PinPadKey {
  ipek: Buffer;
  ksn: Buffer;
}

export function pinPadKeyPath(dataDir: string): string {
  return join(dataDir, 'pinpad-simulator', 'dukpt-key.json');
}

/** Checks and stores the key; returns the initial key's check value. */
export function injectPinPadKey(dataDir: string, key: PinPadKey, expectedKcv?: string): string {
  if (key.ipek.length !== 16) throw new KeyError('KEY_INVALID', 'the initial key is not 16 bytes');
  if (key.ksn.length !== KSN_LENGTH) {
    throw new KeyError('KEY_INVALID', `the KSN is not ${KSN_LENGTH} bytes`);
  }
  const kcv = checkValueHex(key.ipek);
  if (expectedKcv !== undefined && expectedKcv.toUpperCase() !== kcv) {
    throw new KeyError('KEY_CHECK_FAILED', 'the DUKPT initial key does not have the check value '
      + 'on its form', { detail: { expected: expectedKcv.toUpperCase(), computed: kcv } });
  }
  const path = pinPadKeyPath(dataDir);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ version: 1, ipek: key.ipek.toString('hex'),
    ksn: key.ksn.toString('hex').toUpperCase(), kcv })}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
  return kcv;
}

/** The PIN pad simulator with the injected key; KEY_MISSING when none was injected. */
export function openPinPadSimulator(dataDir: string): PinPadSimulator {
  const path = pinPadKeyPath(dataDir);
  if (!existsSync(path)) {
    throw new KeyError('KEY_MISSING', `no DUKPT key was injected into the PIN pad (${path}): `
      + 'run quay provision with a DUKPT initial key and KSN');
  }
  const file = JSON.parse(readFileSync(path, 'utf8')) as { ipek: string; ksn: string };
  return new PinPadSimulator({ initialKey: Buffer.from(file.ipek, 'hex'),
    initialKsn: Buffer.from(file.ksn, 'hex') });
}
