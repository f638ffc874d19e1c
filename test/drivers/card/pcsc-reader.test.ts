import { describe, expect, it } from 'vitest';
import { mapPcscError } from '../../../drivers/card/pcsclite-binding';
import { PcscReader } from '../../../drivers/card/pcsc-reader';

/** What pcsclite throws from its constructor when pcscd is not running. */
const NO_SERVICE = 'SCardEstablishContext error: Service not available.(0x8010001d)';

describe('PcscReader without pcscd', () => {
  it('reports READER_UNAVAILABLE with how to start pcscd', async () => {
    const reader = new PcscReader({ load: () => () => { throw new Error(NO_SERVICE); } });
    const err = await reader.listReaders().catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ReaderError', code: 'READER_UNAVAILABLE' });
    expect((err as Error).message).toMatch(/pcscd is not running: start it with/);
    await expect(reader.waitForCard({ timeoutMs: 100 })).rejects.toMatchObject({
      code: 'READER_UNAVAILABLE',
    });
    await reader.close();
  });
});

describe('mapPcscError', () => {
  it('maps PC/SC result codes onto the CardReader contract', () => {
    const code = (message: string) => mapPcscError(new Error(message), 'transmit', 'R').code;
    expect(code('SCardTransmit error: Card was removed.(0x80100069)')).toBe('CARD_REMOVED');
    expect(code('SCardConnect error: No smart card inserted.(0x8010000c)')).toBe('CARD_REMOVED');
    expect(code('SCardConnect error: Card is unresponsive.(0x80100066)'))
      .toBe('CARD_UNRESPONSIVE');
    expect(code('x.(0x8010001e)')).toBe('READER_UNAVAILABLE');
    expect(code('x.(0x80100009)')).toBe('READER_UNAVAILABLE');
    expect(code('Sharing violation.(0x8010000b)')).toBe('READER_ERROR');
    expect(code('anything else')).toBe('READER_ERROR');
  });
});
