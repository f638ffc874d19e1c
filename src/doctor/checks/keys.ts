import { createCipheriv } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { terminalKeysPath, TerminalKeyStore, type KeyCheckValues } from
  '../../keys/terminal-keys';
import { fail, pass, warn, type Check, type CheckOutcome, type DoctorContext } from '../types';

/** Where src/app.ts keeps the key that seals card data at rest. */
export function dataKeyPath(dataDir: string): string {
  return join(dataDir, 'keys', 'data.key');
}

/**
 * The AES key check value: the first three bytes of a zero block encrypted under the key.
 * It identifies a key for comparison with the key's paper record, and reveals nothing of it.
 */
export function aesCheckValue(key: Buffer): string {
  const cipher = createCipheriv(`aes-${key.length * 8}-ecb`, key, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.alloc(16)), cipher.final()])
    .subarray(0, 3).toString('hex').toUpperCase();
}

/** The keys quay holds are present, private and the right size: shown by check value only. */
export const keysCheck: Check = {
  id: 'keys',
  title: { en: 'Keys present (check values)', vi: 'Khóa có sẵn (giá trị kiểm tra)' },
  needsConfig: true,
  async run(ctx) {
    const path = dataKeyPath(ctx.dataDir!);
    if (!existsSync(path)) {
      return warn(`no data key at ${path} yet`, {
        en: 'Start quay once (quay start) to make it; keep a backup of the data folder after.',
        vi: 'Khởi động quay một lần (quay start) để tạo khóa; sau đó sao lưu thư mục dữ liệu.',
      }, { dataKey: 'missing' });
    }
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077) {
      return fail(`data key ${path} is readable by others (mode ${mode.toString(8)})`, {
        en: `Run chmod 600 ${path} and chown it to quay's user.`,
        vi: `Chạy chmod 600 ${path} và đặt chủ sở hữu là người dùng của quay.`,
      }, { mode: mode.toString(8) });
    }
    const key = readFileSync(path);
    if (key.length !== 32) {
      return fail(`data key ${path} is ${key.length} bytes, not 32`, {
        en: 'Restore the data key from the backup; without it sealed card data cannot be read.',
        vi: 'Khôi phục khóa dữ liệu từ bản sao lưu; thiếu nó không đọc được dữ liệu thẻ đã ' +
          'niêm phong.',
      });
    }
    const kcv = aesCheckValue(key);
    key.fill(0);
    return linkKeys(ctx, `data key (AES-256) KCV ${kcv}, mode 600`, { dataKey: { kcv } });
  },
};

const SIGN_ON = {
  en: 'Load the terminal master key (quay provision, or quay keys load-tmk with the key '
    + 'components), then sign on for a MAC key: quay sign-on.',
  vi: 'Nạp khóa chính (quay provision, hoặc quay keys load-tmk với các thành phần khóa), sau '
    + 'đó đăng nhập để nhận khóa MAC: quay sign-on.',
};

/**
 * The bank link's keys in the terminal key store (src/keys/terminal-keys.ts), by check value
 * only: the file is read for its KCVs, no key is opened. A host that wants MACs and a store
 * without a MAC key fails: every payment would stop at KEY_MISSING.
 */
function linkKeys(ctx: DoctorContext, dataKey: string, data: Record<string, unknown>):
  CheckOutcome {
  const path = terminalKeysPath(ctx.dataDir!);
  if (existsSync(path) && (statSync(path).mode & 0o077)) {
    return fail(`key file ${path} is readable by others`, {
      en: `Run chmod 600 ${path} and chown it to quay's user.`,
      vi: `Chạy chmod 600 ${path} và đặt chủ sở hữu là người dùng của quay.`,
    }, data);
  }
  let held: KeyCheckValues;
  try {
    // checkValues reads the file's KCVs and opens no key: no data key is handed over.
    held = new TerminalKeyStore(path, Buffer.alloc(0)).checkValues();
  } catch (err) {
    return fail(`${dataKey}; key file ${path}: ${(err as Error).message}`, SIGN_ON, data);
  }
  const named = (label: string, key?: { kcv: string }) =>
    (key ? `${label} KCV ${key.kcv}` : `${label} none`);
  const detail = `${dataKey}; ${named('TMK', held.master)}, ${named('MAC key', held.mac)}`;
  const facts = { ...data, ...(held.master ? { master: held.master } : {}),
    ...(held.mac ? { mac: held.mac } : {}) };
  if (ctx.loaded?.config.host.mac && !held.mac) {
    return fail(`${detail}: the bank wants MACs (host.mac) and no MAC key is held`, SIGN_ON,
      facts);
  }
  return pass(detail, facts);
}
