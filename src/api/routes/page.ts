import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { TransactionRow } from '../../journal/journal';
import { renderQrPng } from '../../qr/render';
import { amountInWords } from '../../receipt/amount-words';
import type { ApiContext } from '../context';
import { publicTransaction } from '../views';

/** The page's files, read once: they ship beside this module and never change at run time. */
const FILES: Record<string, string> = {
  '/': 'clerk.html',
  '/customer': 'customer.html',
  '/page/clerk.js': 'clerk.js',
  '/page/customer.js': 'customer.js',
  '/page/words.js': 'words.js',
  '/page/page.css': 'page.css',
};

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/**
 * The clerk page, the customer's second screen, and the three small reads they need beyond
 * the counter API: the fee catalogue, the state the customer should see, and the offline
 * approvals still owed to the bank. Everything is served from here; the page loads nothing
 * from elsewhere, so it works on a counter with no internet.
 */
export function pageRoutes(app: FastifyInstance, ctx: ApiContext): void {
  for (const [url, file] of Object.entries(FILES)) {
    const body = readFileSync(new URL(`../page/${file}`, import.meta.url), 'utf8');
    const type = TYPES[file.slice(file.lastIndexOf('.') + 1)]!;
    app.get(url, async (_request, reply) => reply.type(type)
      // The page has no inline script or style, so the policy can forbid both.
      .header('content-security-policy', "default-src 'self'; img-src 'self' data:")
      .header('cache-control', 'no-cache').send(body));
  }

  app.get('/v1/fees', async (request) => {
    ctx.gate.requireCaller(request);
    return { items: ctx.fees ?? [] };
  });

  // Open like /v1/health: the second screen is a browser at the counter that nobody signs in
  // to, and what it reads is what the customer already sees (amount and result, no card data).
  const codes = new ShownCodes();
  app.get('/v1/customer-screen', async () => {
    const row = ctx.journal.search({ limit: 1, offset: 0 }).rows[0];
    if (!row) return { payment: null };
    const t = publicTransaction(row);
    return { payment: { journalId: t.journalId, kind: t.kind, amount: t.amount,
      status: t.status, state: t.state, reason: t.reason, updatedAt: t.updatedAt,
      ...(await codes.of(row)) } };
  });

  app.get('/v1/offline', async (request) => {
    ctx.gate.requireCaller(request);
    return { toForward: ctx.journal.advicesOwed() };
  });
}

/**
 * Pixels per module of the code on the second screen. The page shows the image at its own
 * size, never scaled down, so a module stays 8 px on the screen: above the 6 px floor set for
 * a payer's camera, with room for a browser zoomed out. A VietQR code is version 5 or 6
 * (render.ts), 37 to 41 modules and a 4-module quiet zone each side: at most 392 px square.
 */
const SCREEN_SCALE = 8;

/**
 * The code of a QR payment still waiting, for the customer to scan. The screen reads every
 * half second, so the PNG of the one code on show is kept rather than drawn again each time.
 */
class ShownCodes {
  private shown: { id: number; png: string } | undefined;

  async of(row: TransactionRow): Promise<{ qr?: object }> {
    if (row.kind !== 'qr' || row.state !== 'qr_waiting' || !row.qr_payload) return {};
    if (this.shown?.id !== row.id) {
      const png = await renderQrPng(row.qr_payload, { scale: SCREEN_SCALE });
      this.shown = { id: row.id, png: `data:image/png;base64,${png.toString('base64')}` };
    }
    return { qr: { payload: row.qr_payload, png: this.shown.png, reference: row.reference,
      qrReference: row.qr_reference ?? '', amountWords: { vi: amountInWords(row.amount, 'vi'),
        en: amountInWords(row.amount, 'en') } } };
  }
}
