import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log';
import { processScripts } from '../../src/emv/scripts';
import { encodeTlv as t } from '../../src/emv/tlv';
import { newTsi, newTvr } from '../../src/emv/tvr';
import { hex, ScriptedCard } from './support/scripted-card';

// PUT DATA and APPLICATION UNBLOCK style commands (contents do not matter to the terminal).
const PUT_DATA = '04DA9F580A 0102030405060708 AABB';
const UNBLOCK = '8418000008 1122334455667788';

function script(tag: '71' | '72', id: string | undefined, ...commands: string[]): Buffer {
  const parts = commands.map((c) => t('86', hex(c)));
  return t(tag, id === undefined ? parts : [t('9F18', hex(id)), ...parts]);
}

describe('processScripts', () => {
  it('runs the scripts of one phase in order and reports each', async () => {
    const scripts = Buffer.concat([
      script('71', '00000001', PUT_DATA, UNBLOCK),
      script('72', '00000002', UNBLOCK),
      script('71', undefined, UNBLOCK),
    ]);
    const card = new ScriptedCard([[PUT_DATA, '9000'], [UNBLOCK, '6283'], [UNBLOCK, '9000']]);
    const status = { tvr: newTvr(), tsi: newTsi() };
    const results = await processScripts(card, scripts, '71', status, silentLogger);
    expect(card.done).toBe(true);
    expect(results).toEqual(hex('2000000001 2000000000'));
    expect(status.tsi.value()).toEqual(hex('0400'));
    expect(status.tvr.value()).toEqual(hex('0000000000'));
  });

  it('stops a script at a failing command and sets the phase failure bit', async () => {
    const scripts = Buffer.concat([
      script('72', '0000000A', PUT_DATA, UNBLOCK, PUT_DATA), script('72', '0000000B', PUT_DATA),
    ]);
    const card = new ScriptedCard([[PUT_DATA, '9000'], [UNBLOCK, '6985'], [PUT_DATA, '9000']]);
    const status = { tvr: newTvr(), tsi: newTsi() };
    const results = await processScripts(card, scripts, '72', status, silentLogger);
    expect(card.done).toBe(true);
    expect(results).toEqual(hex('120000000A 200000000B'));
    expect(status.tvr.value()).toEqual(hex('0000000010'));
  });

  it('runs nothing from malformed scripts and records the failure', async () => {
    const card = new ScriptedCard([]);
    const status = { tvr: newTvr(), tsi: newTsi() };
    const results = await processScripts(card, hex('7105 8605 00A4'), '71', status, silentLogger);
    expect(results).toHaveLength(0);
    expect(status.tvr.value()).toEqual(hex('0000000020'));
  });

  it('fails a script holding something other than 9F18 and 86', async () => {
    const card = new ScriptedCard([]);
    const status = { tvr: newTvr(), tsi: newTsi() };
    const bad = t('71', [t('9F18', hex('00000003')), t('5A', hex('12'))]);
    expect(await processScripts(card, bad, '71', status, silentLogger))
      .toEqual(hex('1000000003'));
  });
});
