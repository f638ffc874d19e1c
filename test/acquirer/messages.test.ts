import { describe, expect, it } from 'vitest';
import { HostError, RequestError } from '../../src/errors';
import { buildPurchase, readPurchaseResponse } from '../../src/acquirer/messages';
import { RESPONSE_CODES, describeResponseCode } from '../../src/acquirer/response-codes';
import { encodeTlv } from '../../src/emv/tlv';
import { loadLayout } from '../../src/iso8583/layouts';
import { createMessage } from '../../src/iso8583/message';
import { pack, unpack } from '../../src/iso8583/pack';
import { CVN10_CARD, purchase } from './support';

describe('buildPurchase', () => {
  it('fills the 0200 fields from the request', () => {
    const { request } = purchase(CVN10_CARD, 450_000, 123);
    const message = buildPurchase(request);
    expect(message.mti).toBe('0200');
    expect(Object.fromEntries([...message.fields].filter(([id]) => id !== 55))).toEqual({
      3: '000000', 4: '000000450000', 11: '000123', 12: '143005', 13: '0109', 22: '051',
      23: '001', 24: '001', 25: '00', 35: '4761739001010119D25122011234567890',
      41: 'QUAY0001', 42: '000000000000001', 49: '704', 60: '000001', 62: '000042',
    });
    expect(message.fields.get(55)).toEqual(request.iccData);
  });

  it('sends PAN and expiry instead of track 2 when the card gave none', () => {
    const { request } = purchase(CVN10_CARD, 1000, 7);
    const message = buildPurchase({ ...request, track2: undefined, panSequence: undefined });
    expect(message.fields.get(2)).toBe('4761739001010119');
    expect(message.fields.get(14)).toBe('2512');
    expect(message.fields.has(35)).toBe(false);
    expect(message.fields.has(23)).toBe(false);
  });

  it('packs with pos-bcd: amount and currency in BCD', () => {
    const { request } = purchase(CVN10_CARD, 450_000, 123);
    const back = unpack(pack(buildPurchase(request), loadLayout('pos-bcd')), loadLayout('pos-bcd'));
    expect(back.fields.get(4)).toBe('000000450000');
    expect(back.fields.get(49)).toBe('704');
  });

  it('strips the F filler of tag 57', () => {
    const { request } = purchase(CVN10_CARD, 1000, 1);
    const track2 = Buffer.from('4761739001010119D2512201F', 'hex');
    expect(buildPurchase({ ...request, track2 }).fields.get(35)).toBe('4761739001010119D2512201');
  });

  it.each([0, -5, 12.5, 1e12])('refuses amount %s', (amount) => {
    const { request } = purchase(CVN10_CARD, 1000, 1);
    expect(() => buildPurchase({ ...request, amount })).toThrow(RequestError);
  });

  it('refuses a STAN outside 1..999999 and track data that is not track 2', () => {
    const { request } = purchase(CVN10_CARD, 1000, 1);
    expect(() => buildPurchase({ ...request, stan: 1_000_000 })).toThrow(/stan/);
    expect(() => buildPurchase({ ...request, track2: Buffer.from('1234', 'hex') }))
      .toThrow(/track2/);
  });
});

function reply(fields: Array<[number, string | Buffer]>, mti = '0210') {
  return createMessage(mti, [[11, '000123'], [41, 'QUAY0001'], ...fields]);
}

describe('readPurchaseResponse', () => {
  const expect123 = { stan: 123, terminalId: 'QUAY0001' };

  it('reads an approval with issuer data', () => {
    const tag91 = Buffer.from('28993816AFAE4AEB3030', 'hex');
    const script = encodeTlv('72', [encodeTlv('9F18', Buffer.from('00000001', 'hex'))]);
    const icc = Buffer.concat([encodeTlv('91', tag91), encodeTlv('8A', Buffer.from('00')),
      script]);
    const response = readPurchaseResponse(reply([
      [39, '00'], [38, '000001'], [37, '501091400001'], [12, '143006'], [13, '0109'], [55, icc],
    ]), expect123);
    expect(response).toEqual({
      mti: '0210', stan: 123, terminalId: 'QUAY0001', responseCode: '00', approved: true,
      authCode: '000001', rrn: '501091400001', iccData: icc, issuerAuthData: tag91,
      scripts: [script], hostTime: '0109143006',
    });
  });

  it('reads a decline', () => {
    const response = readPurchaseResponse(reply([[39, '51']]), expect123);
    expect(response.approved).toBe(false);
    expect(describeResponseCode(response.responseCode).vi).toBe('Tài khoản không đủ số dư');
  });

  it.each([
    ['another MTI', reply([[39, '00']], '0110'), /MTI 0110/],
    ['another STAN', createMessage('0210', [[11, '000124'], [41, 'QUAY0001'], [39, '00']]),
      /STAN 124/],
    ['another terminal', createMessage('0210', [[11, '000123'], [41, 'QUAY0002'], [39, '00']]),
      /terminal ID QUAY0002/],
    ['no response code', reply([]), /no response code/],
    ['field 55 that is not TLV', reply([[39, '00'], [55, Buffer.from('9F', 'hex')]]), /BER-TLV/],
  ])('refuses %s as HOST_PROTOCOL', (_name, message, pattern) => {
    const read = () => readPurchaseResponse(message, expect123);
    expect(read).toThrow(HostError);
    expect(read).toThrow(pattern);
  });
});

describe('response codes', () => {
  it('has English and Vietnamese words for each code and approves only 00, 08, 11', () => {
    for (const [code, info] of Object.entries(RESPONSE_CODES)) {
      expect(code).toMatch(/^\d{2}$/);
      expect(info.en.length).toBeGreaterThan(0);
      expect(info.vi.length).toBeGreaterThan(0);
    }
    const approving = Object.entries(RESPONSE_CODES)
      .filter(([, info]) => info.kind === 'approved').map(([code]) => code).sort();
    expect(approving).toEqual(['00', '08', '11']);
    expect(describeResponseCode('Q1')).toMatchObject({ kind: 'decline', en: 'Declined (code Q1)' });
  });
});
