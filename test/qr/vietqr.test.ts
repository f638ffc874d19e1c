import { describe, expect, it } from 'vitest';
import { crc16CcittFalse, crcHex } from '../../src/qr/crc16';
import { decodeMpm, encodeMpm } from '../../src/qr/emv-mpm';
import { QrError } from '../../src/qr/errors';
import { buildVietQr, decodeVietQr, parseVietQr, type VietQr } from '../../src/qr/vietqr';

// The sample of ../shared/testdata/vectors/README.md (github.com/subiz/vietqr README).
const SAMPLE = '00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA'
  + '530370454061200005802VN62170813ung ho lu lut6304C15C';
const SAMPLE_FIELDS: VietQr = {
  initiation: 'dynamic', bin: '970415', account: '0011001932418', service: 'QRIBFTTA',
  amount: 120000, purpose: 'ung ho lu lut',
};

/** A payload body (ending in "6304") with its CRC, for payloads altered on purpose. */
const withCrc = (body: string): string => `${body}${crcHex(body)}`;
const bodyOf = (payload: string): string => payload.slice(0, -4);

function qrError(run: () => unknown): QrError {
  try {
    run();
  } catch (err) {
    if (err instanceof QrError) return err;
    throw err;
  }
  throw new Error('expected a QrError');
}

describe('CRC-16/CCITT-FALSE', () => {
  it('gives the check value 29B1 for "123456789"', () => {
    expect(crc16CcittFalse('123456789')).toBe(0x29b1);
    expect(crcHex('123456789')).toBe('29B1');
  });
});

describe('the VietQR builder', () => {
  it('emits the published sample exactly, CRC included', () => {
    expect(buildVietQr(SAMPLE_FIELDS)).toBe(SAMPLE);
  });

  it('emits the static and dynamic codes of subiz/vietqr vietqr_test.go', () => {
    expect(buildVietQr({ initiation: 'static', bin: '970423', account: '0099999999',
      service: 'QRIBFTTA' })).toBe('00020101021138540010A00000072701240006970423011000999999'
      + '990208QRIBFTTA53037045802VN6304CBB4');
    expect(buildVietQr({ initiation: 'dynamic', bin: '970422', account: '0023457923442',
      service: 'QRIBFTTA', amount: 40123, purpose: 'chuyen khoan' })).toBe(
      '00020101021238570010A00000072701270006970422011300234579234420208QRIBFTTA530370454054'
      + '01235802VN62160812chuyen khoan6304722F');
  });

  it('places MCC, name, city, bill number and terminal label where NAPAS puts them', () => {
    const fields: VietQr = {
      initiation: 'dynamic', bin: '970436', account: '9704361234567890123', service: 'QRPUSH',
      merchantCategoryCode: '8062', amount: 450000, merchantName: 'BENH VIEN TINH',
      merchantCity: 'HUE', billNumber: 'HD-2026-0001', terminalLabel: 'QUAY01',
      purpose: 'QY01234567 vien phi',
    };
    const payload = buildVietQr(fields);
    expect(bodyOf(payload)).toBe('000201010212'
      + '38610010A00000072701330006970436011997043612345678901230206QRPUSH'
      + '52048062530370454064500005802VN5914BENH VIEN TINH6003HUE'
      + '62490112HD-2026-00010706QUAY010819QY01234567 vien phi6304');
    expect(parseVietQr(payload)).toEqual(fields);
  });

  it('refuses values VietQR does not allow, naming the field', () => {
    const refused = (fields: Partial<VietQr>) => qrError(() => buildVietQr({
      ...SAMPLE_FIELDS, ...fields })).detail.field;
    expect(refused({ purpose: 'ủng hộ lũ lụt' })).toBe('62.08');
    expect(refused({ purpose: 'A'.repeat(26) })).toBe('62.08');
    expect(refused({ bin: '97041' })).toBe('38.01.00');
    expect(refused({ account: '1'.repeat(20) })).toBe('38.01.01');
    expect(refused({ amount: 1.5 })).toBe('54');
    expect(refused({ amount: 0 })).toBe('54');
    expect(refused({ amount: undefined })).toBe('54');
    expect(refused({ service: 'QRIBFTTC', account: '00110019' })).toBe('38.01.01');
    expect(refused({ service: 'QRPUSH' })).toBe('52');
  });
});

