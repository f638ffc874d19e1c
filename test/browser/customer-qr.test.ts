import { writeFileSync } from 'node:fs';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerScreen } from '../../src/api/page/schemas';
import { startQrBankSimulator, type QrBankSimulator } from '../../src/qr/simulator/server';
import { parseVietQr } from '../../src/qr/vietqr';
import { testConfig } from '../support/app-config';
import { ARTIFACTS, launchChromium } from './support/chromium';
import { startApi, until, type RunningApi } from '../support/api';

const README_SHOT = new URL('../../assets/customer-qr.png', import.meta.url).pathname;
const SECRET = 'customer-qr-shared-secret';
/** The simulated payer pays only when the test says so. */
const NEVER_MS = 3_600_000;
const QR = { merchant: { bin: '970415', account: '0011001932418', service: 'QRIBFTTA' },
  terminalLabel: 'QUAY0001', secret: SECRET };

/**
 * Texts written down beforehand: the dictionary's sentences and the amount read in words
 * (200 000 is "hai trăm nghìn": one group of hundreds, then the thousands' scale word).
 */
const SCAN_VI = 'Quét mã VietQR bằng ứng dụng ngân hàng để thanh toán';
const SCAN_EN = 'Scan the VietQR code with your banking app to pay';
const WORDS_VI = 'Hai trăm nghìn đồng';
const WORDS_EN = 'Two hundred thousand dong';

interface Shown { journalId: number; payload: string; png: string; qrReference: string;
  content: string; status: string }

/**
 * A VietQR payment from the clerk page, in Debian's Chromium against quay with a qr section
 * pointing at the bank's QR simulator: the code is read back from a screenshot of the
 * customer's screen as a payer's phone would read it, then the simulated payer transfers and
 * both screens and the journal say so. A cancel by keyboard ends the second one.
 */
