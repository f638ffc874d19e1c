import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessReader } from '../../drivers/card/virtual/in-process-reader';
import { loadVirtualCard } from '../../drivers/card/virtual/load';
import { startApp, type App } from '../../src/app';
import { silentLogger } from '../../src/log';
import { CARDS_DIR, testConfig } from '../support/app-config';

/**
 * PINs in a whole payment: the daemon with the EMV PIN pad simulator (pinPad.kind simulator,
 * the ANSI X9.24-1 test key the embedded bank's BDK matches), the embedded bank checking the
 * online PIN block, and a real journal file that must never hold a PIN block.
 */
const apps: App[] = [];
afterEach(async () => {
  while (apps.length > 0) await apps.pop()!.close();
});

async function open(entries: string[]): Promise<App> {
  const app = await startApp(testConfig({ printer: { kind: 'none' }, display: { kind: 'none' },
    pinPad: { kind: 'simulator', entries, testKey: true } }), { log: silentLogger });
  apps.push(app);
  return app;
}

async function pay(app: App, card: string, amount: number) {
  (app.reader as InProcessReader).insert(loadVirtualCard(`${CARDS_DIR}${card}`));
  return app.terminal.pay({ amount, reference: `HS-PIN-${amount}` });
}

describe('PIN entry in a payment', () => {
  it('online PIN: the block goes in fields 52 and 53, the bank checks it, nothing keeps it',
    async () => {
      const app = await open(['1234']);
      const result = await pay(app, 'visa-cvn10.yaml', 150_000);
      expect(result.status).toBe('approved');
      const request = app.acquirerSimulator!.journal[0]!;
      expect(request.fields).toEqual(expect.arrayContaining([52, 53]));
      // CVM list 4203 first: online PIN, result 00 "unknown" (Book 4 A4); TVR byte 3 b3 (04)
      // "online PIN entered" beside byte 4 b8 for the floor limit (Book 3 10.5, 10.6.1).
      expect(app.journal.get(result.journalId)).toMatchObject({ cvm_results: '420300',
        tvr: '8000048000' });
      const stored = readFileSync(`${app.dataDir}/quay.db`).toString('latin1')
        + readFileSync(`${app.dataDir}/quay.db-wal`).toString('latin1');
      expect(stored).not.toContain('1234');
    });

  it('a wrong online PIN: the bank answers 55 and the payment is declined', async () => {
    const app = await open(['9999']);
    const result = await pay(app, 'visa-cvn10.yaml', 160_000);
    expect(result).toMatchObject({ status: 'declined', responseCode: '55' });
  });

  it('offline plaintext PIN: the pad sends VERIFY to the card, CVM results 410302', async () => {
    const app = await open(['4321', '1234']);
    const result = await pay(app, 'visa-pin-plaintext.yaml', 170_000);
    expect(result.status).toBe('approved');
    // A wrong PIN first (63C2), then the right one: verified by the card, nothing sent online.
    expect(app.journal.get(result.journalId)).toMatchObject({ cvm_results: '410302',
      tvr: '8000008000' });
    expect(app.acquirerSimulator!.journal[0]!.fields).not.toContain(52);
  });
});
