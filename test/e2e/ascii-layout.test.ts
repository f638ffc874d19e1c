import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/app';
import { loadLayout } from '../../src/iso8583/layouts';
import { buildPurchase } from '../../src/acquirer/messages';
import { fieldData } from '../../src/iso8583/message';
import { pack, unpack } from '../../src/iso8583/pack';
import { silentLogger } from '../../src/log';
import { testConfig } from '../support/app-config';

const apps: App[] = [];
afterEach(async () => {
  while (apps.length > 0) await apps.pop()!.close();
});

/**
 * The ISO 8583:1987 ASCII layout carries a whole payment: field 55 travels as LLL text (hex
 * digits) both ways, the simulator verifies the ARQC from it and the card the ARPC.
 */
describe('a payment on the iso87-ascii layout', () => {
  it('is approved, with the ICC data as hex text in the request the bank read', async () => {
    const app = await startApp(testConfig({ host: { kind: 'embedded-simulator',
      layout: 'iso87-ascii' } }), { log: silentLogger });
    apps.push(app);
    const result = await app.terminal.pay({ amount: 150_000, reference: 'HS-2019-000123' });
    expect(result).toMatchObject({ status: 'approved', responseCode: '00', stan: 1 });
    // The second GENERATE AC got a TC: the card accepted the ARPC the bank sent in 55.
    expect(app.journal.events(result.journalId).map((e) => e.state))
      .toEqual(['created', 'card_read', 'sent', 'approved']);

    const seen = app.acquirerSimulator!.journal[0]!;
    expect(seen).toMatchObject({ mti: '0200', stan: '000001', amount: '000000150000',
      decision: { responseCode: '00' } });
    expect(seen.fields).toContain(55);
  });

  it('packs field 55 as LLL hex text and reads it back as the same bytes', () => {
    const iccData = Buffer.from('9F2608A1B2C3D4E5F607189F2701809F360200119F3704DEADBEEF', 'hex');
    const layout = loadLayout('iso87-ascii');
    const message = buildPurchase({ stan: 7, amount: 20_000, pan: '4761739001010010',
      panSequence: '01', expiry: '2912', iccData, posEntryMode: '051', terminalId: 'QUAY0001',
      merchantId: '000000000000001', nii: '001', localTime: new Date(2026, 11, 4, 9, 30) });
    const wire = pack(message, layout);
    const hexText = iccData.toString('hex').toUpperCase();
    expect(wire.includes(Buffer.from(`${String(hexText.length).padStart(3, '0')}${hexText}`)))
      .toBe(true);
    const back = unpack(wire, layout);
    expect(back.fields.get(55)).toBe(hexText);
    expect(fieldData(back, 55)).toEqual(iccData);
  });
});
