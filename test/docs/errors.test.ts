import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/errors';

describe('the README error table', () => {
  it('lists every code of the catalogue with its words, and no other', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const table = readme.split('<!-- error-codes:start -->')[1]!
      .split('<!-- error-codes:end -->')[0]!;
    const rows = table.split('\n').filter((line) => line.startsWith('| `'));
    const expected = Object.entries(ERROR_CATALOGUE).map(([code, info]) =>
      `| \`${code}\` | ${info.en} / ${info.vi} | ${info.action} |`);
    expect(rows).toEqual(expected);
  });
});
