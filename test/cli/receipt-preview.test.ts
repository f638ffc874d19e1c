import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { parseEscPos } from '../../src/receipt';

const QUAY = new URL('../../bin/quay', import.meta.url).pathname;

function quay(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(QUAY, args, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code) : 0, stdout, stderr }));
  });
}

describe('quay receipt preview', () => {
  it('writes the PNG of a sample void on 80 mm and the ESC/POS bytes it was drawn from',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'quay-preview-'));
      const out = join(dir, 'void.png');
      const bytes = join(dir, 'void.bin');
      const run = await quay(['receipt', 'preview', 'void', '--width', '80', '--out', out,
        '--escpos', bytes]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(out);
      const png = PNG.sync.read(readFileSync(out));
      expect(png.width).toBe(576);
      const escpos = readFileSync(bytes);
      expect(escpos.subarray(0, 2)).toEqual(Buffer.from([0x1b, 0x40]));
      expect(parseEscPos(escpos).length).toBeGreaterThan(2);
    });

  it('refuses a kind it does not know, naming the kinds', async () => {
    const run = await quay(['receipt', 'preview', 'invoice', '--out', '/tmp/never.png']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('x-report, z-report, qr-slip, qr-paid');
  });
});
