import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_CONFIG_PATH } from '../config/load';
import { ConfigError } from '../errors';
import { applyParams } from '../provision/params';

/** `quay params apply FILE`: a new parameter file, checked, put in place in one step. */
export function addParamsCommands(program: Command): void {
  program.command('params')
    .description('parameter updates / cập nhật tham số')
    .command('apply')
    .description('check a configuration file and put it in place of --config, unless it '
      + 'changes the bank details of an open batch / áp dụng tham số mới')
    .argument('<file>', 'the new configuration')
    .action((file: string) => {
      const target = resolve(program.opts().config);
      if (target === DEFAULT_CONFIG_PATH) {
        throw new ConfigError('CONFIG_INVALID', 'give the configuration to replace with '
          + '--config: the embedded default is not overwritten');
      }
      const applied = applyParams(file, target);
      const changed = applied.batchChanges.length > 0
        ? `  Thay đổi lô / Batch settings changed: ${applied.batchChanges.join(', ')}\n` : '';
      process.stdout.write(`ĐÃ ÁP DỤNG / APPLIED: ${applied.path}\n`
        + (applied.backup ? `  Bản cũ / Previous file: ${applied.backup}\n` : '') + changed
        + '  Khởi động lại quay để dùng / Restart quay to use it (systemctl restart quay)\n');
    });
}
