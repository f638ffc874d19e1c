import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sampleMessages, SAMPLE_MAC_KEY } from '../../scripts/fuzz-iso8583';
import { addIso8583Commands } from '../../src/cli/iso8583';
import { Iso8583Error } from '../../src/errors';
import { decodeCapture } from '../../src/iso8583/inspect';
import { loadLayout } from '../../src/iso8583/layouts';
import { verifyMac } from '../../src/iso8583/mac';

const fixture = (name: string) => new URL(`../fixtures/iso8583/${name}`, import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'quay-iso8583-cli-'));
const PAN = '4761739001010119';

/** Runs `quay iso8583 …` in-process and returns what it printed. */
async function quay(...args: string[]): Promise<string> {
  const program = new Command('quay').exitOverride();
  addIso8583Commands(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'quay', 'iso8583', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

const built = (name: string) => sampleMessages().find((s) => s.name === name)!.bytes;

describe('quay iso8583 decode', () => {
  it('prints the reversal capture, every field with number, description and value', async () => {
    const out = await quay('decode', '--layout', 'iso87-ascii',
      fixture('iso_reversal_message.dat'));
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe('layout iso87-ascii, read as raw bytes');
    expect(lines[1]).toBe('MTI  0400');
    expect(lines).toContain(`  3  ${'Processing Code'.padEnd(44)} 180000`);
    const field90 = 'Original data elements (MTI, STAN, date and time, acquirer, forwarder)';
    expect(lines).toContain(` 90  ${field90} 020000331609080645190000000020000000000000`);
    // Field 2 is card data: masked, though this capture's PAN is not a real one.
    expect(lines).toContain(`  2  ${'Primary Account Number'.padEnd(44)} `
      + '**** **** **** ***0 000');
    expect(lines.at(-1)).toBe('card data masked; --show-card-data shows it');
  });

  it('--json masks card data of a built purchase, and --show-card-data shows it', async () => {
    const file = join(dir, '0200.hex');
    writeFileSync(file, `${built('0200 (pos-bcd)').toString('hex')}\n`);
    const masked = JSON.parse(await quay('decode', '--layout', 'pos-bcd', '--json', file));
    expect(masked).toMatchObject({ layout: 'pos-bcd', input: 'hex', mti: '0200' });
    const byField = Object.fromEntries(masked.fields.map((f: { field: number }) => [f.field, f]));
    expect(byField[2]).toMatchObject({ value: '**** **** **** 0119', masked: true });
    expect(byField[35]).toMatchObject({ value: '(masked: 34 characters)', masked: true });
    expect(byField[52]).toMatchObject({ value: '(masked: 8 bytes)', masked: true, hex: true });
    expect(byField[55].value).toMatch(/^\(masked: \d+ bytes\)$/);
    expect(byField[4]).toMatchObject({ description: 'Amount, transaction',
      value: '000000450000', masked: false });
    expect(JSON.stringify(masked)).not.toContain('73900101');

    const clear = JSON.parse(await quay('decode', '-l', 'pos-bcd', '--json', '--show-card-data',
      file));
    const f = Object.fromEntries(clear.fields.map((x: { field: number }) => [x.field, x]));
    expect(f[2].value).toBe(PAN);
    expect(f[52].value).toBe('1B9C1845EB993A7A');
  });

  it('strips a matching length header and a TPDU', () => {
    const message = built('0800 (pos-bcd)');
    const tpdu = Buffer.from('6000010000', 'hex');
    const framed = Buffer.concat([Buffer.from([0, message.length + 5]), tpdu, message]);
    const decoded = decodeCapture(framed, loadLayout('pos-bcd'), { tpdu: true });
    expect(decoded).toMatchObject({ header: message.length + 5, tpdu: '6000010000', mti: '0800' });
  });

  it('refuses an unreadable capture with the field named', () => {
    // MTI and both hex bitmaps (4 + 16 + 16 characters), then field 2 cut short.
    const cut = built('0200 (iso87-ascii)').subarray(0, 40);
    let err: unknown;
    try {
      decodeCapture(cut, loadLayout('iso87-ascii'));
    } catch (caught) {
      err = caught;
    }
    expect(err).toBeInstanceOf(Iso8583Error);
    expect((err as Iso8583Error).detail).toMatchObject({ layout: 'iso87-ascii', field: 2 });
  });
});

describe('quay iso8583 encode', () => {
  it("packs moov-io's decoding of the reversal to the captured bytes", async () => {
    const out = await quay('encode', '--layout', 'iso87-ascii',
      fixture('iso_reversal_message.json'));
    expect(Buffer.from(out.trim(), 'hex')).toEqual(
      readFileSync(fixture('iso_reversal_message.dat')));
  });

  it('round-trips decode --json --show-card-data, with a MAC, a TPDU and a header', async () => {
    const capture = join(dir, '0200.dat');
    writeFileSync(capture, built('0200 (iso87-ascii)'));
    const json = join(dir, '0200.json');
    writeFileSync(json, await quay('decode', '-l', 'iso87-ascii', '--json', '--show-card-data',
      capture));
    const out = join(dir, '0200.out');
    await quay('encode', '-l', 'iso87-ascii', json, '--mac-key', SAMPLE_MAC_KEY.toString('hex'),
      '--tpdu', '6000010000', '--header', '-o', out);
    const bytes = readFileSync(out);
    expect(bytes.readUInt16BE(0)).toBe(bytes.length - 2);
    expect(bytes.subarray(2, 7).toString('hex')).toBe('6000010000');
    expect(bytes.subarray(7)).toEqual(built('0200 (iso87-ascii)'));
    const layout = loadLayout('iso87-ascii');
    expect(verifyMac(bytes.subarray(7), layout, layout.mac!, SAMPLE_MAC_KEY).mti).toBe('0200');
  });

  it('refuses masked values and binary fields not in hex', async () => {
    const masked = join(dir, 'masked.json');
    writeFileSync(masked, JSON.stringify({ mti: '0200', fields: [
      { field: 2, value: '**** **** **** 0119', masked: true }] }));
    await expect(quay('encode', '-l', 'pos-bcd', masked)).rejects.toThrow(/--show-card-data/);
    const text = join(dir, 'text.json');
    writeFileSync(text, JSON.stringify({ mti: '0200', fields: { 52: 'not hex' } }));
    await expect(quay('encode', '-l', 'pos-bcd', text)).rejects.toThrow(/give it as hex/);
  });
});
