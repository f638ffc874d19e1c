import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transmissionTime } from '../../src/doctor/checks/bank-host';
import { clockCheck } from '../../src/doctor/checks/clock';
import { runDoctor } from '../../src/doctor/run';
import type { DoctorContext } from '../../src/doctor/types';
import { silentLogger } from '../../src/log';
import { startRig, type Rig } from './rig';

function context(now: string, bankTime?: Date): DoctorContext {
  const facts = new Map<string, unknown>();
  if (bankTime) facts.set('bankTime', bankTime);
  return { configPath: 'unused', options: {}, log: silentLogger, now: () => new Date(now),
    facts };
}

describe('field 7 and the clock check', () => {
  it('reads field 7 (MMDDhhmmss, UTC) in the year nearest to the terminal clock', () => {
    expect(transmissionTime('1203223000', new Date('2026-12-03T22:31:00Z'))?.toISOString())
      .toBe('2026-12-03T22:30:00.000Z');
    // Just after New Year on the terminal, the bank still in December: last year.
    expect(transmissionTime('1231235959', new Date('2027-01-01T00:00:10Z'))?.toISOString())
      .toBe('2026-12-31T23:59:59.000Z');
    expect(transmissionTime('12032230', new Date())).toBeUndefined();
    expect(transmissionTime(undefined, new Date())).toBeUndefined();
  });

  it('passes within two minutes of the bank and warns beyond', async () => {
    const bank = new Date('2026-12-03T22:30:00Z');
    expect(await clockCheck.run(context('2026-12-03T22:30:30Z', bank))).toMatchObject({
      status: 'pass', data: { offsetSeconds: 30 } });
    const off = await clockCheck.run(context('2026-12-03T22:25:00Z', bank));
    expect(off).toMatchObject({ status: 'warn',
      detail: "the clock is -300 s off the bank's (field 7)" });
    expect(off.action?.vi).toContain('Chỉnh đồng hồ');
  });
});

describe('the echo test against a bank that answers out of protocol', () => {
  let rig: Rig;
  beforeAll(async () => { rig = await startRig({ pty: false }); });
  afterAll(async () => { await rig?.close(); });

  it('warns that the line is up but the echo failed, naming the settings to check', async () => {
    rig.bank.setFaults({ mode: 'garbled' });
    try {
      const report = await runDoctor(rig.configPath);
      const bank = report.checks.find((c) => c.id === 'bank-host')!;
      expect(bank.status).toBe('warn');
      expect(bank.detail).toMatch(/accepts connections \(\d+ ms\) but the echo test \(0800\) /);
      expect(bank.detail).toMatch(/failed: HOST_PROTOCOL: the reply could not be unpacked$/);
      expect(bank.action?.en).toContain('host.layout');
      expect(bank.data).toMatchObject({ echo: 'failed' });
    } finally {
      rig.bank.setFaults({ mode: 'none' });
    }
  });
});
