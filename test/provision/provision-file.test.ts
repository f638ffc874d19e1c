import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { injectedKey } from '../../drivers/pinpad/pinpad-simulator';
import { startApp } from '../../src/app';
import { loadConfig } from '../../src/config/load';
import { decryptPinDukpt } from '../../src/crypto/dukpt';
import { isQuayError } from '../../src/errors';
import { openTerminalKeys, terminalKeysPath } from '../../src/keys/terminal-keys';
import { silentLogger } from '../../src/log';
import { openPinPadSimulator, pinPadKeyPath } from '../../src/provision/pinpad-key';
import { provisionTerminal } from '../../src/provision/provision';
import { readProvisionFile } from '../../src/provision/spec';
import { secretForms } from '../support/secrets';
import { NO_CHECKSUM_CA_FILE, startVisit, TEST_CA_FILE, VISIT, type Visit } from './fixture';

const run = promisify(execFile);
const QUAY = new URL('../../bin/quay', import.meta.url).pathname;

/** A provisioning file as a technician writes it for this visit. */
function writeProvisionFile(visit: Visit, edit: (doc: Record<string, any>) => void = () => {}) {
  const doc: Record<string, any> = {
    base: visit.baseConfig,
    config: {
      terminal: { terminalId: VISIT.terminalId, merchantId: VISIT.merchantId,
        merchant: { name: 'BỆNH VIỆN ĐA KHOA TỈNH', address: '1 Trần Phú, Hạ Long',
          taxCode: '5700100000' } },
      emv: { merchantCategoryCode: '8062' },
    },
    keys: {
      tmk: { components: VISIT.components.map((c) => `${c.hex}:${c.kcv}`), kcv: VISIT.tmkKcv },
      dukpt: { ipek: VISIT.ipek, ksn: VISIT.ksn, kcv: VISIT.ipekKcv },
    },
    caKeyFiles: [TEST_CA_FILE],
    signOn: true,
  };
  edit(doc);
  const path = join(visit.dir, 'provision.yaml');
  writeFileSync(path, stringify(doc));
  return path;
}

/** The console display's screens, dropped: the test reads the bank's journal instead. */
function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  if (!isQuayError(err)) throw new Error(`expected a QuayError, got ${String(err)}`);
  return { code: err.code, message: err.message };
}

