import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PcscReader } from '../../drivers/card/pcsc-reader';
import { loadVirtualCard } from '../../drivers/card/virtual/load';
import { VpcdLink } from '../../drivers/card/virtual/vpcd-link';
import { runDoctor } from '../../src/doctor/run';
import { startRig, type Rig } from './rig';

const CARD = new URL('../../config/cards/visa-cvn10.yaml', import.meta.url).pathname;
const READER = 'Virtual PCD 00 00';

// The card reader check through pcscd and vpcd's first slot. "pcscd has no such reader" is
// rehearsed with a reader name that no slot has, so the shared pcscd keeps running.
describe('quay doctor: the card reader through pcscd', () => {
  let rig: Rig;
  let link: VpcdLink | undefined;

  beforeAll(async () => { rig = await startRig({ pty: false }); });
  afterAll(async () => {
    await link?.close();
    await rig?.close();
  });

  it('lists the readers and reads the ATR of the card in the slot', async () => {
    const card = loadVirtualCard(CARD);
    link = new VpcdLink(card, { port: 35963 });
    await link.connect();
    const path = rig.writeConfig((raw) => {
      raw.cardReader = { kind: 'pcsc', reader: READER };
    }, 'pcsc.yaml');
    const report = await runDoctor(path);
    const reader = report.checks.find((c) => c.id === 'card-reader')!;
    expect(reader.status).toBe('pass');
    expect(reader.data?.readers).toContain(READER);
    expect(reader.data?.reader).toBe(READER);
    expect(reader.data?.atr).toBe(card.atr.toString('hex').toUpperCase());
    await link.close();
    link = undefined;
  });

  it('says no card is inserted when the slot is empty', async () => {
    // pcscd polls vpcd's slot: wait until it has seen the earlier test's card leave.
    const watcher = new PcscReader();
    await watcher.waitForRemoval({ reader: READER, timeoutMs: 10_000 });
    await watcher.close();
    const path = rig.writeConfig((raw) => {
      raw.cardReader = { kind: 'pcsc', reader: READER };
    }, 'pcsc-empty.yaml');
    const report = await runDoctor(path);
    const reader = report.checks.find((c) => c.id === 'card-reader')!;
    expect(reader.status).toBe('pass');
    expect(reader.detail).toContain(`using ${READER}; no card inserted`);
  });

  it('names the card reader and what to set when pcscd has no such reader', async () => {
    const path = rig.writeConfig((raw) => {
      raw.cardReader = { kind: 'pcsc', reader: 'ACS ACR39U 00 00' };
    }, 'pcsc-missing.yaml');
    const report = await runDoctor(path);
    expect(report.ok).toBe(false);
    expect(report.checks.filter((c) => c.status === 'fail').map((c) => c.id))
      .toEqual(['card-reader']);
    const reader = report.checks.find((c) => c.id === 'card-reader')!;
    expect(reader.detail)
      .toMatch(/^no reader named like 'ACS ACR39U 00 00'; pcscd lists: .*Virtual PCD 00 00/);
    expect(reader.action?.en).toContain('cardReader.reader');
    expect(reader.action?.vi).toContain('cardReader.reader');
  });
});
