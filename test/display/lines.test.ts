import { describe, expect, it } from 'vitest';
import { foldToAscii } from '../../src/display/fold';
import { displayLines, type DisplayEvent } from '../../src/display/lines';

const EVENTS: DisplayEvent[] = [
  { kind: 'idle' },
  { kind: 'amount', amount: 150_000 },
  { kind: 'insertCard', amount: 150_000 },
  { kind: 'enterPin', amount: 150_000 },
  { kind: 'processing' },
  { kind: 'connecting' },
  { kind: 'approved', amount: 150_000 },
  { kind: 'declined', reason: { vi: 'Không đủ số dư', en: 'Insufficient funds' } },
  { kind: 'declined' },
  { kind: 'cardNotAccepted' },
  { kind: 'removeCard' },
  { kind: 'thankYou' },
  { kind: 'error', message: { vi: 'Mất kết nối ngân hàng', en: 'Bank link lost' } },
];

describe('displayLines', () => {
  it('shows each step in Vietnamese without diacritics, centred or right-aligned', () => {
    const shown = EVENTS.map((e) => displayLines(e, 'vi'));
    expect(shown).toEqual([
      ['    QUAY THU PHI    ', '      XIN CHAO      '],
      ['SO TIEN:            ', '         150.000 VND'],
      ['  VUI LONG CAM THE  ', '         150.000 VND'],
      [' VUI LONG NHAP PIN  ', '         150.000 VND'],
      ['   DANG XU LY...    ', '  XIN CHO GIAY LAT  '],
      ['    DANG KET NOI    ', '    NGAN HANG...    '],
      ['     THANH CONG     ', '         150.000 VND'],
      ['GIAO DICH BI TU CHOI', '   KHONG DU SO DU   '],
      ['GIAO DICH BI TU CHOI', '                    '],
      ['   THE KHONG DUOC   ', '     CHAP NHAN      '],
      ['  VUI LONG RUT THE  ', '  CAM ON QUY KHACH  '],
      ['  CAM ON QUY KHACH  ', '    HEN GAP LAI     '],
      // 'MAT KET NOI NGAN HANG' is 21 characters: cut at the last word that fits.
      ['   CO LOI XAY RA    ', '  MAT KET NOI NGAN  '],
    ]);
  });

  it('speaks English on request', () => {
    expect(displayLines({ kind: 'idle' }, 'en'))
      .toEqual(['    FEE COUNTER     ', '      WELCOME       ']);
    expect(displayLines({ kind: 'approved', amount: 1_250_000 }, 'en'))
      .toEqual(['      APPROVED      ', '       VND 1,250,000']);
    expect(displayLines({ kind: 'removeCard' }, 'en'))
      .toEqual([' PLEASE REMOVE CARD ', '     THANK YOU      ']);
    expect(displayLines({ kind: 'thankYou' }, 'en'))
      .toEqual(['     THANK YOU      ', '   SEE YOU AGAIN    ']);
  });

  it.each(['vi', 'en'] as const)('gives exactly 20 printable ASCII characters (%s)', (lang) => {
    for (const event of EVENTS) {
      for (const line of displayLines(event, lang)) {
        expect(line).toHaveLength(20);
        expect(line).toMatch(/^[\x20-\x7e]{20}$/);
      }
    }
  });

  it('cuts a long reason at a word and lays out for other widths', () => {
    const reason = { vi: 'Thẻ đã hết hạn sử dụng, liên hệ ngân hàng', en: 'Expired card' };
    expect(displayLines({ kind: 'declined', reason }, 'vi')[1]).toBe(' THE DA HET HAN SU  ');
    const narrow = displayLines({ kind: 'amount', amount: 5_000 }, 'vi', 16);
    expect(narrow).toEqual(['SO TIEN:        ', '       5.000 VND']);
  });
});

describe('foldToAscii', () => {
  it('drops tones and vowel marks and maps đ and Đ', () => {
    expect(foldToAscii('Đường Ấp Bắc, Hưng Yên; ử ỹ ộ đ')).toBe('Duong Ap Bac, Hung Yen; u y o d');
  });

  it('folds every Vietnamese letter to a plain Latin letter', () => {
    const vowels = 'aăâeêioôơuưy';
    const tones = ['', '\u0301', '\u0300', '\u0309', '\u0303', '\u0323'];
    const letters = [...vowels].flatMap((v) => tones.map((t) => (v + t).normalize('NFC')));
    const all = [...letters, ...letters.map((l) => l.toUpperCase()), 'đ', 'Đ'].join('');
    expect([...all]).toHaveLength(12 * 6 * 2 + 2);
    expect(foldToAscii(all)).toMatch(/^[a-zA-Z]+$/);
    expect(foldToAscii(all)).toHaveLength(all.length);
  });

  it('marks characters a display cannot show', () => {
    expect(foldToAscii('150.000 ₫ — ok')).toBe('150.000 ? ? ok');
  });
});
