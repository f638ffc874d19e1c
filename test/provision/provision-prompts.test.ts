import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load';
import { openTerminalKeys } from '../../src/keys/terminal-keys';
import { startVisit, TEST_CA_FILE, VISIT } from './fixture';

const run = promisify(execFile);
const QUAY = new URL('../../bin/quay', import.meta.url).pathname;

/** One exchange at the terminal: the question's words, then what the technician types. */
type Step = [question: string, typed: string];

/**
 * Runs quay with a technician at the keyboard: each answer is typed only once its question
 * is on the screen (the question text, then ': '), as a person would.
 */
function typeAnswers(args: string[], steps: readonly Step[]):
  Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(QUAY, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let from = 0;
  let next = 0;
  const answer = () => {
    while (next < steps.length) {
      const [question, typed] = steps[next]!;
      const at = stdout.indexOf(question, from);
      const end = at < 0 ? -1 : stdout.indexOf(': ', at + question.length);
      if (end < 0 || stdout.slice(end + 2).trim() !== '') return;
      from = end + 2;
      next += 1;
      child.stdin.write(`${typed}\n`);
    }
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    answer();
  });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  return new Promise((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('quay provision --interactive', () => {
  it('asks again after wrong answers, writes the configuration, and the terminal pays',
    async () => {
      const visit = startVisit();
      mkdirSync(join(visit.dir, 'capk'));
      copyFileSync(TEST_CA_FILE, join(visit.dir, 'capk', 'quay-test-ca.yaml'));
      const [c1, c2] = VISIT.components;
      const steps: Step[] = [
        ['Terminal ID', 'HOSP42'],
        ['Terminal ID', VISIT.terminalId],
        ['Merchant ID', VISIT.merchantId],
        ['Unit name (on receipts)', 'BỆNH VIỆN ĐA KHOA TỈNH'],
        ['Address', ''],
        ['Tax code', '-'],
        ['Bank host', ''],
        ['Message layout', ''],
        ['TPDU', '-'],
        ['NII', ''],
        ['Floor limit', '50.000'],
        ['Floor limit', '50000'],
        ['CA key folder', ''],
        ['components (2, 3; 0 to skip)', '2'],
        ['Component 1 (32 or 48 hex)', c1.hex],
        ['Component 1 check value', '616338'],
        ['Component 1 (32 or 48 hex)', c1.hex],
        ['Component 1 check value', c1.kcv],
        ['Component 2 (32 or 48 hex)', c2.hex],
        ['Component 2 check value', c2.kcv],
        ['Key check value', VISIT.tmkKcv],
        ['DUKPT initial key', '-'],
        ['Sign on to the bank now?', ''],
      ];
      const done = await typeAnswers(['provision', '--interactive', '--base', visit.baseConfig,
        '--out', visit.out], steps);
      expect(done.stderr).toBe('');
      expect(done.code).toBe(0);
      expect(done.stdout).toContain('[QUAY0001]: ');
      expect(done.stdout).toContain('  Mã thiết bị gồm 8 chữ hoặc số / The terminal ID is 8 '
        + 'letters or digits\n');
      expect(done.stdout).toContain('  Nhập số đồng nguyên, ví dụ 0 / Type whole dong, e.g. 0\n');
      expect(done.stdout).toContain('  Thành phần 1 không khớp KCV 616338: nhập lại / does not '
        + 'match its check value: type it again\n');
      expect(done.stdout).toContain('  Thành phần 2: KCV 67E613 khớp / matches\n');
      expect(done.stdout).toContain('Khóa chính / Terminal master key: KCV 819DB1');
      expect(done.stdout).toMatch(/Sign-on: RC 00, khóa MAC \/ MAC key KCV [0-9A-F]{6}/);
      expect(done.stdout.toUpperCase()).not.toContain(c1.hex);
      expect(done.stdout.toUpperCase()).not.toContain(c2.hex);

      const { config } = loadConfig(visit.out);
      expect(config.terminal).toMatchObject({ terminalId: 'HOSP0042',
        merchantId: '970400123456789', merchant: { name: 'BỆNH VIỆN ĐA KHOA TỈNH',
          address: '29 Lê Duẩn, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh' } });
      // "-" took away what the base had: no tax code on receipts, no TPDU on the link.
      expect(config.terminal.merchant.taxCode).toBeUndefined();
      expect(config.emv.aids.map((a) => a.floorLimit)).toEqual([50_000, 50_000, 50_000, 50_000]);
      expect(config.host).toMatchObject({ kind: 'embedded-simulator', layout: 'pos-bcd' });
      expect(config.host.tpdu).toBeUndefined();
      expect(openTerminalKeys(visit.dataDir).checkValues().master?.kcv).toBe('819DB1');

      const paid = await run(QUAY, ['--config', visit.out, 'pay', '150000', '--ref',
        'VP-2026-0002', '--json']);
      expect(JSON.parse(paid.stdout)).toMatchObject({ status: 'approved', amount: 150_000,
        responseCode: '00', maskedPan: '**** **** **** 0010' });
    });

  it('stops with a message when the input ends before every question is answered',
    async () => {
      const visit = startVisit();
      const done = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(QUAY, ['provision', '-i', '--base', visit.baseConfig,
          '--out', visit.out], { stdio: ['pipe', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
        child.stdin.end(`${VISIT.terminalId}\n`);
        child.on('close', (code) => resolve({ code, stderr }));
      });
      expect(done.code).toBe(1);
      expect(done.stderr).toContain('REQUEST_INVALID: the input ended before "Mã đơn vị / '
        + 'Merchant ID" was answered');
    });
});
