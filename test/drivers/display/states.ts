import type { DisplayEvent } from '../../../src/display/lines';

/** Each payment state and the two lines a 2×20 display must show for it, written by hand. */
export const STATE_SCREENS: [string, DisplayEvent, [string, string]][] = [
  ['welcome', { kind: 'idle' }, ['    QUAY THU PHI    ', '      XIN CHAO      ']],
  ['amount', { kind: 'amount', amount: 150_000 },
    ['SO TIEN:            ', '         150.000 VND']],
  ['insert card', { kind: 'insertCard', amount: 150_000 },
    ['  VUI LONG CAM THE  ', '         150.000 VND']],
  ['enter PIN on the reader', { kind: 'enterPin', amount: 150_000 },
    [' VUI LONG NHAP PIN  ', '         150.000 VND']],
  // "Đang xử lý": Đ folds to D.
  ['processing', { kind: 'processing' }, ['   DANG XU LY...    ', '  XIN CHO GIAY LAT  ']],
  ['approved', { kind: 'approved', amount: 150_000 },
    ['     THANH CONG     ', '         150.000 VND']],
  ['declined', { kind: 'declined', reason: { vi: 'Không đủ số dư', en: 'Insufficient funds' } },
    ['GIAO DICH BI TU CHOI', '   KHONG DU SO DU   ']],
  ['remove card', { kind: 'removeCard' }, ['  VUI LONG RUT THE  ', '  CAM ON QUY KHACH  ']],
  ['thank you', { kind: 'thankYou' }, ['  CAM ON QUY KHACH  ', '    HEN GAP LAI     ']],
];
