import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessReader } from '../../drivers/card/virtual/in-process-reader';
import { loadVirtualCard } from '../../drivers/card/virtual/load';
import { hashSecret } from '../../src/api/auth';
import { CARDS_DIR, testConfig } from '../support/app-config';
import { ARTIFACTS, launchChromium } from './support/chromium';
import { startApi, type RunningApi } from '../support/api';

const README_SHOT = new URL('../../assets/clerk-page.png', import.meta.url).pathname;
const CLERK = { name: 'lan', secret: '2468' };
const SUPERVISOR = { name: 'minh', secret: 'mật khẩu 9' };

/** The texts each language must show, written down from the page's dictionary beforehand. */
const EXPECT = {
  vi: { signIn: 'Đăng nhập', insert: 'Vui lòng cắm thẻ vào máy đọc — 200.000 ₫',
    approved: 'Thành công — 200.000 ₫', printed: 'Đã in biên lai.',
    fee: 'Lệ phí cấp hộ chiếu phổ thông', customer: 'Thành công. Cảm ơn quý khách',
    customerInsert: 'Vui lòng cắm thẻ vào máy đọc', voidTitle: 'Xác nhận của giám sát viên',
    voided: 'Đã huỷ', settled: 'Đã kết toán lô 1 (lô tiếp theo 2)',
    sales: 'Bán: 0 · 0 ₫', voids: 'Huỷ: 1 · 200.000 ₫', dossier: 'HS-2026-000123',
    ready: 'sẵn sàng' },
  en: { signIn: 'Sign in', insert: 'Please insert the card in the reader — 200.000 ₫',
    approved: 'Approved — 200.000 ₫', printed: 'Receipt printed.',
    fee: 'Ordinary passport fee', customer: 'Thành công. Cảm ơn quý khách',
    customerInsert: 'Vui lòng cắm thẻ vào máy đọc', voidTitle: "Supervisor's confirmation",
    voided: 'Voided', settled: 'Settled batch 2 (next batch 3)',
    sales: 'Sales: 0 · 0 ₫', voids: 'Voids: 1 · 200.000 ₫', dossier: 'HS-2026-000124',
    ready: 'ready' },
} as const;

/**
 * The clerk page in a real browser (Debian's Chromium, driven by playwright-core) against
 * quay on its embedded bank, in-process card reader and printer simulator: sign in, charge a
 * fee by keyboard alone, follow it to approved, reprint, void with a supervisor and settle, in
 * Vietnamese and again in English, checking the page's text and the journal's rows.
 */
