import { randomBytes } from 'node:crypto';
import { tdesEncryptEcb, withOddParity } from '../../crypto/des';
import { isQuayError } from '../../errors';
import type { MessageLayout } from '../../iso8583/layout';
import { applyMac, verifyMac } from '../../iso8583/mac';
import type { MacProfile } from '../../iso8583/mac-profile';
import { createMessage, fieldText, responseMti, type IsoMessage } from '../../iso8583/message';
import { pack } from '../../iso8583/pack';
import { checkValue } from '../../keys/check-value';
import { macedMti } from '../link';
import { KEY_BLOCK_FIELD, keyBlockText, networkFunctionOf } from '../network';
import type { SimulatorConfig } from './config';
import type { Decision } from './issuer';

/**
 * The bank's side of the link security, for the terminals listed in the simulator config:
 * checks the MAC of every request but network management under the terminal's MAC key (the
 * key in use, or the one before the last key exchange, as a host allows while a terminal
 * catches up), refuses a request whose MAC fails with the security violation code (63) without
 * acting on it, MACs its answers, and answers key exchanges with a fresh MAC key enciphered
 * under the terminal master key, with its check value. Unlisted terminals are not checked.
 */

interface TerminalKeys {
  tmk: Buffer;
  mac?: Buffer;
  previous?: Buffer;
}

export class HostSecurity {
  private readonly terminals = new Map<string, TerminalKeys>();

  constructor(private readonly config: SimulatorConfig, private readonly layout: MessageLayout,
    private readonly profile: MacProfile | undefined) {
    for (const t of config.terminals) {
      this.terminals.set(t.terminalId.trimEnd(), {
        tmk: Buffer.from(t.tmk, 'hex'),
        mac: t.macKey === undefined ? undefined : Buffer.from(t.macKey, 'hex'),
      });
    }
  }

  /** The MAC key in use for a terminal (for tests and rehearsal tools). */
  macKey(terminalId: string): Buffer | undefined {
    return this.terminals.get(terminalId.trimEnd())?.mac;
  }

  /**
   * A refusal for a request whose MAC fails, or undefined when it may be handled. `packed` is
   * the message as received, `tpdu` the TPDU it came with.
   */
  refuse(request: IsoMessage, packed: Buffer, tpdu: Buffer | undefined, now: Date):
    Decision | undefined {
    const keys = this.keysOf(request);
    if (!keys || !this.profile || !macedMti(request.mti)) return undefined;
    const candidates = [keys.mac, keys.previous].filter((k): k is Buffer => k !== undefined);
    for (const key of candidates) {
      try {
        verifyMac(packed, this.layout, this.profile, key, { tpdu });
        if (key !== keys.mac) keys.mac = key;
        return undefined;
      } catch (err) {
        if (!isQuayError(err)) throw err;
      }
    }
    const reason = candidates.length === 0 ? 'no MAC key for this terminal' : 'MAC does not verify';
    const reply = answerFrame(request, now);
    reply.fields.set(39, this.config.responseCodes.securityViolation);
    return { reply, entry: { responseCode: this.config.responseCodes.securityViolation, reason } };
  }

  /** A key exchange answer (0810 with the key block), or undefined for other messages. */
  keyExchange(request: IsoMessage, now: Date): Decision | undefined {
    if (request.mti !== '0800' || networkFunctionOf(request, this.layout) !== 'key-exchange') {
      return undefined;
    }
    const reply = answerFrame(request, now);
    const keys = this.keysOf(request);
    if (!keys) {
      reply.fields.set(39, this.config.responseCodes.securityViolation);
      return { reply, entry: { responseCode: '63', reason: 'no master key for this terminal' } };
    }
    const mac = withOddParity(randomBytes(16));
    reply.fields.set(KEY_BLOCK_FIELD, keyBlockText({
      encrypted: tdesEncryptEcb(keys.tmk, mac), kcv: checkValue(mac),
    }));
    reply.fields.set(39, '00');
    keys.previous = keys.mac;
    keys.mac = mac;
    return { reply, entry: { responseCode: '00', reason: 'new MAC key sent' } };
  }

  /** Packs an answer, with its MAC when the terminal has a MAC key and the MTI carries one. */
  pack(reply: IsoMessage, tpdu: Buffer | undefined): Buffer {
    const key = this.keysOf(reply)?.mac;
    if (!key || !this.profile || !macedMti(reply.mti)) return pack(reply, this.layout);
    return applyMac(reply, this.layout, this.profile, key, { tpdu }).packed;
  }

  private keysOf(message: IsoMessage): TerminalKeys | undefined {
    return this.terminals.get((fieldText(message, 41) ?? '').trimEnd());
  }
}

function digits(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** The answer's frame: the request fields a host echoes, and its own time. */
export function answerFrame(request: IsoMessage, now: Date): IsoMessage {
  const reply = createMessage(responseMti(request.mti) ?? request.mti);
  for (const id of [3, 4, 11, 24, 41, 42, 49, 60, 70]) {
    const value = request.fields.get(id);
    if (value !== undefined) reply.fields.set(id, value);
  }
  reply.fields.set(12, digits(now.getHours(), 2) + digits(now.getMinutes(), 2)
    + digits(now.getSeconds(), 2));
  reply.fields.set(13, digits(now.getMonth() + 1, 2) + digits(now.getDate(), 2));
  return reply;
}
