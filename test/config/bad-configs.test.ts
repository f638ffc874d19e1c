import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load';
import { ConfigError } from '../../src/errors';

const DIR = new URL('../fixtures/config/', import.meta.url).pathname;

/** Each file in bad/ and every problem quay must name for it, word for word. */
const TABLE: Record<string, string[]> = {
  'unknown-key-misspelt': [
    'terminal.terminalId: Invalid input: expected string, received undefined',
    "terminal: unknown key 'terminalID' (did you mean 'terminalId'?)",
  ],
  'printer-tcp-without-port': [
    'printer.port: a TCP printer needs its port (9100 on most network printers)',
  ],
  'printer-usb-without-path': [
    'printer.path: a USB printer needs its device, e.g. /dev/usb/lp0',
  ],
  'aid-without-tac': [
    'emv.aids.0.tac: AID A0000000031010 has no terminal action codes: add tac: { denial, ' +
      'online, default } (5 bytes hex each) with the values the acquirer gives for this scheme',
  ],
  'negative-floor-limit': ['emv.aids.0.floorLimit: Too small: expected number to be >=0'],
  'terminal-id-length': ['terminal.terminalId: terminal ID is 8 letters or digits'],
  'merchant-id-length': ['terminal.merchantId: merchant ID is 15 characters'],
  'tpdu-not-hex': ['host.tpdu: hex bytes'],
  'tpdu-length': ['host.tpdu: 5 bytes of hex'],
  'tac-bad-hex': ['emv.aids.0.tac.online: 5 bytes of hex'],
  'duplicate-aid': ['emv.aids.1.aid: AID A0000000031010 is listed twice (also emv.aids.0)'],
  'columns-too-wide': [
    'printer.profile.columns: 64 columns do not fit 384 dots: at most 42 (32 or 42 on 58 mm, ' +
      '48 or 64 on 80 mm)',
  ],
  'printer-width': [
    'printer.profile.widthDots: the head is 384 dots wide (58 mm paper) or 576 dots (80 mm)',
  ],
  'vnd-with-minor-unit': [
    'emv.currencyExponent: VND (0704) has no minor unit: currencyExponent must be 0',
  ],
  'serial-display-without-path': [
    'display.path: a serial display needs its device, e.g. /dev/ttyUSB0',
  ],
  'host-port-out-of-range': ['host.port: Too big: expected number to be <=65535'],
  'api-open-to-network': ['api.host: the API on 0.0.0.0 is reachable from the network: set '
    + 'api.token for the desk software or api.users (quay user hash), or bind it to 127.0.0.1'],
  'unknown-printer-kind': [
    "printer.kind: Invalid discriminator value. "
      + "Expected 'embedded-simulator' | 'tcp' | 'usb' | 'serial' | 'none'",
  ],
  'no-aids': ['emv.aids: Too small: expected array to have >=1 items'],
};

function problemsOf(path: string): string[] {
  try {
    loadConfig(path);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('CONFIG_INVALID');
    return (err as ConfigError).detail.problems as string[];
  }
  throw new Error(`${path} was accepted`);
}

describe('bad configuration files', () => {
  it('starts from a base that is valid', () => {
    expect(loadConfig(`${DIR}base.yaml`).config.terminal.terminalId).toBe('TID00001');
  });

  it('has a row in the table for every file in bad/', () => {
    const files = readdirSync(`${DIR}bad`).map((f) => f.replace(/\.yaml$/, '')).sort();
    expect(files).toEqual([...Object.keys(TABLE), 'not-yaml'].sort());
  });

  it.each(Object.entries(TABLE))('%s is refused naming what is wrong', (name, expected) => {
    expect(problemsOf(`${DIR}bad/${name}.yaml`)).toEqual(expected);
  });

  it('not-yaml is refused as YAML, with the line', () => {
    expect(() => loadConfig(`${DIR}bad/not-yaml.yaml`))
      .toThrow(/bad\/not-yaml\.yaml is not valid YAML: .*at line 4, column 1/);
  });
});
