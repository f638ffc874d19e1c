import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_PATH, fromObject, loadConfig } from '../../src/config/load';
import { ConfigError } from '../../src/errors';

/** The printer profile's text-mode settings, as quay config check reads them. */
function withProfile(profile: Record<string, unknown>) {
  const raw = parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));
  raw.printer.profile = profile;
  return () => fromObject(raw, 'x.yaml').config.printer;
}

function problems(load: () => unknown): string[] {
  try {
    load();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).detail.problems as string[];
  }
  throw new Error('the configuration was accepted');
}

describe('printer profile: raster or text mode', () => {
  it('takes text mode on font A columns with a Vietnamese code page', () => {
    expect(withProfile({ widthDots: 576, columns: 48, cutter: true, mode: 'text',
      codePage: 30, qrCommand: true })()).toEqual({ kind: 'embedded-simulator',
      profile: { widthDots: 576, columns: 48, cutter: true, mode: 'text', codePage: 30,
        qrCommand: true } });
  });

  it('leaves raster mode the default, with no code page needed', () => {
    expect(withProfile({ widthDots: 384, columns: 42 })()).toEqual({
      kind: 'embedded-simulator', profile: { widthDots: 384, columns: 42, cutter: false } });
  });

  it('refuses text mode on columns other than widthDots / 12', () => {
    expect(problems(withProfile({ widthDots: 384, columns: 42, mode: 'text', codePage: 52 })))
      .toEqual(['printer.profile.columns: text mode prints font A: 32 columns on 384 dots, '
        + 'not 42']);
  });

  it('refuses text mode without a Vietnamese code page, and any other page', () => {
    expect(problems(withProfile({ widthDots: 384, columns: 32, mode: 'text' }))).toEqual([
      'printer.profile.codePage: text mode needs a Vietnamese code page: 52 (Windows-1258) '
        + "or 30 (TCVN-3), as the printer's self-test page lists them"]);
    expect(problems(withProfile({ widthDots: 384, columns: 32, mode: 'text', codePage: 16 })))
      .toEqual(['printer.profile.codePage: codePage is 52 (Windows-1258) or 30 (TCVN-3)']);
  });

  it('has the Epson TM-T82 example in text mode on page 52, the 58 mm USB one raster', () => {
    const examples = new URL('../../config/examples/', import.meta.url).pathname;
    expect(loadConfig(`${examples}printer-epson-tm-t82.yaml`).config.printer).toMatchObject({
      profile: { widthDots: 576, columns: 48, mode: 'text', codePage: 52 } });
    const usb = loadConfig(`${examples}printer-58mm-usb.yaml`).config.printer;
    expect(usb).toMatchObject({ kind: 'usb', profile: { widthDots: 384, columns: 32 } });
    expect((usb as { profile: { mode?: string } }).profile.mode ?? 'raster').toBe('raster');
  });
});
