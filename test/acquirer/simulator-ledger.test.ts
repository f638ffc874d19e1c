import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { AcquirerLink } from '../../src/acquirer/link';
import {
  buildPurchase, buildReversal, readPurchaseResponse, readReversalResponse,
} from '../../src/acquirer/messages';
import { startAcquirerSimulator, type AcquirerSimulator }
  from '../../src/acquirer/simulator/server';
import type { IsoMessage } from '../../src/iso8583/message';
import { CVN10_CARD, purchase, simulatorConfig } from './support';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TID = 'QUAY0001';

const children: ChildProcess[] = [];
const links: AcquirerLink[] = [];
const sims: AcquirerSimulator[] = [];

afterEach(async () => {
  for (const link of links.splice(0)) await link.close();
  for (const sim of sims.splice(0)) await sim.close();
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) await killed(child);
  }
});

function ledgerPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'quay-ledger-')), 'ledger.db');
}

function linkTo(port: number): AcquirerLink {
  const link = new AcquirerLink({ host: '127.0.0.1', port, layout: 'pos-bcd',
    tpdu: '6000010000', connectTimeoutMs: 2000, responseTimeoutMs: 5000 });
  links.push(link);
  return link;
}

/**
 * Runs the simulator as its own process (in its own process group: tsx runs node as a child)
 * and resolves with the port it logged.
 */
function spawnSimulator(command: string, args: string[]): Promise<{ child: ChildProcess;
  port: number }> {
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, env: { ...process.env, QUAY_LOG_LEVEL: 'info' } });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const found = /"port":(\d+)/.exec(out);
      if (found) resolve({ child, port: Number(found[1]) });
    });
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}: ${out}`)));
  });
}

/** SIGKILL to the simulator's process group: tsx and the node process it runs. */
async function killed(child: ChildProcess): Promise<void> {
  const exit = new Promise((done) => child.once('exit', done));
  process.kill(-child.pid!, 'SIGKILL');
  await exit;
}

describe('the ledger on disk across a restart of the simulator process', () => {
  it('finds the approval for a reversal after a kill -9, and numbers on from it', async () => {
    const ledger = ledgerPath();
    const first = await spawnSimulator(`${ROOT}node_modules/.bin/tsx`,
      ['scripts/acquirer-sim.ts', '--port', '0', '--ledger', ledger]);
    const sale = purchase(CVN10_CARD, 450_000, 17).request;
    const approval = readPurchaseResponse(
      await linkTo(first.port).exchange(buildPurchase(sale)), { stan: 17, terminalId: TID });
    expect(approval).toMatchObject({ responseCode: '00', authCode: '000001' });
    // Killed with no chance to flush: what the answer carried must already be on disk.
    await killed(first.child);

    const second = await spawnSimulator(`${ROOT}bin/quay`,
      ['acquirer-sim', '--port', '0', '--ledger', ledger]);
    const link = linkTo(second.port);
    const reversal = readReversalResponse(await link.exchange(buildReversal(sale, false)),
      { stan: 17, terminalId: TID });
    expect(reversal.responseCode).toBe('00');
    const next = readPurchaseResponse(await link.exchange(buildPurchase(
      purchase(CVN10_CARD, 20_000, 18).request)), { stan: 18, terminalId: TID });
    expect(next.authCode).toBe('000002');
    expect(Number(next.rrn!.slice(-6))).toBe(Number(approval.rrn!.slice(-6)) + 1);
    await killed(second.child);

    const reader = await startAcquirerSimulator(simulatorConfig({ ledger }));
    sims.push(reader);
    expect(reader.ledger.requests().map((r) => [r.mti, r.stan, r.outcome])).toEqual([
      ['0200', '000017', 'approved'], ['0400', '000017', 'reversed'],
      ['0200', '000018', 'approved'],
    ]);
    expect(reader.isApproved(TID, '000017')).toBe(false);
    expect(reader.isApproved(TID, '000018')).toBe(true);
  });
});

/** A purchase with field 7, as terminals that send it do: part of what makes it the same. */
function sale(stan: number, amount = 450_000, transmission = '0109073005',
  terminalId = TID): IsoMessage {
  const message = buildPurchase({ ...purchase(CVN10_CARD, amount, stan).request, terminalId });
  message.fields.set(7, transmission);
  return message;
}

async function started(ledger?: string): Promise<{ sim: AcquirerSimulator; link: AcquirerLink }> {
  const sim = await startAcquirerSimulator(simulatorConfig(ledger ? { ledger } : {}));
  sims.push(sim);
  return { sim, link: linkTo(sim.port) };
}

function authCode(reply: IsoMessage): string | undefined {
  return reply.fields.get(38) as string | undefined;
}

describe('duplicate detection by class, terminal, STAN and transmission time', () => {
  it('answers a retransmission with the first answer, once approved', async () => {
    const { sim, link } = await started();
    const first = await link.exchange(sale(5));
    const copy = await link.exchange(sale(5));
    expect(authCode(first)).toBe('000001');
    expect(authCode(copy)).toBe('000001');
    expect(copy.fields.get(37)).toBe(first.fields.get(37));
    expect(sim.ledger.approvals()).toHaveLength(1);
    expect(sim.ledger.requests().map((r) => [r.outcome, r.originalId]))
      .toEqual([['approved', undefined], ['duplicate', 1]]);
  });

  it('takes another transmission time, terminal or amount as a new request', async () => {
    const { sim, link } = await started();
    await link.exchange(sale(5));
    expect(authCode(await link.exchange(sale(5, 450_000, '0109073006')))).toBe('000002');
    expect(authCode(await link.exchange(sale(5, 450_000, '0109073005', 'QUAY0002'))))
      .toBe('000003');
    // The same STAN reused for another amount is not a retransmission either.
    expect(authCode(await link.exchange(sale(5, 30_000)))).toBe('000004');
    expect(sim.ledger.requests().map((r) => r.outcome)).toEqual(
      ['approved', 'approved', 'approved', 'approved']);
  });

  it('keeps message classes apart: a reversal with the sale\'s STAN is no duplicate of it',
    async () => {
      const { sim, link } = await started();
      const request = purchase(CVN10_CARD, 450_000, 5).request;
      await link.exchange(buildPurchase(request));
      const reversal = buildReversal(request, false);
      expect((await link.exchange(reversal)).fields.get(39)).toBe('00');
      // 0401 is the same class as 0400: the repeat gets the first answer from the ledger.
      expect((await link.exchange(buildReversal(request, true))).fields.get(39)).toBe('00');
      expect(sim.ledger.requests().map((r) => [r.mti, r.outcome])).toEqual([
        ['0200', 'approved'], ['0400', 'reversed'], ['0401', 'duplicate'],
      ]);
      expect(sim.isApproved(TID, '000005')).toBe(false);
    });

  it('recognises a retransmission after an in-process restart with the same ledger',
    async () => {
      const ledger = ledgerPath();
      const before = await started(ledger);
      const first = await before.link.exchange(sale(9));
      await before.link.close();
      await before.sim.close();

      const after = await started(ledger);
      const copy = await after.link.exchange(sale(9));
      expect(authCode(copy)).toBe(authCode(first));
      expect(after.sim.ledger.approvals()).toHaveLength(1);
      expect(after.sim.ledger.requests().at(-1)?.outcome).toBe('duplicate');
    });
});
