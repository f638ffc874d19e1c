import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

const CONFIG_DIR = new URL('../../config/', import.meta.url).pathname;

/**
 * Key material of a provisioning visit, with check values worked out beforehand with
 * OpenSSL's des-ede3-ecb over a zero block (K1 K2 K1 for a double-length key), not with quay.
 */
export const VISIT = {
  terminalId: 'HOSP0042',
  merchantId: '970400123456789',
  /** The bank's test master key for HOSP0042 and its two custodians' components. */
  tmk: '0F1E2D3C4B5A69788796A5B4C3D2E1F0',
  tmkKcv: '819DB1',
  components: [
    { hex: '1111111111111111222222222222222A', kcv: '616337' },
    { hex: '1E0F3C2D5A4B7869A5B48796E1F0C3DA', kcv: '67E613' },
  ],
  /** ANSI X9.24-1 annex A: the test BDK, initial KSN and the IPEK they give. */
  bdk: '0123456789ABCDEFFEDCBA9876543210',
  ksn: 'FFFF9876543210E00000',
  ipek: '6AC292FAA1315B4D858AB3A3D7D5933A',
  ipekKcv: 'AF8C07',
} as const;

export interface Visit {
  dir: string;
  dataDir: string;
  /** The bank simulator's settings: HOSP0042 with its master key, MACs required. */
  bankConfig: string;
  /** A base configuration for this site: the embedded bank of bankConfig, MACs on. */
  baseConfig: string;
  out: string;
}

/** A fresh folder with the bank's simulator settings and a base configuration for the site. */
export function startVisit(): Visit {
  const dir = mkdtempSync(join(tmpdir(), 'quay-provision-'));
  const dataDir = join(dir, 'var');
  const bank = parse(readFileSync(join(CONFIG_DIR, 'examples/acquirer-sim-mac.yaml'), 'utf8'));
  bank.terminals = [{ terminalId: VISIT.terminalId, tmk: VISIT.tmk }];
  bank.keyFile = join(dir, 'bank-keys.json');
  const bankConfig = join(dir, 'bank.yaml');
  writeFileSync(bankConfig, stringify(bank));
  const base = parse(readFileSync(join(CONFIG_DIR, 'default.yaml'), 'utf8'));
  base.host = { kind: 'embedded-simulator', simulatorConfig: bankConfig, layout: 'pos-bcd',
    tpdu: '6000010000', nii: '001',
    mac: { field: 64, algorithm: 'iso9797-1-alg3', padding: 'zero',
      covers: 'mti-to-before-mac' } };
  base.cardReader.card = join(CONFIG_DIR, base.cardReader.card);
  base.emv.caKeys = { dir: join(dir, 'capk'), allowTest: true };
  base.dataDir = dataDir;
  const baseConfig = join(dir, 'site-base.yaml');
  writeFileSync(baseConfig, stringify(base));
  return { dir, dataDir, bankConfig, baseConfig, out: join(dir, 'etc', 'quay.yaml') };
}

/** The CA key file with checksums (quay's own test CA). */
export const TEST_CA_FILE = join(CONFIG_DIR, 'capk/quay-test-ca.yaml');
export const NO_CHECKSUM_CA_FILE = join(CONFIG_DIR, 'capk/test-keys.yaml');
