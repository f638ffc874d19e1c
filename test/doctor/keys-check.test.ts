import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/doctor/run';
import { openTerminalKeys } from '../../src/keys/terminal-keys';
import { provisionTerminal } from '../../src/provision/provision';
import { startVisit, VISIT } from '../provision/fixture';

const SITE = { terminal: { terminalId: VISIT.terminalId, merchantId: VISIT.merchantId } };

const TMK_BY_COMPONENTS = {
  components: VISIT.components.map((c) => `${c.hex}:${c.kcv}`), kcv: VISIT.tmkKcv,
};

describe('quay doctor: the bank link\'s keys', () => {
  it('shows the master and MAC keys by check value after provisioning, never the keys',
    async () => {
      const visit = startVisit();
      await provisionTerminal({ base: visit.baseConfig, config: SITE, caKeyFiles: [],
        signOn: true, tmk: TMK_BY_COMPONENTS }, { out: visit.out });
      const store = openTerminalKeys(visit.dataDir);
      const mac = store.checkValues().mac!.kcv;
      const report = await runDoctor(visit.out);
      const keys = report.checks.find((c) => c.id === 'keys')!;
      expect(keys.status).toBe('pass');
      expect(keys.detail).toMatch(new RegExp(`^data key \\(AES-256\\) KCV [0-9A-F]{6}, mode 600; `
        + `TMK KCV 819DB1, MAC key KCV ${mac}$`));
      expect(keys.data).toMatchObject({ master: { kcv: '819DB1' }, mac: { kcv: mac } });
      const json = JSON.stringify(report).toUpperCase();
      expect(json).not.toContain(VISIT.tmk);
      expect(json).not.toContain(store.key('mac')!.toString('hex').toUpperCase());
    });

  it('fails when the bank wants MACs and no MAC key is held, saying to sign on', async () => {
    const visit = startVisit();
    await provisionTerminal({ base: visit.baseConfig, config: SITE, caKeyFiles: [],
      signOn: false }, { out: visit.out });
    // The data key is made as quay first starts; the key store is still empty.
    openTerminalKeys(visit.dataDir);
    const report = await runDoctor(visit.out);
    const keys = report.checks.find((c) => c.id === 'keys')!;
    expect(keys.status).toBe('fail');
    expect(keys.detail).toMatch(
      /; TMK none, MAC key none: the bank wants MACs \(host\.mac\) and no MAC key is held$/);
    expect(keys.action?.en).toContain('quay sign-on');
    expect(keys.action?.vi).toContain('đăng nhập để nhận khóa MAC');
  });
});
