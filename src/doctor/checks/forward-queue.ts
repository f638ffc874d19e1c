import type Database from 'better-sqlite3';
import { hasTable, openJournalReadOnly } from '../journal-file';
import { fail, pass, warn, type Check } from '../types';

/** A reversal owed longer than this means the bank link has been down for a long time. */
export const QUEUE_FAIL_AGE_MS = 24 * 60 * 60 * 1000;

const SEND_QUEUE = {
  en: 'Check the bank link (see the bank host check); owed messages are sent again before ' +
    'the next payment. Call the bank if they stay.',
  vi: 'Kiểm tra kết nối ngân hàng (xem mục kết nối ngân hàng); các bản tin còn nợ được gửi lại ' +
    'trước giao dịch kế tiếp. Gọi ngân hàng nếu vẫn còn.',
};

const RELEASE_HELD = {
  en: 'A reversal was sent as often as allowed without an answer, and no sale goes online ' +
    'while it is owed: check the bank link, then run quay queue retry to send it again.',
  vi: 'Bản tin hủy đã gửi đủ số lần cho phép mà ngân hàng không trả lời; không giao dịch nào ' +
    'được gửi trực tuyến khi còn nợ: kiểm tra kết nối ngân hàng rồi chạy quay queue retry.',
};

/** Reversals held after their last allowed send (a journal of schema 5 or later). */
function heldReversals(db: Database.Database): number {
  const columns = db.prepare('PRAGMA table_info(reversals)').all() as { name: string }[];
  if (!columns.some((c) => c.name === 'held_at')) return 0;
  return (db.prepare(`SELECT count(*) AS n FROM reversals
    WHERE state = 'pending' AND held_at IS NOT NULL`).get() as { n: number }).n;
}

/** How many of each queue are owed and since when: a reversal is owed from when it was armed
 *  as pending; an advice from when it was queued, until the bank has answered it. */
const QUEUES: Record<string, string> = {
  reversals: `SELECT count(*) AS pending, min(updated_at) AS oldest FROM reversals
    WHERE state = 'pending'`,
  advices: `SELECT count(*) AS pending, min(queued_at) AS oldest FROM advices
    WHERE state IN ('pending', 'sent')`,
};

/** Messages owed to the bank (reversals, and advices where the journal keeps them). */
export const forwardQueueCheck: Check = {
  id: 'forward-queue',
  title: { en: 'Messages owed to the bank', vi: 'Bản tin chờ gửi ngân hàng' },
  needsConfig: true,
  async run(ctx) {
    let db;
    try {
      db = openJournalReadOnly(ctx.dataDir!);
    } catch (err) {
      return fail(`cannot read the journal: ${(err as Error).message}`, {
        en: 'See the journal check.', vi: 'Xem mục nhật ký giao dịch.',
      });
    }
    if (!db) return pass('no journal yet: nothing owed', { pending: 0 });
    try {
      const queues: { name: string; pending: number; oldest: string | null }[] = [];
      for (const [name, sql] of Object.entries(QUEUES)) {
        if (!hasTable(db, name)) continue;
        const row = db.prepare(sql).get() as { pending: number; oldest: string | null };
        queues.push({ name, ...row });
      }
      const pending = queues.reduce((n, q) => n + q.pending, 0);
      if (pending === 0) {
        return pass(`nothing owed (${queues.map((q) => q.name).join(', ') || 'no queues'})`,
          { pending: 0, queues });
      }
      const oldest = queues.map((q) => q.oldest).filter((o): o is string => o !== null).sort()[0]!;
      const ageMs = ctx.now().getTime() - Date.parse(oldest);
      const text = `${queues.filter((q) => q.pending > 0)
        .map((q) => `${q.pending} ${q.name}`).join(', ')} owed, oldest since ${oldest} ` +
        `(${formatAge(ageMs)})`;
      const held = hasTable(db, 'reversals') ? heldReversals(db) : 0;
      const data = { pending, oldest, ageSeconds: Math.round(ageMs / 1000), queues, held };
      if (held > 0) {
        return fail(`${text}; ${held} reversal(s) held, not sent again`, RELEASE_HELD, data);
      }
      return ageMs > QUEUE_FAIL_AGE_MS ? fail(text, SEND_QUEUE, data)
        : warn(text, SEND_QUEUE, data);
    } catch (err) {
      return fail(`cannot read the journal: ${(err as Error).message}`, {
        en: 'See the journal check.', vi: 'Xem mục nhật ký giao dịch.',
      });
    } finally {
      db.close();
    }
  },
};

function formatAge(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`;
}
