import { describe, expect, it } from 'vitest';
import { MAX_AMOUNT, parseAmount, validatePaymentRequest } from '../../src/terminal/request';
import { RequestError } from '../../src/errors';

describe('payment request', () => {
  it('takes whole dong as a number or a digit string', () => {
    expect(parseAmount(150_000)).toBe(150_000);
    expect(parseAmount('150000')).toBe(150_000);
    expect(parseAmount(MAX_AMOUNT)).toBe(MAX_AMOUNT);
  });

  it.each([0, -1, 1.5, '1.5', '150.000', '-5', '', null, undefined, MAX_AMOUNT + 1, NaN,
    Infinity, '1e5', {}])('refuses amount %s with AMOUNT_INVALID', (amount) => {
    try {
      parseAmount(amount);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RequestError);
      expect((err as RequestError).code).toBe('AMOUNT_INVALID');
    }
  });

  it('requires a reference and refuses control characters', () => {
    expect(() => validatePaymentRequest({ amount: 1 })).toThrow(/reference is required/);
    expect(() => validatePaymentRequest({ amount: 1, reference: 'A\nB' }))
      .toThrow(/printable/);
    expect(validatePaymentRequest({ amount: '5000', reference: ' HS-2019-000123 ',
      payer: 'Nguyễn Văn A' })).toEqual({
      amount: 5000, reference: 'HS-2019-000123', payer: 'Nguyễn Văn A',
      description: undefined, operator: undefined, idempotencyKey: undefined,
    });
  });

  it('takes the dossier number (Số hồ sơ) as printable text of at most 40 characters', () => {
    expect(validatePaymentRequest({ amount: 150_000, reference: 'LP-1',
      dossier: ' HS-000.00.12.H29-250305-0042 ' }).dossier).toBe('HS-000.00.12.H29-250305-0042');
    expect(() => validatePaymentRequest({ amount: 1, reference: 'LP-1', dossier: 'HS\t1' }))
      .toThrow(/dossier must be at most 40 printable characters/);
    expect(() => validatePaymentRequest({ amount: 1, reference: 'LP-1', dossier: 'H'.repeat(41) }))
      .toThrow(/dossier must be at most 40/);
    expect(() => validatePaymentRequest({ amount: 1, reference: 'LP-1', dossier: 42 }))
      .toThrow(/dossier must be text/);
  });
});