describe('quay provision from a file', () => {
  it('writes the configuration, loads the keys, signs on, then takes a payment', async () => {
    const visit = startVisit();
    const spec = readProvisionFile(writeProvisionFile(visit));
    const summary = await provisionTerminal(spec, { out: visit.out });
    expect(summary).toMatchObject({ config: visit.out, terminalId: 'HOSP0042',
      merchantId: '970400123456789', merchant: 'BỆNH VIỆN ĐA KHOA TỈNH',
      host: 'embedded bank simulator, layout pos-bcd, TPDU 6000010000, NII 001',
      aids: ['VISA', 'MASTERCARD', 'JCB', 'NAPAS'], caKeys: 1, tmkKcv: '819DB1',
      pinPad: { kcv: 'AF8C07', ksn: 'FFFF9876543210E00000' },
      signOn: { responseCode: '00' } });
    expect(summary.backup).toBeUndefined();

    const loaded = loadConfig(visit.out);
    expect(loaded.config.terminal.terminalId).toBe('HOSP0042');
    expect(loaded.config.emv.merchantCategoryCode).toBe('8062');
    expect(loaded.config.terminal.merchant.taxCode).toBe('5700100000');
    expect(existsSync(join(visit.dir, 'capk', 'quay-test-ca.yaml'))).toBe(true);

    const held = openTerminalKeys(visit.dataDir).checkValues();
    expect(held.master?.kcv).toBe('819DB1');
    expect(held.mac?.kcv).toBe(summary.signOn!.macKeyKcv);
    expect(statSync(terminalKeysPath(visit.dataDir)).mode & 0o777).toBe(0o600);
    expect(statSync(pinPadKeyPath(visit.dataDir)).mode & 0o777).toBe(0o600);
    // The key store holds the master key sealed, in no readable form.
    const store = readFileSync(terminalKeysPath(visit.dataDir));
    expect(secretForms(VISIT.tmk).some((form) => store.includes(form))).toBe(false);
    // The PIN key went to the PIN pad, not to quay's key store or configuration.
    expect(secretForms(VISIT.ipek).some((form) => store.includes(form))).toBe(false);
    expect(readFileSync(visit.out, 'utf8')).not.toMatch(/6AC292FA|0F1E2D3C|11111111/i);

    const app = await startApp(loaded, { log: silentLogger, consoleStream: discard() });
    try {
      const result = await app.terminal.pay({ amount: 150_000, reference: 'VP-2026-0001' });
      expect(result).toMatchObject({ status: 'approved', amount: 150_000, responseCode: '00' });
      const sale = app.acquirerSimulator!.journal.find((e) => e.mti === '0200')!;
      expect(sale.terminalId?.trim()).toBe('HOSP0042');
      // The bank requires a MAC of HOSP0042 (field 64): it came under the provisioned key.
      expect(sale.fields).toContain(64);
    } finally {
      await app.close();
    }
  });

  it('the PIN pad makes PIN blocks under the injected key that the bank opens with its BDK',
    async () => {
      const visit = startVisit();
      await provisionTerminal(readProvisionFile(writeProvisionFile(visit, (doc) => {
        doc.signOn = false;
      })), { out: visit.out });
      // X9.24-1 annex A: the IPEK of the test BDK and KSN.
      expect(injectedKey(Buffer.from(VISIT.bdk, 'hex'), Buffer.from(VISIT.ksn, 'hex'))
        .toString('hex').toUpperCase()).toBe(VISIT.ipek);
      const pad = openPinPadSimulator(visit.dataDir);
      pad.enter('1234');
      const { pinBlock, ksn } = await pad.requestPin({ pan: '4761739001010010', amount: 1 });
      expect(ksn.toString('hex').toUpperCase()).toBe('FFFF9876543210E00001');
      expect(decryptPinDukpt(Buffer.from(VISIT.bdk, 'hex'), ksn, pinBlock, '4761739001010010'))
        .toBe('1234');
      await pad.close();
    });

  it('refuses a component with a wrong check value before writing anything', async () => {
    const visit = startVisit();
    const spec = readProvisionFile(writeProvisionFile(visit, (doc) => {
      doc.keys.tmk.components[1] = `${VISIT.components[1].hex}:67E614`;
    }));
    expect(await refusal(provisionTerminal(spec, { out: visit.out }))).toEqual({
      code: 'KEY_CHECK_FAILED', message: 'component 2 does not have the check value on its form' });
    expect(existsSync(visit.out)).toBe(false);
    expect(existsSync(terminalKeysPath(visit.dataDir))).toBe(false);
  });

  it('refuses components whose key does not have the check value of the key form', async () => {
    const visit = startVisit();
    const spec = readProvisionFile(writeProvisionFile(visit, (doc) => {
      doc.keys.tmk.kcv = '819DB2';
    }));
    expect((await refusal(provisionTerminal(spec, { out: visit.out }))).code)
      .toBe('KEY_CHECK_FAILED');
    expect(existsSync(visit.out)).toBe(false);
  });

  it('refuses a CA key file whose keys carry no checksum', async () => {
    const visit = startVisit();
    const spec = readProvisionFile(writeProvisionFile(visit, (doc) => {
      doc.caKeyFiles = [NO_CHECKSUM_CA_FILE];
    }));
    const err = await refusal(provisionTerminal(spec, { out: visit.out }));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toBe(`${NO_CHECKSUM_CA_FILE}: keys.A000000003.certificates.92 has no `
      + 'checksum: take it from the scheme\'s key form (SHA-1 of RID, index, modulus, exponent)');
    expect(existsSync(visit.out)).toBe(false);
  });

  it('names a CA key file that is not there, writing nothing', async () => {
    const visit = startVisit();
    const missing = `${visit.out}.missing-capk.yaml`;
    const spec = readProvisionFile(writeProvisionFile(visit, (doc) => {
      doc.caKeyFiles = [missing];
    }));
    const err = await refusal(provisionTerminal(spec, { out: visit.out }));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toBe(`${missing}: no such CA key file: give the path of a key file `
      + 'from the scheme or the acquirer (YAML, as in config/capk)');
    expect(existsSync(visit.out)).toBe(false);
  });

  it('refuses a configuration the schema refuses, naming the setting', async () => {
    const visit = startVisit();
    const spec = readProvisionFile(writeProvisionFile(visit, (doc) => {
      doc.config.terminal.terminalId = 'HOSP042';
    }));
    const err = await refusal(provisionTerminal(spec, { out: visit.out }));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain('terminal.terminalId: terminal ID is 8 letters or digits');
  });

  it('quay provision --file prints check values and never a key', async () => {
    const visit = startVisit();
    const file = writeProvisionFile(visit);
    const { stdout, stderr } = await run(QUAY, ['provision', '--file', file, '--out',
      visit.out]);
    expect(stderr).toBe(`quay: ${file} holds key components: delete it now / tệp này chứa thành `
      + 'phần khóa: hãy xóa ngay\n');
    expect(stdout).toContain('Khóa chính / Terminal master key: KCV 819DB1');
    expect(stdout).toContain('PIN pad (DUKPT): KCV AF8C07, KSN FFFF9876543210E00000');
    expect(stdout).toMatch(/Đăng nhập \/ Sign-on: RC 00, khóa MAC \/ MAC key KCV [0-9A-F]{6}/);
    for (const secret of [VISIT.tmk, VISIT.ipek, ...VISIT.components.map((c) => c.hex)]) {
      expect(stdout.toUpperCase()).not.toContain(secret);
    }
    // Provisioning again keeps the first configuration as a dated backup.
    const again = await run(QUAY, ['provision', '--file', file, '--out', visit.out, '--json']);
    const summary = JSON.parse(again.stdout);
    expect(summary.backup).toMatch(/quay\.yaml\.\d{4}-\d{2}-\d{2}T\d{9}Z\.bak$/);
    expect(readFileSync(summary.backup, 'utf8')).toContain('HOSP0042');
  });
});
