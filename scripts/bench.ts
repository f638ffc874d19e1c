/**
 * quay's benchmarks (`npm run bench`). Each figure is printed beside a reference measured in
 * the same run on the same machine, so the ratio means something on a shared, noisy host;
 * nothing here passes or fails.
 */
import { createCipheriv } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { buildPurchase } from '../src/acquirer/messages';
import { startApp } from '../src/app';
import { DEFAULT_CONFIG_PATH, loadConfig, fromObject } from '../src/config/load';
import { computeCryptogram, deriveIccMasterKey } from '../src/emv/cryptogram';
import { encodeTlv } from '../src/emv/tlv';
import { loadLayout } from '../src/iso8583/layouts';
import { pack, unpack } from '../src/iso8583/pack';
import { Journal } from '../src/journal/journal';
import { silentLogger } from '../src/log';
import { renderReceipt } from '../src/receipt/render';
import { PROFILE_58MM, type ReceiptData } from '../src/receipt/types';

interface Figure {
  name: string;
  perSecond: number;
}

/** Runs fn repeatedly for about `ms` milliseconds (at least `min` times); calls per second. */
async function measure(name: string, fn: () => unknown | Promise<unknown>, ms = 1_000,
  min = 5): Promise<Figure> {
  for (let i = 0; i < Math.min(min, 3); i++) await fn();
  let count = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < ms * 1e6 || count < min) {
    await fn();
    count++;
    elapsed = Number(process.hrtime.bigint() - start);
  }
  return { name, perSecond: count / (elapsed / 1e9) };
}

function report(subject: Figure, reference: Figure): void {
  const ratio = subject.perSecond / reference.perSecond;
  const fmt = (f: Figure) => `${f.perSecond.toFixed(f.perSecond < 100 ? 1 : 0).padStart(10)}/s`;
  console.log(`${subject.name.padEnd(44)} ${fmt(subject)}`);
  console.log(`  reference: ${reference.name.padEnd(32)} ${fmt(reference)}` +
    `   ratio ${ratio.toFixed(3)}`);
}

const imk = Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex');
const iccKey = deriveIccMasterKey(imk, '4761739001010010', '01');
const tags = {
  '9F02': Buffer.from('000000150000', 'hex'), '9F03': Buffer.alloc(6),
  '9F1A': Buffer.from('0704', 'hex'), '95': Buffer.alloc(5), '5F2A': Buffer.from('0704', 'hex'),
  '9A': Buffer.from('261203', 'hex'), '9C': Buffer.from('00', 'hex'),
  '9F37': Buffer.from('52BF4585', 'hex'), '82': Buffer.from('1C00', 'hex'),
  '9F36': Buffer.from('0011', 'hex'), '9F10': Buffer.from('06010A03A0000000', 'hex'),
};

async function cryptograms(): Promise<void> {
  const subject = await measure('ARQC, CVN 10 (derive key + retail MAC)', () =>
    computeCryptogram(10, deriveIccMasterKey(imk, '4761739001010010', '01'), tags));
  const data = Buffer.alloc(40, 0x11);
  const reference = await measure('3DES-CBC over 40 bytes', () => {
    const c = createCipheriv('des-ede-cbc', iccKey, Buffer.alloc(8));
    return Buffer.concat([c.update(data), c.final()]);
  });
  report(subject, reference);
}

async function isoMessages(): Promise<void> {
  const layout = loadLayout('pos-bcd');
  const iccData = Buffer.concat(Object.entries(tags).map(([t, v]) => encodeTlv(t, v)));
  const message = buildPurchase({
    stan: 1, amount: 150_000, pan: '4761739001010010', panSequence: '01', expiry: '2912',
    track2: Buffer.from('4761739001010010D29122010000000F', 'hex'), iccData,
    posEntryMode: '051', terminalId: 'QUAY0001', merchantId: '000000000000001', nii: '001',
    localTime: new Date(), invoice: 1, batch: 1,
  });
  const subject = await measure('ISO 8583 0200 pack + unpack (pos-bcd)', () =>
    unpack(pack(message, layout), layout));
  const plain = Object.fromEntries([...message.fields].map(([k, v]) =>
    [k, typeof v === 'string' ? v : v.toString('hex')]));
  const reference = await measure('JSON stringify + parse, same fields', () =>
    JSON.parse(JSON.stringify({ mti: message.mti, fields: plain })));
  report(subject, reference);
}

async function receipts(): Promise<void> {
  const data: ReceiptData = {
    merchant: { name: 'UBND PHƯỜNG BẾN NGHÉ', address: '29 Lê Duẩn, Quận 1, TP. Hồ Chí Minh',
      merchantId: '000000000000001', terminalId: 'QUAY0001' },
    copy: 'customer', batch: 1, invoice: 1, stan: 1, rrn: '633719000001', dateTime: new Date(),
    application: { label: 'VISA DEBIT', aid: 'A0000000031010' },
    maskedPan: '**** **** **** 0010',
    entryMode: 'chip', cvm: 'none', amount: 150_000, reference: 'HS-2019-000123',
    authCode: '000001', result: 'approved',
  };
  const subject = await measure('receipt layout + raster + ESC/POS (58 mm)', () =>
    renderReceipt(data, PROFILE_58MM), 2_000);
  const png = new PNG({ width: 384, height: 1200 });
  const reference = await measure('PNG encode of a 384x1200 page',
    () => PNG.sync.write(png), 2_000);
  report(subject, reference);
}

async function payments(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'quay-bench-'));
  const raw = loadConfig().config;
  const app = await startApp(fromObject({ ...structuredClone(raw), dataDir: dir,
    display: { kind: 'none' } }, DEFAULT_CONFIG_PATH), { log: silentLogger });
  let n = 0;
  const subject = await measure('payment, embedded default (card to receipt)', () =>
    app.terminal.pay({ amount: 150_000, reference: `B-${++n}` }), 3_000);
  await app.close();
  const journal = Journal.open(join(dir, 'reference.db'));
  const reference = await measure('journal rows only (4 commits)', () => {
    const { row } = journal.createPayment({ amount: 1, reference: 'R', terminalId: 'QUAY0001',
      merchantId: '000000000000001' });
    journal.move(row.id, 'card_read');
    journal.markSent(row.id);
    journal.move(row.id, 'approved');
  }, 3_000);
  journal.close();
  rmSync(dir, { recursive: true, force: true });
  report(subject, reference);
}

console.log(`quay benchmarks — node ${process.version}, ${new Date().toISOString()}`);
await cryptograms();
await isoMessages();
await receipts();
await payments();
