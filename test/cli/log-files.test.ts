import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileLogger, logFilePath } from '../../src/log-files/daemon-logger';
import { RotatingFile, rotatedFiles } from '../../src/log-files/rotating-file';
import { testConfig } from '../support/app-config';

/** Line n as 100 bytes: "line 007 ....\n". */
function line(n: number): string {
  const head = `line ${String(n).padStart(3, '0')} `;
  return `${head.padEnd(99, '.')}\n`;
}

function numbers(file: string): number[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => Number(l.slice(5, 8)));
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('log files rotated by size', () => {
  it('keeps ten 100-byte lines a file and the newest two old files', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'quay-logs-')), 'logs', 'quay.log');
    const file = new RotatingFile({ path, maxBytes: 1000, keep: 2 });
    for (let n = 1; n <= 35; n += 1) file.write(line(n));
    file.close();
    expect(rotatedFiles(path, 2)).toEqual([path, `${path}.1`, `${path}.2`]);
    expect(numbers(path)).toEqual(range(31, 35));
    expect(numbers(`${path}.1`)).toEqual(range(21, 30));
    expect(numbers(`${path}.2`)).toEqual(range(11, 20));
    expect(readFileSync(`${path}.1`).length).toBe(1000);
  });

  it('appends to the file left by the last run and rotates when it is full', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'quay-logs-')), 'quay.log');
    const first = new RotatingFile({ path, maxBytes: 1000, keep: 3 });
    for (let n = 1; n <= 8; n += 1) first.write(line(n));
    first.close();
    const second = new RotatingFile({ path, maxBytes: 1000, keep: 3 });
    for (let n = 9; n <= 12; n += 1) second.write(line(n));
    second.close();
    expect(numbers(`${path}.1`)).toEqual(range(1, 10));
    expect(numbers(path)).toEqual([11, 12]);
  });

  it('writes the daemon\'s pino lines to logs/quay.log of the data folder, card data redacted',
    () => {
      const loaded = testConfig();
      const { log, file, path } = createFileLogger(loaded, { level: 'info' });
      expect(path).toBe(join(loaded.resolvePath(loaded.config.dataDir), 'logs', 'quay.log'));
      expect(logFilePath(loaded)).toBe(path);
      log.info({ pan: '4761739001010010', track2: '4761739001010010D29122010000',
        stan: '000001' }, 'card read');
      file.close();
      const written = JSON.parse(readFileSync(path, 'utf8').trim());
      expect(written).toMatchObject({ msg: 'card read', pan: '[redacted]',
        track2: '[redacted]', stan: '000001', name: 'quay' });
    });
});
