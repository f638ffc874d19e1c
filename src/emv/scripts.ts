import type { Logger } from '../log';
import { TlvError } from '../errors';
import { swHex } from '../../drivers/card/apdu';
import { send, type CardChannel } from './commands';
import { parseTlv, type TlvNode } from './tlv';
import { TSI, TVR, type BitField } from './tvr';

/**
 * Issuer-to-card script processing (EMV Book 3 10.10): the issuer's scripts come as
 * templates 71 (run before the final GENERATE AC) and 72 (run after it), each an optional
 * script identifier (9F18) and issuer script commands (86, each a whole command APDU).
 * The result of each script is reported back to the issuer (Book 4 A5, Issuer Script
 * Results): 5 bytes per script.
 */
export type ScriptPhase = '71' | '72';

/** Result nibble (high half of byte 1): script failed, performed successfully. */
const FAILED = 0x10;
const PERFORMED = 0x20;
/** The failing command's sequence number, 1..14; 15 stands for 15 and above. */
const MAX_SEQUENCE = 0x0f;
/** Status words after which the next command of a script is sent (Book 3 10.10). */
const CONTINUE_SW1 = new Set([0x90, 0x62, 0x63]);

/** The script templates of one phase, in the order the issuer sent them. */
export function scriptsOfPhase(scripts: Buffer, phase: ScriptPhase): TlvNode[] {
  return parseTlv(scripts).filter((node) => node.tag === phase);
}

function result(status: number, sequence: number, id: Buffer | undefined): Buffer {
  const identifier = id?.length === 4 ? id : Buffer.alloc(4);
  return Buffer.concat([Buffer.from([status | Math.min(sequence, MAX_SEQUENCE)]), identifier]);
}

async function runScript(card: CardChannel, script: TlvNode, log: Logger): Promise<Buffer> {
  const children = script.children ?? [];
  const id = children.find((node) => node.tag === '9F18')?.value;
  const commands = children.filter((node) => node.tag === '86');
  if (children.some((node) => node.tag !== '9F18' && node.tag !== '86')) {
    return result(FAILED, 0, id);
  }
  for (const [index, command] of commands.entries()) {
    const response = await send(card, command.value, 'ISSUER SCRIPT COMMAND', log);
    if (!CONTINUE_SW1.has(response.sw1)) {
      log.debug({ sequence: index + 1, sw: swHex(response.sw) }, 'issuer script command failed');
      return result(FAILED, index + 1, id);
    }
  }
  return result(PERFORMED, 0, id);
}

/**
 * Runs the scripts of one phase; sets TSI "script processing performed" when any is run and
 * TVR "script processing failed" (before or after the final GENERATE AC) when one fails.
 * Returns the Issuer Script Results of the phase.
 */
export async function processScripts(
  card: CardChannel, scripts: Buffer, phase: ScriptPhase,
  status: { tvr: BitField; tsi: BitField }, log: Logger,
): Promise<Buffer> {
  const failedBit = phase === '71' ? TVR.SCRIPT_FAILED_BEFORE_FINAL_AC
    : TVR.SCRIPT_FAILED_AFTER_FINAL_AC;
  let templates: TlvNode[];
  try {
    templates = scriptsOfPhase(scripts, phase);
  } catch (err) {
    if (!(err instanceof TlvError)) throw err;
    log.debug({ err }, 'issuer scripts malformed; none run');
    status.tvr.set(failedBit);
    return Buffer.alloc(0);
  }

  const results: Buffer[] = [];
  for (const template of templates) {
    status.tsi.set(TSI.SCRIPT_PROCESSING_PERFORMED);
    const outcome = await runScript(card, template, log);
    if ((outcome[0]! & 0xf0) !== PERFORMED) status.tvr.set(failedBit);
    results.push(outcome);
  }
  return Buffer.concat(results);
}
