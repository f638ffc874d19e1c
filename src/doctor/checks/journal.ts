import { LATEST_VERSION } from '../../journal/schema';
import { journalPath, openJournalReadOnly } from '../journal-file';
import { fail, pass, warn, type Check } from '../types';

const DAMAGED = {
  en: 'Stop taking payments. Keep a copy of the data folder, restore the journal from the ' +
    'latest backup (quay.db.v*.bak or the site backup), and call the technician.',
  vi: 'Ngừng nhận thanh toán. Sao lưu thư mục dữ liệu, khôi phục nhật ký từ bản sao gần nhất ' +
    '(quay.db.v*.bak hoặc bản sao lưu tại chỗ), và gọi kỹ thuật viên.',
};

/** SQLite's own integrity check over the journal, and its schema version. */
export const journalCheck: Check = {
  id: 'journal',
  title: { en: 'Transaction journal', vi: 'Nhật ký giao dịch' },
  needsConfig: true,
  timeoutMs: 60_000,
  async run(ctx) {
    const path = journalPath(ctx.dataDir!);
    let db;
    try {
      db = openJournalReadOnly(ctx.dataDir!);
    } catch (err) {
      return fail(`cannot open ${path}: ${(err as Error).message}`, DAMAGED, { path });
    }
    if (!db) {
      return pass(`no journal yet at ${path}; it is made at the first start`, { path });
    }
    try {
      const problems = (db.pragma('integrity_check') as { integrity_check: string }[])
        .map((row) => row.integrity_check);
      if (problems.length !== 1 || problems[0] !== 'ok') {
        return fail(`${path} is damaged: ${problems.slice(0, 3).join('; ')}`, DAMAGED,
          { path, problems: problems.slice(0, 20) });
      }
      const version = db.pragma('user_version', { simple: true }) as number;
      const rows = (db.prepare('SELECT count(*) AS n FROM transactions').get() as { n: number }).n;
      const data = { path, schemaVersion: version, latestVersion: LATEST_VERSION, rows };
      if (version > LATEST_VERSION) {
        return fail(`${path} has schema ${version}, newer than this quay (${LATEST_VERSION})`, {
          en: 'Install the quay version that wrote this journal; never run an older one on it.',
          vi: 'Cài phiên bản quay đã ghi nhật ký này; không chạy phiên bản cũ hơn trên nó.',
        }, data);
      }
      if (version < LATEST_VERSION) {
        return warn(`${path}: schema ${version}, migrated to ${LATEST_VERSION} at next start`, {
          en: 'Start quay once to migrate the journal (a backup is made first).',
          vi: 'Khởi động quay một lần để nâng cấp nhật ký (có sao lưu trước).',
        }, data);
      }
      return pass(`${path}: integrity ok, schema ${version}, ${rows} transaction(s)`, data);
    } catch (err) {
      return fail(`${path} cannot be read: ${(err as Error).message}`, DAMAGED, { path });
    } finally {
      db.close();
    }
  },
};
