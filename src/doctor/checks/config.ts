import { existsSync } from 'node:fs';
import { loadConfig } from '../../config/load';
import { isQuayError } from '../../errors';
import { fail, pass, type Check } from '../types';

/**
 * The configuration file against the schema, then the files it names. It runs first: the
 * checks after it read the configuration it leaves in the context.
 */
export const configCheck: Check = {
  id: 'config',
  title: { en: 'Configuration valid', vi: 'Cấu hình hợp lệ' },
  needsConfig: false,
  async run(ctx) {
    let loaded;
    try {
      loaded = loadConfig(ctx.configPath);
    } catch (err) {
      const message = isQuayError(err) ? err.message : String(err);
      return fail(message, {
        en: `Fix what is named above in ${ctx.configPath}, then run quay config check on it.`,
        vi: `Sửa các mục nêu trên trong ${ctx.configPath}, rồi chạy quay config check.`,
      });
    }
    const { config } = loaded;
    const missing: string[] = [];
    const caDir = loaded.resolvePath(config.emv.caKeys.dir);
    if (!existsSync(caDir)) missing.push(`emv.caKeys.dir: no folder ${caDir}`);
    if (config.cardReader.kind === 'in-process') {
      const card = loaded.resolvePath(config.cardReader.card);
      if (!existsSync(card)) missing.push(`cardReader.card: no file ${card}`);
    }
    if (missing.length > 0) {
      return fail(missing.join('; '), {
        en: 'Put the named files in place or correct their paths in the configuration.',
        vi: 'Đặt các tệp nêu trên đúng chỗ hoặc sửa đường dẫn trong cấu hình.',
      });
    }
    ctx.loaded = loaded;
    ctx.dataDir = loaded.resolvePath(config.dataDir);
    return pass(`${loaded.path}: terminal ${config.terminal.terminalId}, ` +
      `merchant ${config.terminal.merchantId}`, { path: loaded.path,
      terminalId: config.terminal.terminalId, merchantId: config.terminal.merchantId });
  },
};
