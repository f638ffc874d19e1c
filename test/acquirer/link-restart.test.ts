import { afterEach, describe, expect, it } from 'vitest';
import { AcquirerLink } from '../../src/acquirer/link';
import { buildPurchase, readPurchaseResponse } from '../../src/acquirer/messages';
import { startAcquirerSimulator, type AcquirerSimulator }
  from '../../src/acquirer/simulator/server';
import { capturingLogger, CVN10_CARD, purchase, simulatorConfig } from './support';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()!.close();
});

describe('AcquirerLink when the bank restarts between two payments', () => {
  it('sends the next request on a new connection, which the restarted bank answers', async () => {
    const logs = capturingLogger();
    const first: AcquirerSimulator = await startAcquirerSimulator(simulatorConfig());
    const port = first.port;
    const link = new AcquirerLink({ host: '127.0.0.1', port, layout: 'pos-bcd',
      tpdu: '6000010000', connectTimeoutMs: 2000, responseTimeoutMs: 2000 }, logs.logger);
    open.push(link);
    const sale = (amount: number, stan: number) =>
      buildPurchase(purchase(CVN10_CARD, amount, stan).request);
    const a = readPurchaseResponse(await link.exchange(sale(20_000, 1)));
    expect(a.responseCode).toBe('00');
    await first.close();
    // The bank takes a moment to come back; the link has seen its connection close by then.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await startAcquirerSimulator(simulatorConfig(), { port });
    open.push(second);
    const b = readPurchaseResponse(await link.exchange(sale(30_000, 2)));
    expect(b).toMatchObject({ responseCode: '00', stan: 2 });
    expect(second.journal.map((e) => e.stan)).toEqual(['000002']);
  });
});
