import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { addQrCommands } from '../../src/cli/qr';
import { crcHex } from '../../src/qr/crc16';
import { renderQrPng } from '../../src/qr/render';
import { buildVietQr } from '../../src/qr/vietqr';

const SAMPLE = '00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA'
  + '530370454061200005802VN62170813ung ho lu lut6304C15C';
const dir = mkdtempSync(join(tmpdir(), 'quay-qr-'));

/** The text a QR decoder (jsQR) reads from a PNG. */
function readQr(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}

/** Runs `quay qr …` in-process and returns what it printed. */
async function quay(...args: string[]): Promise<string> {
  // Commander's own usage errors are asserted on, not printed.
  const program = new Command('quay').exitOverride().configureOutput({ writeErr: () => {} });
  addQrCommands(program);
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'quay', 'qr', ...args]);
  } finally {
    vi.restoreAllMocks();
  }
  return out;
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('the rendered code', () => {
  it('is read back by jsQR to the same payload', async () => {
    expect(readQr(await renderQrPng(SAMPLE))).toBe(SAMPLE);
    const push = buildVietQr({ initiation: 'dynamic', bin: '970436',
      account: '9704361234567890123', service: 'QRPUSH', merchantCategoryCode: '8062',
      amount: 1_250_000, merchantName: 'BENH VIEN TINH', merchantCity: 'HUE',
      billNumber: 'HD-2026-0001', terminalLabel: 'QUAY01', purpose: 'QY01234567 vien phi' });
    expect(readQr(await renderQrPng(push, { scale: 3 }))).toBe(push);
  });
});

describe('quay qr decode', () => {
  it('prints the fields and that the CRC holds', async () => {
    const out = await quay('decode', SAMPLE);
    expect(out.split('\n')).toEqual([
      '01 point of initiation     dynamic',
      '38.01.00 bank BIN          970415',
      '38.01.01 account / card    0011001932418',
      '38.02 service code         QRIBFTTA',
      '54 amount (VND)            120000',
      '62.08 purpose              ung ho lu lut',
      '63 CRC                     C15C OK',
      '',
    ]);
    expect(process.exitCode).toBeUndefined();
  });

  it('prints JSON with --json', async () => {
    const json = JSON.parse(await quay('decode', SAMPLE, '--json'));
    expect(json.fields).toEqual({ initiation: 'dynamic', bin: '970415',
      account: '0011001932418', service: 'QRIBFTTA', amount: 120000, purpose: 'ung ho lu lut' });
    expect(json.crc).toEqual({ given: 'C15C', computed: 'C15C', ok: true });
  });

  it('exits 2 when the CRC does not hold, and fails on a malformed payload', async () => {
    const out = await quay('decode', `${SAMPLE.slice(0, -4)}0000`);
    expect(out).toContain('63 CRC                     0000 WRONG (computed C15C)');
    expect(process.exitCode).toBe(2);
    await expect(quay('decode', SAMPLE.slice(0, 30))).rejects.toMatchObject({
      code: 'QR_MALFORMED' });
  });

  it('reads an inner length mismatch only with --outer-only', async () => {
    const body = SAMPLE.slice(0, -4).replace('01270006970415', '01260006970415');
    const bad = `${body}${crcHex(body)}`;
    await expect(quay('decode', bad)).rejects.toMatchObject({ code: 'QR_LENGTH_MISMATCH' });
    const out = await quay('decode', bad, '--outer-only');
    expect(out).toContain('warning: 38.01: length 26 disagrees with its fields (27)');
  });
});

describe('quay qr make', () => {
  it('makes a dynamic code and a PNG that reads back to it', async () => {
    const png = join(dir, 'code.png');
    const out = await quay('make', '--amount', '450000', '--reference', 'QY01234567',
      '--bin', '970415', '--account', '0011001932418', '--png', png);
    const payload = out.trim();
    expect(payload.slice(0, -4)).toBe('00020101021238570010A00000072701270006970415011300110019'
      + '324180208QRIBFTTA530370454064500005802VN62140810QY012345676304');
    expect(readQr(readFileSync(png))).toBe(payload);
  });

  it('refuses an amount with decimals', async () => {
    await expect(quay('make', '--amount', '1000.5', '--reference', 'QY01234567',
      '--bin', '970415', '--account', '0011001932418')).rejects.toThrow(/AMOUNT_INVALID/);
  });
});