describe('the VietQR parser', () => {
  it('reads the sample back to its fields, CRC holding', () => {
    const decoded = decodeVietQr(SAMPLE);
    expect(decoded.fields).toEqual(SAMPLE_FIELDS);
    expect(decoded.crc).toEqual({ given: 'C15C', computed: 'C15C', ok: true });
    expect(decoded.other).toEqual([]);
    expect(decoded.warnings).toEqual([]);
  });

  it('accepts a lower-case CRC', () => {
    const lower = `${bodyOf(SAMPLE)}c15c`;
    expect(parseVietQr(lower)).toEqual(SAMPLE_FIELDS);
    expect(decodeVietQr(lower).crc.given).toBe('C15C');
  });

  it('reports a wrong CRC when decoding and refuses it when parsing', () => {
    const wrong = `${bodyOf(SAMPLE)}C15D`;
    expect(decodeVietQr(wrong).crc).toEqual({ given: 'C15D', computed: 'C15C', ok: false });
    const err = qrError(() => parseVietQr(wrong));
    expect(err.code).toBe('QR_CRC_MISMATCH');
    expect(err.detail).toMatchObject({ field: '63', given: 'C15D', computed: 'C15C' });
  });

  it('refuses malformed payloads with QR_MALFORMED and the field', () => {
    const truncated = qrError(() => decodeVietQr(SAMPLE.slice(0, 40)));
    expect(truncated.code).toBe('QR_MALFORMED');
    expect(truncated.detail.field).toBe('38');
    const noCrc = qrError(() => decodeVietQr(SAMPLE.slice(0, -8)));
    expect(noCrc.code).toBe('QR_MALFORMED');
    expect(noCrc.detail.field).toBe('63');
    const twice = qrError(() => decodeMpm(withCrc('0002010002016304')));
    expect(twice.message).toBe('00: appears twice');
    expect(qrError(() => decodeMpm('000X016304ABCD')).code).toBe('QR_MALFORMED');
  });

  it('refuses a currency other than 704 and an amount with a minor unit', () => {
    const dollars = withCrc(bodyOf(SAMPLE).replace('5303704', '5303840'));
    expect(qrError(() => parseVietQr(dollars)).detail.field).toBe('53');
    const decimals = withCrc(bodyOf(SAMPLE).replace('5406120000', '5408120000.5'));
    const err = qrError(() => parseVietQr(decimals));
    expect(err.code).toBe('QR_FIELD_INVALID');
    expect(err.detail.field).toBe('54');
  });

  it('refuses a merchant account without the NAPAS GUID', () => {
    const other = withCrc(bodyOf(SAMPLE).replace('A000000727', 'A000000999'));
    expect(qrError(() => parseVietQr(other)).detail.field).toBe('38.00');
  });

  it('keeps fields it does not name', () => {
    const extra = withCrc(bodyOf(SAMPLE)
      .replace('62170813ung ho lu lut', '62250813ung ho lu lut0904ABCD'));
    expect(decodeVietQr(extra).other).toEqual([{ id: '62.09', value: 'ABCD' }]);
  });
});

describe('the length policy', () => {
  // 38.01 says 26 characters while its fields (00 BIN, 01 account) take 27; 38's own length
  // (57) is right. The CRC is recomputed, so only the lengths are wrong.
  const inner = withCrc(bodyOf(SAMPLE).replace('01270006970415', '01260006970415'));
  // 62.08 says 14 characters while 62 (17) leaves it 13.
  const additional = withCrc(bodyOf(SAMPLE).replace('0813ung ho', '0814ung ho'));

  it('refuses inner lengths that disagree with their template, naming the field', () => {
    const err = qrError(() => decodeVietQr(inner));
    expect(err.code).toBe('QR_LENGTH_MISMATCH');
    expect(err.detail.field).toBe('38.01');
    expect(err.message).toBe(
      '38.01: length 26 disagrees with its fields (27); read by its fields within 38');
    const tail = qrError(() => decodeVietQr(additional));
    expect(tail.code).toBe('QR_LENGTH_MISMATCH');
    expect(tail.detail.field).toBe('62.08');
  });

  it("reads them by the outer lengths under a bank profile's lengths: 'outer-only'", () => {
    const decoded = decodeVietQr(inner, { lengths: 'outer-only' });
    expect(decoded.fields).toEqual(SAMPLE_FIELDS);
    expect(decoded.crc.ok).toBe(true);
    expect(decoded.warnings).toEqual(
      ['38.01: length 26 disagrees with its fields (27); read by its fields within 38']);
    const cut = decodeVietQr(additional, { lengths: 'outer-only' });
    expect(cut.fields.purpose).toBe('ung ho lu lut');
    expect(cut.warnings).toEqual(['62.08: length 14 cut to 13 at the end of 62']);
  });
});

describe('the EMVCo layer', () => {
  it('encodes templates from their children and refuses a value over 99 characters', () => {
    expect(encodeMpm([{ id: '00', value: '01' },
      { id: '62', value: '', children: [{ id: '08', value: 'ab' }] }]))
      .toBe(withCrc('00020162060802ab6304'));
    expect(qrError(() => encodeMpm([{ id: '59', value: 'x'.repeat(100) }])).detail.field)
      .toBe('59');
  });
});