describe('the clerk page in Chromium', () => {
  let run: RunningApi;
  let browser: Browser;

  beforeAll(async () => {
    run = await startApi({ fees: testConfig().config.fees, security: { users: [
      { name: CLERK.name, role: 'clerk', secret: await hashSecret(CLERK.secret) },
      { name: SUPERVISOR.name, role: 'supervisor', secret: await hashSecret(SUPERVISOR.secret) },
    ] } }, { display: { kind: 'none' } });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await run?.close();
  });

  const reader = () => run.app.reader as InProcessReader;
  const insertCard = () => reader().insert(loadVirtualCard(`${CARDS_DIR}visa-cvn10.yaml`));

  /** The print queue's jobs of a transaction: kind, state, and the kind a reprint repeats. */
  function printJobs(transactionId: number): unknown[][] {
    const db = new Database(join(run.app.dataDir, 'quay.db'), { readonly: true });
    try {
      return (db.prepare(`SELECT j.kind, j.state, o.kind AS of FROM print_jobs j
        LEFT JOIN print_jobs o ON o.id = j.reprint_of WHERE j.transaction_id = ? ORDER BY j.id`)
        .all(transactionId) as { kind: string; state: string; of: string | null }[])
        .map((j) => [j.kind, j.state, j.of]);
    } finally {
      db.close();
    }
  }

  async function signIn(page: Page, lang: 'vi' | 'en') {
    await page.goto(`${run.base}/`);
    if (lang === 'en') {
      await page.focus('#lang');
      await page.keyboard.press('Enter');
      await page.focus('#user-name');
    }
    await expect.poll(() => page.textContent('#sign-in-h')).toBe(EXPECT[lang].signIn);
    // Keyboard alone: the name field has focus on arrival; Tab to the PIN, Enter submits.
    await page.keyboard.type(CLERK.name);
    await page.keyboard.press('Tab');
    await page.keyboard.type(CLERK.secret);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#work:not([hidden])');
    expect(await page.textContent('#who-name')).toBe(CLERK.name);
  }

  /** The charge by keyboard: the fee list has focus after sign-in. */
  async function chargeByKeyboard(page: Page, dossier: string) {
    expect(await page.evaluate('document.activeElement?.id')).toBe('fee');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Tab');
    expect(await page.inputValue('#amount')).toBe('200.000');
    await page.keyboard.press('Tab');
    await page.keyboard.type(dossier);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Nguyễn Thị Hoà');
    await page.keyboard.press('Enter');
  }

  async function supervisorConfirms(page: Page, title: string) {
    await page.waitForSelector('#supervisor-dialog[open]');
    expect(await page.textContent('#supervisor-h')).toBe(title);
    await page.keyboard.type(SUPERVISOR.name);
    await page.keyboard.press('Tab');
    await page.keyboard.type(SUPERVISOR.secret);
    await page.keyboard.press('Enter');
    // An error would be shown in the dialog, which then stays open: both are read together.
    await expect.poll(async () => [await page.textContent('#supervisor-error'),
      await page.getAttribute('#supervisor-dialog', 'open')], { timeout: 20_000 })
      .toEqual(['', null]);
  }

  for (const lang of ['vi', 'en'] as const) {
    it(`charges, reprints, voids and settles in ${lang === 'vi' ? 'Vietnamese' : 'English'}`,
      async () => {
        const want = EXPECT[lang];
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        const page = await context.newPage();
        const customer = await context.newPage();
        await customer.goto(`${run.base}/customer`);
        await signIn(page, lang);
        // The embedded defaults start with a card in the reader; the payer inserts it later.
        if (reader().inserted) reader().remove();

        await chargeByKeyboard(page, want.dossier);
        await expect.poll(() => page.textContent('#status')).toBe(want.insert);
        await expect.poll(() => customer.textContent('#c-step')).toBe(want.customerInsert);
        expect(await customer.textContent('#c-amount')).toBe('200.000 ₫');
        await customer.screenshot({ path: `${ARTIFACTS}customer-${lang}-insert.png` });
        insertCard();
        await expect.poll(() => page.textContent('#status'), { timeout: 20_000 })
          .toBe(want.approved);
        await expect.poll(() => customer.textContent('#c-step')).toBe(want.customer);

        const row = run.app.journal.search({ reference: want.dossier, limit: 5, offset: 0 })
          .rows;
        expect(row).toHaveLength(1);
        const paid = row[0]!;
        expect([paid.kind, paid.state, paid.amount, paid.description, paid.payer, paid.operator])
          .toEqual(['purchase', 'approved', 200_000, want.fee, 'Nguyễn Thị Hoà', CLERK.name]);
        expect(await page.textContent('#payment-detail'))
          .toContain(`#${paid.id} · ${want.dossier}`);
        // The terminal stays busy until the payer takes the card out; the page then says ready.
        reader().remove();
        await expect.poll(() => page.textContent('#device-list dd:nth-of-type(1)'),
          { timeout: 10_000 }).toBe(want.ready);
        expect(await page.textContent('#device-list dd:nth-of-type(2)')).toBe('0');
        await page.screenshot({ path: `${ARTIFACTS}clerk-${lang}-approved.png`, fullPage: true });
        // The README's picture changes only when asked for, not on every run of the suite.
        if (lang === 'vi' && process.env.QUAY_UPDATE_SCREENSHOT === '1') {
          await page.screenshot({ path: README_SHOT, fullPage: true });
        }

        // Focus moved to Reprint when the payment ended: Enter prints again.
        expect(await page.evaluate('document.activeElement?.id')).toBe('reprint');
        await page.keyboard.press('Enter');
        await expect.poll(() => page.textContent('#print-result')).toBe(want.printed);
        // Both copies printed with the payment; the reprint repeats the customer's.
        expect(printJobs(paid.id)).toEqual([['merchant', 'printed', null],
          ['customer', 'printed', null], ['reprint', 'printed', 'customer']]);

        // The dialog closes on Esc without doing anything, then the supervisor confirms.
        const voidButton = `#rows tr[data-id="${paid.id}"] button:nth-of-type(2)`;
        await page.click(voidButton);
        await page.waitForSelector('#supervisor-dialog[open]');
        await page.keyboard.press('Escape');
        await page.waitForSelector('#supervisor-dialog:not([open])', { state: 'attached' });
        expect(run.app.journal.get(paid.id)!.state).toBe('approved');
        await page.click(voidButton);
        await supervisorConfirms(page, want.voidTitle);
        await expect.poll(() => page.textContent(`#rows tr[data-id="${paid.id}"] td:nth-child(6)`))
          .toBe(want.voided);
        const voids = run.app.journal.search({ limit: 5, offset: 0 }).rows
          .filter((r) => r.kind === 'void' && r.original_id === paid.id);
        expect(voids.map((r) => [r.state, r.amount, r.operator]))
          .toEqual([['approved', 200_000, SUPERVISOR.name]]);
        expect(run.app.journal.get(paid.id)!.state).toBe('voided');

        await page.click('#settle');
        await supervisorConfirms(page, want.voidTitle);
        await expect.poll(() => page.textContent('#report p:nth-child(1)')).toBe(want.settled);
        expect(await page.textContent('#report p:nth-child(2)')).toBe(want.sales);
        expect(await page.textContent('#report p:nth-child(4)')).toBe(want.voids);
        // The bank took the batch: the void stands settled, and nothing is left open.
        expect(run.app.journal.get(voids[0]!.id)!.state).toBe('settled');
        expect(run.app.journal.search({ states: ['approved'], limit: 5, offset: 0 }).total)
          .toBe(0);
        await page.screenshot({ path: `${ARTIFACTS}clerk-${lang}-settled.png`, fullPage: true });
        await context.close();
      }, 60_000);
  }

  it('refuses a bad amount, then shows a declined payment and its reason on both screens',
    async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const customer = await context.newPage();
      await customer.goto(`${run.base}/customer`);
      await signIn(page, 'vi');
      const before = run.app.journal.search({ limit: 1, offset: 0 }).total;

      await page.fill('#amount', '20.5');
      await page.fill('#dossier', 'HS-2026-000125');
      await page.press('#dossier', 'Enter');
      expect(await page.textContent('#charge-error'))
        .toBe('Số tiền phải là số đồng nguyên dương.');
      expect(await page.evaluate('document.activeElement?.id')).toBe('amount');
      expect(run.app.journal.search({ limit: 1, offset: 0 }).total).toBe(before);

      // Typed without dots, shown with them.
      await page.fill('#amount', '20000');
      expect(await page.textContent('#amount-shown')).toBe('20.000 ₫');
      reader().insert(loadVirtualCard(`${CARDS_DIR}visa-iac-denial.yaml`));
      await page.press('#amount', 'Enter');
      await expect.poll(() => page.textContent('#status'), { timeout: 20_000 })
        .toBe('Bị từ chối — 20.000 ₫');
      expect(await page.textContent('#payment-detail')).toContain('Lý do: Thẻ từ chối giao dịch');
      await expect.poll(() => customer.textContent('#c-step')).toBe('Bị từ chối');
      expect(await customer.textContent('#c-reason')).toBe('Thẻ từ chối giao dịch');
      await customer.screenshot({ path: `${ARTIFACTS}customer-vi-declined.png` });

      const [row] = run.app.journal.search({ reference: 'HS-2026-000125', limit: 5, offset: 0 })
        .rows;
      expect([row?.state, row?.error_code, row?.amount]).toEqual(['declined', 'CARD_DECLINED',
        20_000]);
      await context.close();
    }, 60_000);

  it('refunds part of a sale with the amount typed in the supervisor\'s dialog', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, 'vi');
    insertCard();
    await page.fill('#amount', '150.000');
    await page.fill('#dossier', 'HS-2026-000126');
    await page.press('#dossier', 'Enter');
    await expect.poll(() => page.textContent('#status'), { timeout: 20_000 })
      .toBe('Thành công — 150.000 ₫');
    const [sale] = run.app.journal.search({ reference: 'HS-2026-000126', limit: 5, offset: 0 })
      .rows;

    await page.click(`#rows tr[data-id="${sale!.id}"] button:nth-of-type(3)`);
    await page.waitForSelector('#supervisor-dialog[open]');
    expect(await page.textContent('#supervisor-what'))
      .toBe(`Hoàn tiền giao dịch số ${sale!.id} — 150.000 ₫`);
    expect(await page.evaluate('document.activeElement?.id')).toBe('refund-amount');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('50.000');
    await page.keyboard.press('Tab');
    insertCard();
    await supervisorConfirms(page, 'Xác nhận của giám sát viên');
    const refunds = run.app.journal.search({ limit: 10, offset: 0 }).rows
      .filter((r) => r.kind === 'refund' && r.original_id === sale!.id);
    expect(refunds.map((r) => [r.state, r.amount, r.operator]))
      .toEqual([['approved', 50_000, SUPERVISOR.name]]);
    expect(await page.textContent('#print-result')).toBe(`Hoàn #${refunds[0]!.id}: Thành công`);
    await context.close();
  }, 60_000);
});
