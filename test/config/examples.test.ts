import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load';

const run = promisify(execFile);
const QUAY = new URL('../../bin/quay', import.meta.url).pathname;
const EXAMPLES = new URL('../../config/examples/', import.meta.url).pathname;

/** Each example for common hardware, and the device settings it exists to show. */
const EXAMPLES_TABLE: [string, (c: ReturnType<typeof loadConfig>['config']) => unknown,
  unknown][] = [
  ['reader-pinpad.yaml', (c) => c.cardReader, { kind: 'pcsc', reader: 'CT700' }],
  ['reader-contact.yaml', (c) => c.cardReader, { kind: 'pcsc', reader: 'ACR39U' }],
  ['printer-epson-tm-t82.yaml', (c) => c.printer, { kind: 'tcp', host: '192.168.1.50',
    port: 9100, profile: { widthDots: 576, columns: 48, cutter: true, mode: 'text',
      codePage: 52 } }],
  ['printer-58mm-usb.yaml', (c) => c.printer, { kind: 'usb', path: '/dev/usb/lp0',
    profile: { widthDots: 384, columns: 32, cutter: false } }],
  ['display-cd5220.yaml', (c) => c.display, { kind: 'serial', path: '/dev/ttyUSB0',
    baudRate: 9600, commandSet: 'cd5220', brightness: 4 }],
];

describe('example configurations for common hardware', () => {
  it.each(EXAMPLES_TABLE)('%s passes quay config check', async (file, pick, expected) => {
    const { stdout } = await run(QUAY, ['config', 'check', `${EXAMPLES}${file}`]);
    expect(stdout).toBe(`${EXAMPLES}${file}: OK\n`);
    expect(pick(loadConfig(`${EXAMPLES}${file}`).config)).toEqual(expected);
  });
});
