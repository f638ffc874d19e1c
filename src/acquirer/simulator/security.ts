import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync }
  from 'node:fs';
import { dirname } from 'node:path';
import { tdesEncryptEcb, withOddParity } from '../../crypto/des';
import { ConfigError, isQuayError } from '../../errors';
import type { MessageLayout } from '../../iso8583/layout';
import { applyMac, verifyMac } from '../../iso8583/mac';
import type { MacProfile } from '../../iso8583/mac-profile';
import { fieldText, type IsoMessage } from '../../iso8583/message';
import { pack } from '../../iso8583/pack';
import { checkValue } from '../../keys/check-value';
import { macedMti } from '../link';
import { KEY_BLOCK_FIELD, keyBlockText, networkFunctionOf } from '../network';
import type { SimulatorConfig } from './config';
import type { Decision } from './issuer';
import { answerFrame } from './answer-frame';

/**
 * The bank's side of the link security, for the terminals listed in the simulator config:
 * checks the MAC of every request but network management under the terminal's MAC key (the
 * key in use, or the one before the last key exchange, as a host allows while a terminal
 * catches up), refuses a request whose MAC fails with the security violation code (63) without
 * acting on it, MACs its answers, and answers key exchanges with a fresh MAC key enciphered
 * under the terminal master key, with its check value. Unlisted terminals are not checked.
 * The MAC profile is the config's `mac`, else the layout's. With `keyFile`, the MAC keys are
 * kept on disk after each change and read again when another process changed them, as a
 * bank's key database outlives its front end (rehearsals run `quay sign-on` and `quay pay` as
 * separate processes, each with its own embedded simulator).
 */

interface TerminalKeys {
  tmk: Buffer;
  mac?: Buffer;
  previous?: Buffer;
}

/** The key file: per terminal ID, its MAC keys in hex (test keys of a simulator). */
type KeyFile = Record<string, { mac?: string; previous?: string }>;

export class HostSecurity {
  private readonly terminals = new Map<string, TerminalKeys>();
  private readonly profile: MacProfile | undefined;
  private keyFileMtime = -1;

  constructor(private readonly config: SimulatorConfig, private readonly layout: MessageLayout,
    layoutProfile: MacProfile | undefined) {
    this.profile = config.mac ?? layoutProfile;
    for (const t of config.terminals) {
      this.terminals.set(t.terminalId.trimEnd(), {
        tmk: Buffer.from(t.tmk, 'hex'),
        mac: t.macKey === undefined ? undefined : Buffer.from(t.macKey, 'hex'),
      });
    }
    this.reload();
  }

  /** The MAC key in use for a terminal (for tests and rehearsal tools). */
  macKey(terminalId: string): Buffer | undefined {
    this.reload();
    return this.terminals.get(terminalId.trimEnd())?.mac;
  }

  /** Reads the key file again when it changed since it was last read or written. */
  private reload(): void {
    const path = this.config.keyFile;
    if (path === undefined || !existsSync(path)) return;
    const mtime = statSync(path).mtimeMs;
    if (mtime === this.keyFileMtime) return;
    let file: KeyFile;
    try {
      file = JSON.parse(readFileSync(path, 'utf8')) as KeyFile;
    } catch (err) {
      throw new ConfigError('CONFIG_INVALID', `simulator key file ${path} is not JSON`,
        { cause: err, detail: { path } });
    }
    for (const [terminalId, keys] of Object.entries(file)) {
      const held = this.terminals.get(terminalId);
      if (!held) continue;
      held.mac = keys.mac === undefined ? undefined : Buffer.from(keys.mac, 'hex');
      held.previous = keys.previous === undefined ? undefined : Buffer.from(keys.previous, 'hex');
    }
    this.keyFileMtime = mtime;
  }

  private save(): void {
    const path = this.config.keyFile;
    if (path === undefined) return;
    const file: KeyFile = {};
    for (const [terminalId, keys] of this.terminals) {
      file[terminalId] = { mac: keys.mac?.toString('hex').toUpperCase(),
        previous: keys.previous?.toString('hex').toUpperCase() };
    }
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const temp = `${path}.tmp`;
    writeFileSync(temp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, path);
    this.keyFileMtime = statSync(path).mtimeMs;
  }

  /**
   * A refusal for a request whose MAC fails, or undefined when it may be handled. `packed` is
   * the message as received, `tpdu` the TPDU it came with.
   */
  refuse(request: IsoMessage, packed: Buffer, tpdu: Buffer | undefined, now: Date):
    Decision | undefined {
    this.reload();
    const keys = this.keysOf(request);
    if (!keys || !this.profile || !macedMti(request.mti)) return undefined;
    const candidates = [keys.mac, keys.previous].filter((k): k is Buffer => k !== undefined);
    for (const key of candidates) {
      try {
        verifyMac(packed, this.layout, this.profile, key, { tpdu });
        if (key !== keys.mac) {
          keys.mac = key;
          this.save();
        }
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
    this.reload();
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
    this.save();
    return { reply, entry: { responseCode: '00', reason: 'new MAC key sent' } };
  }

  /**
   * Packs an answer, with its MAC when the terminal has a MAC key and the MTI carries one. The
   * MAC sent is also set on `reply`, so that what was sent can be told (the wrong-MAC fault
   * looks for the MAC field).
   */
  pack(reply: IsoMessage, tpdu: Buffer | undefined): Buffer {
    const key = this.keysOf(reply)?.mac;
    if (!key || !this.profile || !macedMti(reply.mti)) return pack(reply, this.layout);
    const applied = applyMac(reply, this.layout, this.profile, key, { tpdu });
    reply.fields.set(this.profile.field, applied.message.fields.get(this.profile.field)!);
    return applied.packed;
  }

  private keysOf(message: IsoMessage): TerminalKeys | undefined {
    return this.terminals.get((fieldText(message, 41) ?? '').trimEnd());
  }
}

