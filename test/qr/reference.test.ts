import { describe, expect, it } from 'vitest';
import {
  contentHasReference, foldVietnamese, makePaymentReference, PURPOSE_MAX_LENGTH,
  transferContent,
} from '../../src/qr/reference';

describe('the payment reference', () => {
  it('folds Vietnamese to ASCII: Đ to D, marks removed', () => {
    expect(foldVietnamese('Đặng Thị Ngọc Ánh, phí khám bệnh')).toBe(
      'Dang Thi Ngoc Anh, phi kham benh');
    expect(foldVietnamese('ỦNG HỘ LŨ LỤT đường')).toBe('UNG HO LU LUT duong');
  });

  it('is "QY" and 8 base-32 characters drawn from the random bytes', () => {
    expect(makePaymentReference(() => Buffer.from([0, 1, 2, 3, 4, 5, 6, 7]))).toBe('QY01234567');
    expect(makePaymentReference(() => Buffer.from([31, 32, 255, 18, 10, 20, 27, 9])))
      .toBe('QYZ0ZJAMV9');
    expect(makePaymentReference()).toMatch(/^QY[0-9A-HJKMNP-TV-Z]{8}$/);
  });

  it('puts the reference first in the content, the note folded after, within 25', () => {
    expect(transferContent('QY01234567', 'Phí khám bệnh ngoại trú'))
      .toBe('QY01234567 Phi kham benh');
    expect(transferContent('QY01234567')).toBe('QY01234567');
    expect(PURPOSE_MAX_LENGTH).toBe(25);
  });

  it("finds the reference in a bank's content whatever it added or removed around it", () => {
    expect(contentHasReference('MBVCB.3278614.QY01234567 Phi kham.CT tu 0011', 'QY01234567'))
      .toBe(true);
    expect(contentHasReference('qy0123 4567 vien phi', 'QY01234567')).toBe(true);
    expect(contentHasReference('IBFT QY01234568', 'QY01234567')).toBe(false);
  });
});
