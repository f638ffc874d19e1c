import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log';
import { generateAc, parseGenerateAcResponse } from '../../src/emv/generate-ac';
import { hex, ScriptedCard } from './support/scripted-card';

// First GENERATE AC answer of the emvpt trace: CID 80, ATC 00F3, AC, Visa IAD.
const FORMAT_1 = hex('8012 80 00F3 B0189101D11416C1 06010A03A4A002');

describe('parseGenerateAcResponse', () => {
  it('reads format 1: CID, ATC, cryptogram, IAD', () => {
    const answer = parseGenerateAcResponse(FORMAT_1);
    expect(answer.type).toBe('ARQC');
    expect(answer.cid).toBe(0x80);
    expect(answer.atc).toEqual(hex('00F3'));
    expect(answer.cryptogram).toEqual(hex('B01891 01D11416C1'));
    expect(answer.iad).toEqual(hex('06010A03A4A002'));
    expect(answer.tags['9F10']).toEqual(answer.iad);
  });

  it('reads format 2 in any order, IAD optional', () => {
    const answer = parseGenerateAcResponse(hex(
      '7714 9F3602 0001 9F2608 1122334455667788 9F2701 40',
    ));
    expect(answer).toMatchObject({ type: 'TC', cid: 0x40, iad: undefined });
    expect(answer.atc).toEqual(hex('0001'));
  });

  it('refuses short, reserved or incomplete answers', () => {
    expect(() => parseGenerateAcResponse(hex('800A 80 0001 11223344556677'))).toThrow(/length/);
    expect(() => parseGenerateAcResponse(hex('800B C0 0001 1122334455667788')))
      .toThrow(/reserved/);
    expect(() => parseGenerateAcResponse(hex('770B 9F2608 1122334455667788')))
      .toThrow(expect.objectContaining({ code: 'CARD_DATA_MISSING' }));
    expect(() => parseGenerateAcResponse(hex('770C 9F2701 80 9F3601 01 9F2601 11')))
      .toThrow(/9F36 is 1 bytes/);
  });
});

describe('generateAc', () => {
  const AAC = '8012 00 0002 1122334455667788 06010A03A00000';

  it('accepts a more cautious type than asked (AAC for a TC)', async () => {
    const card = new ScriptedCard([['80AE4000 02 0102 00', `${AAC}9000`]]);
    const answer = await generateAc(card, 'TC', hex('0102'), true, silentLogger);
    expect(answer.type).toBe('AAC');
  });

  it('refuses an ARQC to the second GENERATE AC', async () => {
    const arqc = AAC.replace('8012 00', '8012 80');
    const card = new ScriptedCard([['80AE4000 02 0102 00', `${arqc}9000`]]);
    await expect(generateAc(card, 'TC', hex('0102'), true, silentLogger))
      .rejects.toMatchObject({ code: 'CARD_STATUS', detail: { answered: 'ARQC' } });
  });

  it('refuses a TC to an AAC request', async () => {
    const tc = AAC.replace('8012 00', '8012 40');
    const card = new ScriptedCard([['80AE0000 02 0102 00', `${tc}9000`]]);
    await expect(generateAc(card, 'AAC', hex('0102'), true, silentLogger))
      .rejects.toMatchObject({ code: 'CARD_STATUS', detail: { requested: 'AAC' } });
  });

  it('raises CARD_STATUS on a refusal, naming the command', async () => {
    const card = new ScriptedCard([['80AE8000 02 0102 00', '6985']]);
    await expect(generateAc(card, 'ARQC', hex('0102'), false, silentLogger))
      .rejects.toMatchObject({ detail: { command: 'GENERATE AC (first)', sw: '6985' } });
  });
});
