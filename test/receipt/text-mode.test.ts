import { describe, expect, it } from 'vitest';
import { renderPage } from '../../drivers/printer/page-render';
import { textLength } from '../../src/receipt/layout';
import { parseEscPos } from '../../src/receipt/escpos-parse';
import { renderReceipt, renderReport } from '../../src/receipt/render';
import {
  RECEIPT_KINDS, sampleBatchTotals, sampleReceiptData, type ReceiptKind,
} from '../../src/receipt/samples';
import { PROFILE_58MM, PROFILE_80MM, type PrinterProfile, type ReceiptLine }
  from '../../src/receipt/types';

const RULES = { single: '-', double: '=', dotted: '.' } as const;

/** The text a reader expects on paper for each line; the đồng sign where the page has it. */
function expectedText(lines: ReceiptLine[], columns: number, dong: string): string[] {
  return lines.flatMap((l) => {
    if (l.kind === 'text') return [l.text.replaceAll('₫', dong)];
    if (l.kind === 'pair') {
      const gap = columns - textLength(l.label) - textLength(l.value);
      return [`${l.label}${' '.repeat(gap)}${l.value}`.replaceAll('₫', dong)];
    }
    if (l.kind === 'rule') return [RULES[l.style].repeat(columns)];
    return [];
  });
}

function render(kind: ReceiptKind, profile: PrinterProfile, language: 'vi' | 'en' = 'vi') {
  if (kind === 'x-report' || kind === 'z-report') {
    return renderReport(sampleBatchTotals(kind === 'x-report' ? 'X' : 'Z', language), profile);
  }
  return renderReceipt(sampleReceiptData(kind, language), profile);
}

const PAGES = [
  { name: 'Windows-1258', codePage: 52, dong: '₫' },
  { name: 'TCVN-3', codePage: 30, dong: 'đ' },
];

describe.each(PAGES)('text mode on $name', ({ codePage, dong }) => {
  const profile: PrinterProfile = { ...PROFILE_58MM, mode: 'text', codePage };

  it.each(RECEIPT_KINDS)('decodes the %s receipt back to its text, letter by letter', (kind) => {
    const { escpos, lines } = render(kind, profile);
    const page = renderPage(parseEscPos(escpos), profile.widthDots);
    expect(page.problems).toEqual([]);
    expect(page.text).toEqual(expectedText(lines, profile.columns, dong));
  });

  it('starts with ESC @ and an explicit ESC t', () => {
    const { escpos } = render('approved', profile);
    expect(escpos.subarray(0, 5).toString('hex')).toBe(`1b401b74${codePage.toString(16)}`);
  });

  it('prints the title bold and the amount bold at double size', () => {
    const { escpos } = render('approved', profile);
    const ops = parseEscPos(escpos);
    const amount = ops.findIndex((c) => c.op === 'text'
      && c.bytes.toString('latin1').startsWith('150.000 '));
    expect(amount).toBeGreaterThan(0);
    expect(ops.slice(amount - 3, amount)).toMatchObject([
      { op: 'align', align: 'right' }, { op: 'bold', on: true },
      { op: 'size', width: 2, height: 2 },
    ]);
    const after = ops.slice(amount).findIndex((c) => c.op === 'lineFeed') + amount;
    expect(ops.slice(after + 1, after + 3)).toMatchObject([
      { op: 'size', width: 1, height: 1 }, { op: 'bold', on: false },
    ]);
  });

  it('reads an English receipt on 80 mm and cuts', () => {
    const wide: PrinterProfile = { ...PROFILE_80MM, mode: 'text', codePage };
    const { escpos, lines } = render('refund', wide, 'en');
    const page = renderPage(parseEscPos(escpos), wide.widthDots);
    expect(page.text).toEqual(expectedText(lines, 48, dong));
    expect(page.text).toContain('REFUND RECEIPT');
    expect(escpos.subarray(-4).toString('hex')).toBe('1d564200');
  });
});

describe('text mode, byte level', () => {
  it('switches TCVN-3 tables inside a line and back', () => {
    const profile: PrinterProfile = { ...PROFILE_58MM, mode: 'text', codePage: 30 };
    const { escpos } = render('approved', profile);
    const pages = parseEscPos(escpos).filter((c) => c.op === 'codePage').map((c) => c.n);
    expect(pages[0]).toBe(30);
    expect(new Set(pages)).toEqual(new Set([30, 31]));
    // "UBND PHƯỜNG": Ư and Ờ are capitals only table 31 has, at AD and EA.
    const head = escpos.indexOf(Buffer.from('UBND PH'));
    expect(escpos.subarray(head + 7, head + 12).toString('hex')).toBe('1b741fadea');
  });

  it('refuses a code page without Vietnamese', () => {
    const profile: PrinterProfile = { ...PROFILE_58MM, mode: 'text', codePage: 16 };
    expect(() => render('approved', profile)).toThrow(/code page 52 or 30/);
  });

  it('refuses a column count other than font A, which it would overflow', () => {
    const profile: PrinterProfile = { ...PROFILE_58MM, mode: 'text', codePage: 52, columns: 42 };
    expect(() => render('approved', profile)).toThrow(/font A, 32 columns on 384 dots; got 42/);
  });
});
