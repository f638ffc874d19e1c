import { existsSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fail, pass, warn, type Check } from '../types';

const MIB = 1024 * 1024;
/** Below this the journal may fail a write mid-payment. */
export const DISK_FAIL_BYTES = 100 * MIB;
export const DISK_WARN_BYTES = 1024 * MIB;

const FREE_SPACE = {
  en: 'Free disk space: remove old logs and receipt copies (keep var/quay.db), or use a ' +
    'larger disk.',
  vi: 'Giải phóng ổ đĩa: xóa nhật ký cũ và bản sao hóa đơn (giữ var/quay.db), hoặc dùng ổ ' +
    'lớn hơn.',
};

/** Free space where the journal lives (the nearest existing folder of the data folder). */
export const diskCheck: Check = {
  id: 'disk',
  title: { en: 'Disk space', vi: 'Dung lượng ổ đĩa' },
  needsConfig: true,
  async run(ctx) {
    let dir = ctx.dataDir!;
    while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
    const stats = statfsSync(dir);
    const free = stats.bavail * stats.bsize;
    const total = stats.blocks * stats.bsize;
    const text = `${Math.floor(free / MIB)} MiB free of ${Math.floor(total / MIB)} MiB at ${dir}`;
    const data = { dir, freeBytes: free, totalBytes: total };
    if (free < DISK_FAIL_BYTES) return fail(text, FREE_SPACE, data);
    if (free < DISK_WARN_BYTES) return warn(text, FREE_SPACE, data);
    return pass(text, data);
  },
};