describe('the VietQR code on the customer screen', () => {
  let run: RunningApi;
  let sim: QrBankSimulator;
  let browser: Browser;

  beforeAll(async () => {
    sim = await startQrBankSimulator({ secret: SECRET, payAfterMs: NEVER_MS, lateMs: NEVER_MS });
    run = await startApi({ fees: testConfig().config.fees }, { display: { kind: 'none' },
      printer: { kind: 'none' },
      qr: { ...QR, gateway: { url: sim.url, pollIntervalMs: 250, lateWatchMs: 0 } } });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await run?.close();
    await sim?.close();
  });

  /** The clerk page with nobody to sign in (no users, loopback): the fee list has focus. */
  async function openPages(): Promise<{ page: Page; customer: Page; close(): Promise<void> }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const customer = await context.newPage();
    await customer.goto(`${run.base}/customer`);
    const page = await context.newPage();
    await page.goto(`${run.base}/`);
    await page.waitForSelector('#work:not([hidden])');
    await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('fee');
    return { page, customer, close: () => context.close() };
  }

  /** Fills the fee by keyboard, then Tabs past "Thu tiền" to "Thanh toán VietQR" and presses it. */
  async function payByQr(page: Page, dossier: string, payer: string): Promise<Shown> {
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Tab');
    expect(await page.inputValue('#amount')).toBe('200.000');
    await page.keyboard.press('Tab');
    await page.keyboard.type(dossier);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.type(payer);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.id')).toBe('pay-qr');
    const answer = page.waitForResponse((r) => r.url().endsWith('/v1/qr-payments')
      && r.request().method() === 'POST');
    await page.keyboard.press('Enter');
    const response = await answer;
    expect(response.status()).toBe(201);
    return await response.json() as Shown;
  }

  it('shows a code the screenshot decodes to the API\'s payload, then the payment', async () => {
    const { page, customer, close } = await openPages();
    const shown = await payByQr(page, 'HS-2026-QR-001', 'Trần Văn Bình');
    expect(shown.status).toBe('waiting');

    await expect.poll(() => page.textContent('#status'))
      .toBe('Chờ khách quét mã VietQR và chuyển khoản — 200.000 ₫');
    expect(await page.evaluate('document.activeElement?.id')).toBe('qr-cancel');
    await page.screenshot({ path: `${ARTIFACTS}clerk-qr-waiting.png`, fullPage: true });
    expect(await page.textContent('#payment-detail')).toBe(`#${shown.journalId} · `
      + `HS-2026-QR-001 · Nội dung chuyển khoản: ${shown.qrReference}`);

    await expect.poll(() => customer.textContent('#c-step')).toBe(SCAN_VI);
    expect(await customer.textContent('#c-amount')).toBe('200.000 ₫');
    expect(await customer.textContent('#c-words')).toBe(WORDS_VI);
    expect(await customer.textContent('#c-ref'))
      .toBe(`Hồ sơ HS-2026-QR-001 · Nội dung chuyển khoản: ${shown.qrReference}`);
    // The image decoded and laid out before the screenshot is taken (a string: it runs there).
    await customer.waitForFunction(`(() => { const img = document.getElementById('c-qr');
      return !img.hidden && img.complete && img.naturalWidth > 0; })()`);

    // The screen's own answer: the code and its words, nothing of a card.
    const screen = await (await fetch(`${run.base}/v1/customer-screen`)).json() as
      { payment: Record<string, unknown> & { qr: Record<string, unknown> } };
    expect(customerScreen.safeParse(screen).error).toBeUndefined();
    expect(Object.keys(screen.payment).sort()).toEqual(['amount', 'journalId', 'kind', 'qr',
      'reason', 'state', 'status', 'updatedAt']);
    expect(screen.payment.qr).toMatchObject({ payload: shown.payload, reference: 'HS-2026-QR-001',
      qrReference: shown.qrReference, amountWords: { vi: WORDS_VI, en: WORDS_EN } });

    // The payer's camera: the whole screen as pixels, decoded with no hint where the code is.
    const shot = await customer.screenshot();
    writeFileSync(`${ARTIFACTS}customer-qr-vi.png`, shot);
    if (process.env.QUAY_UPDATE_SCREENSHOT === '1') writeFileSync(README_SHOT, shot);
    const png = PNG.sync.read(shot);
    const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(code?.data).toBe(shown.payload);
    expect(parseVietQr(code!.data)).toMatchObject({ initiation: 'dynamic', bin: '970415',
      account: '0011001932418', service: 'QRIBFTTA', amount: 200_000,
      billNumber: 'HS-2026-QR-001', terminalLabel: 'QUAY0001', purpose: shown.content });
    // Finder centres are (modules − 7) modules apart (ISO/IEC 18004 6.3.3): the module size
    // on the screen, measured from the screenshot, not from the image the server drew.
    const modules = 17 + 4 * code!.version;
    const { topLeftFinderPattern: a, topRightFinderPattern: b } = code!.location;
    expect(Math.hypot(b.x - a.x, b.y - a.y) / (modules - 7)).toBeGreaterThanOrEqual(6);

    // The switch: the same screen in English, and back.
    await customer.click('#c-lang');
    await expect.poll(() => customer.textContent('#c-step')).toBe(SCAN_EN);
    expect(await customer.textContent('#c-words')).toBe(WORDS_EN);
    expect(await customer.textContent('#c-ref'))
      .toBe(`Dossier HS-2026-QR-001 · Transfer content: ${shown.qrReference}`);
    await customer.screenshot({ path: `${ARTIFACTS}customer-qr-en.png` });
    await customer.click('#c-lang');
    await expect.poll(() => customer.textContent('#c-step')).toBe(SCAN_VI);

    await sim.payNow(shown.qrReference);
    await expect.poll(() => page.textContent('#status'), { timeout: 20_000 })
      .toBe('Thành công — 200.000 ₫');
    await expect.poll(() => customer.textContent('#c-step'))
      .toBe('Thành công. Cảm ơn quý khách');
    expect(await customer.isHidden('#c-qr')).toBe(true);
    expect(await page.isHidden('#qr-cancel')).toBe(true);
    // Paid: the code is no longer offered to anyone's camera.
    const after = await (await fetch(`${run.base}/v1/customer-screen`)).json() as
      { payment: Record<string, unknown> };
    expect([after.payment.status, 'qr' in after.payment]).toEqual(['approved', false]);
    const row = run.app.journal.get(shown.journalId)!;
    expect([row.kind, row.state, row.amount, row.reference, row.payer, row.qr_payload])
      .toEqual(['qr', 'approved', 200_000, 'HS-2026-QR-001', 'Trần Văn Bình', shown.payload]);
    expect(run.app.journal.events(row.id).map((e) => e.state))
      .toEqual(['created', 'qr_waiting', 'approved']);
    await expect.poll(() => page.textContent(`#rows tr[data-id="${row.id}"] td:nth-child(6)`))
      .toBe('Thành công');
    // No refund button for a transfer: the page says how such money goes back.
    const actions = page.locator(`#rows tr[data-id="${row.id}"] td:last-child`);
    expect(await actions.locator('button', { hasText: 'Hoàn tiền' }).count()).toBe(0);
    expect(await actions.textContent()).toContain('Hoàn tiền VietQR: chuyển khoản từ tài khoản '
      + 'đơn vị, không qua máy thẻ');
    await close();
  }, 60_000);

  it('cancels a waiting code by keyboard: both screens say so, the row is expired', async () => {
    await until(() => !run.app.terminal.isBusy);
    const { page, customer, close } = await openPages();
    const shown = await payByQr(page, 'HS-2026-QR-002', 'Lê Thị Cúc');
    await expect.poll(() => customer.textContent('#c-step')).toBe(SCAN_VI);
    expect(await page.evaluate('document.activeElement?.id')).toBe('qr-cancel');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.textContent('#status'))
      .toBe('Đã huỷ thanh toán VietQR — 200.000 ₫');
    await expect.poll(() => customer.textContent('#c-step')).toBe('Đã huỷ thanh toán VietQR');
    expect(await customer.textContent('#c-reason')).toBe('Thanh toán QR đã bị hủy');
    expect(await customer.isHidden('#c-qr')).toBe(true);
    expect(run.app.journal.get(shown.journalId)).toMatchObject({ kind: 'qr',
      state: 'qr_expired', error_code: 'QR_CANCELLED' });
    expect(run.app.terminal.isBusy).toBe(false);
    await close();
  }, 60_000);
});
