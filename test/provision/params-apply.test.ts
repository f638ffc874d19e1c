import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load';
import { isQuayError } from '../../src/errors';
import { applyParams, openBatch } from '../../src/provision/params';
import { writeTestConfig } from '../support/app-config';

const run = promisify(execFile);
const QUAY = new URL('../../bin/quay', import.meta.url).pathname;

/** The terminal's configuration after one approved payment: batch 1 is open with it. */
async function terminalWithOpenBatch() {
  const { path, dataDir } = writeTestConfig();
  const paid = await run(QUAY, ['--config', path, 'pay', '150000', '--ref', 'HS-1', '--json']);
  expect(JSON.parse(paid.stdout).status).toBe('approved');
  return { path, dataDir };
}

/** A parameter file: the terminal's configuration with `edit` applied. */
function paramsFile(path: string, edit: (raw: Record<string, any>) => void): string {
  const raw = parse(readFileSync(path, 'utf8'));
  edit(raw);
  const out = join(path, '..', 'params.yaml');
  writeFileSync(out, `# parameters from the bank, ${new Date().toISOString().slice(0, 10)}\n`
    + stringify(raw));
  return out;
}

function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (isQuayError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('quay params apply', () => {
  it('refuses a new terminal ID while the open batch holds a payment, changing nothing',
    async () => {
      const { path, dataDir } = await terminalWithOpenBatch();
      expect(openBatch(dataDir)).toEqual({ batch: 1, unsettled: 1 });
      const before = readFileSync(path);
      const file = paramsFile(path, (raw) => { raw.terminal.terminalId = 'QUAY0002'; });
      expect(refusal(() => applyParams(file, path))).toEqual({ code: 'PARAMS_BATCH_OPEN',
        message: `${file} changes terminal.terminalId while batch 1 holds 1 unsettled `
          + 'transaction(s); nothing was changed' });
      const host = paramsFile(path, (raw) => { raw.host = { kind: 'tcp', host: '10.0.0.10',
        port: 5000, layout: 'pos-bcd', tpdu: '6000010000' }; });
      expect(refusal(() => applyParams(host, path)).message).toContain('changes host while');
      expect(readFileSync(path).equals(before)).toBe(true);

      const cli = await run(QUAY, ['--config', path, 'params', 'apply', file])
        .then(() => undefined, (err: { code: number; stderr: string }) => err);
      expect(cli?.code).toBe(1);
      expect(cli?.stderr).toContain('quay: PARAMS_BATCH_OPEN: ');
      expect(cli?.stderr).toContain('Settle the open batch (quay settle)');
    });

  it('applies a change of receipt details at once, keeping the old file as a backup',
    async () => {
      const { path } = await terminalWithOpenBatch();
      const before = readFileSync(path, 'utf8');
      const file = paramsFile(path, (raw) => {
        raw.terminal.merchant.name = 'UBND PHƯỜNG SÀI GÒN';
        raw.emv.aids[0].floorLimit = 200_000;
      });
      const applied = applyParams(file, path, new Date('2026-12-04T03:00:00.000Z'));
      expect(applied).toEqual({ path, backup: `${path}.2026-12-04T030000000Z.bak`,
        batchChanges: [] });
      expect(readFileSync(path, 'utf8')).toBe(readFileSync(file, 'utf8'));
      expect(readFileSync(applied.backup!, 'utf8')).toBe(before);
      const { config } = loadConfig(path);
      expect(config.terminal.merchant.name).toBe('UBND PHƯỜNG SÀI GÒN');
      expect(config.emv.aids[0]!.floorLimit).toBe(200_000);
    });

  it('refuses a file the schema refuses, naming the setting, and keeps the old one',
    async () => {
      const { path } = writeTestConfig();
      const before = readFileSync(path);
      const file = paramsFile(path, (raw) => { raw.emv.aids[1].tac.onlin = 'FC50BCF800'; });
      const err = refusal(() => applyParams(file, path));
      expect(err.code).toBe('CONFIG_INVALID');
      expect(err.message).toContain("emv.aids.1.tac: unknown key 'onlin' (did you mean "
        + "'online'?)");
      expect(readFileSync(path).equals(before)).toBe(true);
    });

  it('applies the new terminal ID once the batch is settled', async () => {
    const { path, dataDir } = await terminalWithOpenBatch();
    const settled = await run(QUAY, ['--config', path, 'settle', '--json']);
    expect(settled.stdout).toContain('"responseCode": "00"');
    expect(openBatch(dataDir)).toEqual({ batch: 2, unsettled: 0 });
    const file = paramsFile(path, (raw) => { raw.terminal.terminalId = 'QUAY0002'; });
    const { stdout } = await run(QUAY, ['--config', path, 'params', 'apply', file]);
    expect(stdout).toContain(`ĐÃ ÁP DỤNG / APPLIED: ${path}`);
    expect(stdout).toContain('Batch settings changed: terminal.terminalId');
    expect(loadConfig(path).config.terminal.terminalId).toBe('QUAY0002');
  }, 60_000);
});
