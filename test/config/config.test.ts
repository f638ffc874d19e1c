import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { DEFAULT_CONFIG_PATH, fromObject, loadConfig } from '../../src/config/load';
import { ConfigError } from '../../src/errors';

describe('config', () => {
  it('loads the embedded defaults, frozen, with defaults filled in', () => {
    const { config, resolvePath } = loadConfig();
    expect(config.terminal.terminalId).toBe('QUAY0001');
    expect(config.emv.currencyCode).toBe('0704');
    expect(config.host.kind).toBe('embedded-simulator');
    expect(Object.isFrozen(config.terminal)).toBe(true);
    expect(resolvePath('cards/x.yaml')).toMatch(/config\/cards\/x\.yaml$/);
  });

  it('refuses an unknown key and hints at the misspelling', () => {
    const raw = parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));
    raw.terminal.terminalID = raw.terminal.terminalId;
    delete raw.terminal.terminalId;
    raw.printer.profile.widthDot = 384;
    try {
      fromObject(raw, 'x.yaml');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message).toMatch(/terminal: unknown key 'terminalID' \(did you mean 'terminalId'\?\)/);
      expect(message)
        .toMatch(/printer\.profile: unknown key 'widthDot' \(did you mean 'widthDots'/);
    }
  });

  it('hints inside a section that has several shapes', () => {
    const raw = parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));
    raw.display = { kind: 'serial', path: '/dev/ttyUSB0', baudrate: 9600 };
    expect(() => fromObject(raw, 'x.yaml'))
      .toThrow(/display: unknown key 'baudrate' \(did you mean 'baudRate'\?\)/);
  });

  it('names the field of a bad value', () => {
    const raw = parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));
    raw.host = { kind: 'tcp', host: 'bank.example', port: 70000 };
    expect(() => fromObject(raw, 'x.yaml')).toThrow(/host\.port/);
  });
});
