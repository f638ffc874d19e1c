import { PcscReader } from '../../../drivers/card/pcsc-reader';
import { loadVirtualCard } from '../../../drivers/card/virtual/load';
import { isQuayError } from '../../errors';
import { withTimeout } from '../timeout';
import { fail, pass, type Check } from '../types';

const LIST_TIMEOUT_MS = 5_000;
/** Long enough for pcscd to power a card already in the slot; a payment is not started. */
const ATR_WAIT_MS = 1_500;

const START_PCSCD = {
  en: 'Start the smart card service (systemctl start pcscd, or pcscd) and check the reader ' +
    'cable; install the reader driver (apt-get install pcscd libccid).',
  vi: 'Khởi động dịch vụ thẻ (systemctl start pcscd hoặc pcscd) và kiểm tra cáp đầu đọc; ' +
    'cài trình điều khiển (apt-get install pcscd libccid).',
};

/** pcscd reachable, the configured reader listed, and the ATR of a card in it. */
export const cardReaderCheck: Check = {
  id: 'card-reader',
  title: { en: 'Card reader (pcscd)', vi: 'Đầu đọc thẻ (pcscd)' },
  needsConfig: true,
  timeoutMs: 15_000,
  async run(ctx) {
    const loaded = ctx.loaded!;
    const settings = loaded.config.cardReader;
    if (settings.kind === 'in-process') {
      const file = loaded.resolvePath(settings.card);
      const card = loadVirtualCard(file);
      return pass(`in-process virtual reader, card ${file}, ATR ${hex(card.atr)}`,
        { kind: 'in-process', atr: hex(card.atr) });
    }
    const reader = new PcscReader({ log: ctx.log });
    try {
      let names: string[];
      try {
        names = await withTimeout(reader.listReaders(), LIST_TIMEOUT_MS, 'pcscd did not answer');
      } catch (err) {
        return fail(`pcscd not reachable (socket ${pcscdSocket()}): ${messageOf(err)}`,
          START_PCSCD, { socket: pcscdSocket() });
      }
      if (names.length === 0) {
        return fail('pcscd runs but lists no reader', {
          en: 'Plug the card reader in (USB) and install its driver (apt-get install libccid).',
          vi: 'Cắm đầu đọc thẻ (USB) và cài trình điều khiển (apt-get install libccid).',
        }, { readers: names });
      }
      const wanted = settings.reader || undefined;
      const match = names.find((name) => wanted === undefined || name.includes(wanted));
      if (match === undefined) {
        return fail(`no reader named like '${wanted}'; pcscd lists: ${names.join(', ')}`, {
          en: 'Set cardReader.reader to part of one of the names listed, or plug that reader in.',
          vi: 'Đặt cardReader.reader theo một phần tên đầu đọc đã liệt kê, hoặc cắm đúng đầu đọc.',
        }, { readers: names });
      }
      let atr: string | undefined;
      try {
        const session = await reader.waitForCard({ reader: wanted, timeoutMs: ATR_WAIT_MS });
        atr = hex(session.atr);
        await session.disconnect();
      } catch (err) {
        if (!isQuayError(err) || err.code !== 'CARD_TIMEOUT') {
          return fail(`reader ${match}: ${messageOf(err)}`, {
            en: 'Take the card out and insert it again; if it repeats, reconnect the reader.',
            vi: 'Rút thẻ ra và cắm lại; nếu còn lỗi, cắm lại đầu đọc.',
          }, { readers: names, reader: match });
        }
      }
      const card = atr === undefined ? 'no card inserted' : `card ATR ${atr}`;
      return pass(`pcscd lists ${names.length} reader(s); using ${match}; ${card}`,
        { readers: names, reader: match, atr });
    } finally {
      await reader.close().catch(() => undefined);
    }
  },
};

/**
 * The socket pcsc-lite clients reach pcscd on: PCSCLITE_CSOCK_NAME when set (pcsc-lite reads
 * it in each client), else the usual build default.
 */
function pcscdSocket(): string {
  return process.env.PCSCLITE_CSOCK_NAME ?? '/run/pcscd/pcscd.comm';
}

function hex(bytes: Buffer): string {
  return bytes.toString('hex').toUpperCase();
}

function messageOf(err: unknown): string {
  return isQuayError(err) ? `${err.code}: ${err.message}` : String(err);
}
