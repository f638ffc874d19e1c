import { describe, expect, it } from 'vitest';
import { mapPcscError } from '../../../drivers/card/pcsclite-binding';
import { parseFeatures, PcscReader } from '../../../drivers/card/pcsc-reader';
import { fakePcsclite, STATE } from './fake-pcsclite';

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

/** Lets pending callbacks (ticks, immediates) run. */
const flush = () => new Promise((resolve) => setImmediate(resolve));

function tracked<T>(promise: Promise<T>) {
  const state = { done: false, value: undefined as T | undefined, error: undefined as unknown };
  promise.then((v) => { state.done = true; state.value = v; },
    (e: unknown) => { state.done = true; state.error = e; });
  return state;
}

async function withOneReader(removalGraceMs = 2000) {
  const fake = fakePcsclite();
  const reader = new PcscReader({ load: () => fake.factory, removalGraceMs });
  const names = reader.listReaders();
  await flush();
  fake.pcsc.scan([VPCD]);
  expect(await names).toEqual([VPCD]);
  return { reader, fake, slot: fake.pcsc.readers.get(VPCD)! };
}

const VPCD = 'Virtual PCD 00 00';

describe('PcscReader over a scripted pcsclite', () => {
  it('does not call a slot empty before pcscd has listed it and reported its state', async () => {
    const fake = fakePcsclite();
    const reader = new PcscReader({ load: () => fake.factory });
    const removal = tracked(reader.waitForRemoval({ reader: VPCD, timeoutMs: 5000 }));
    await flush();
    expect(removal.done).toBe(false);
    fake.pcsc.scan([VPCD]);
    await flush();
    expect(removal.done).toBe(false);
    const slot = fake.pcsc.readers.get(VPCD)!;
    slot.status(STATE.PRESENT);
    await flush();
    expect(removal.done).toBe(false);
    slot.status(STATE.EMPTY);
    await flush();
    expect(removal).toMatchObject({ done: true, error: undefined });
    await reader.close();
    expect(slot.closed).toBe(true);
    expect(fake.pcsc.closed).toBe(true);
  });

  it('opens a session when a card shows up, with its ATR and protocol', async () => {
    const { reader, slot } = await withOneReader();
    const waiting = reader.waitForCard({ timeoutMs: 5000 });
    slot.status(STATE.EMPTY);
    await flush();
    slot.status(STATE.PRESENT, Buffer.from('3B600000', 'hex'));
    const session = await waiting;
    expect([session.reader, session.protocol]).toEqual([VPCD, 'T0']);
    expect(session.atr.toString('hex')).toBe('3b600000');
    expect(slot.connected).toBe(true);
    await session.disconnect();
    expect(slot.connected).toBe(false);
    await reader.close();
  });

  it('turns an empty answer into CARD_REMOVED when pcscd then reports the slot empty', async () => {
    const { reader, slot } = await withOneReader();
    slot.status(STATE.PRESENT);
    const session = await reader.waitForCard({ timeoutMs: 5000 });
    slot.answer = () => Buffer.alloc(0);
    const sent = session.transmit(Buffer.from('00A4040000', 'hex'));
    await flush();
    slot.status(STATE.EMPTY);
    await expect(sent).rejects.toMatchObject({ code: 'CARD_REMOVED' });
    await reader.close();
  });

  it('calls an empty answer CARD_UNRESPONSIVE when the card stays in', async () => {
    const { reader, slot } = await withOneReader(50);
    slot.status(STATE.PRESENT);
    const session = await reader.waitForCard({ timeoutMs: 5000 });
    slot.answer = () => Buffer.alloc(0);
    await expect(session.transmit(Buffer.from('00A4040000', 'hex')))
      .rejects.toMatchObject({ code: 'CARD_UNRESPONSIVE' });
    slot.answer = () => new Error('SCardTransmit error: Card was removed.(0x80100069)');
    await expect(session.transmit(Buffer.from('00A4040000', 'hex')))
      .rejects.toMatchObject({ code: 'CARD_REMOVED' });
    await reader.close();
  });

  it('refuses a mute card and fails waits when pcscd goes away', async () => {
    const { reader, fake, slot } = await withOneReader();
    slot.status(STATE.PRESENT | STATE.MUTE);
    await expect(reader.waitForCard({ timeoutMs: 5000 })).rejects.toMatchObject({
      code: 'CARD_UNRESPONSIVE',
    });
    slot.status(STATE.EMPTY);
    const waiting = reader.waitForCard({ timeoutMs: 5000 });
    const stopped = 'SCardGetStatusChange error: Service was stopped.(0x8010001e)';
    fake.pcsc.emit('error', new Error(stopped));
    await expect(waiting).rejects.toMatchObject({ code: 'READER_UNAVAILABLE' });
    await reader.close();
  });
});

describe('PC/SC part 10 reader features', () => {
  const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

  it('parses the TLV list: tag, length 4, control code big-endian', () => {
    // A 2-byte entry is skipped and a truncated last one ignored.
    const list = hex('06 04 42330006  13 02 0102  12 04 42330012  0A 04 4233');
    expect([...parseFeatures(list)]).toEqual([[0x06, 0x42330006], [0x12, 0x42330012]]);
    expect(parseFeatures(Buffer.alloc(0)).size).toBe(0);
  });

  it('asks GET_FEATURE_REQUEST once per session with SCARD_CTL_CODE(3400)', async () => {
    const { reader, slot } = await withOneReader();
    slot.controlAnswer = () => hex('06 04 42330006');
    slot.status(STATE.PRESENT);
    const session = await reader.waitForCard({ timeoutMs: 5000 });
    expect([...await session.readerFeatures!()]).toEqual([[6, 0x42330006]]);
    expect([...await session.readerFeatures!()]).toEqual([[6, 0x42330006]]);
    expect(slot.controls.map((c) => [c.code.toString(16), c.data.length, c.resLen]))
      .toEqual([['42000d48', 0, 256]]);
    await reader.close();
  });

  it('reports no features when the driver refuses the request, as vpcd\'s does', async () => {
    const { reader, slot } = await withOneReader();
    slot.status(STATE.PRESENT);
    const session = await reader.waitForCard({ timeoutMs: 5000 });
    expect((await session.readerFeatures!()).size).toBe(0);
    await reader.close();
  });

  it('fails control like transmit: CARD_REMOVED, then READER_ERROR after disconnect',
    async () => {
      const { reader, slot } = await withOneReader();
      slot.status(STATE.PRESENT);
      const first = await reader.waitForCard({ timeoutMs: 5000 });
      slot.controlAnswer = () => new Error('SCardControl error: Card was removed.(0x80100069)');
      await expect(first.readerFeatures!()).rejects.toMatchObject({ code: 'CARD_REMOVED' });
      await expect(first.control!(0x42330006, Buffer.alloc(0)))
        .rejects.toMatchObject({ code: 'CARD_REMOVED' });
      const second = await reader.waitForCard({ timeoutMs: 5000 });
      await second.disconnect();
      await expect(second.control!(0x42330006, Buffer.alloc(0)))
        .rejects.toMatchObject({ code: 'READER_ERROR' });
      await reader.close();
    });
});
