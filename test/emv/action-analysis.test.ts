import { describe, expect, it } from 'vitest';
import {
  canGoOnline, firstAcDecision, issuerActionCodes, tacFromHex, unableOnlineDecision,
} from '../../src/emv/action-analysis';
import { hex } from './support/scripted-card';

/**
 * Terminal action analysis, EMV Book 3 10.7: (TAC | IAC) AND TVR for denial, then online,
 * then default. The codes below are the Visa TACs of config/default.yaml and the IACs of
 * config/cards/visa-cvn10.yaml.
 */
const TAC = tacFromHex({ denial: '0010000000', online: 'DC4004F800', default: 'DC4000A800' });
const IAC = { default: hex('D84000A800'), denial: hex('0010000000'), online: hex('D84004F800') };
const NONE = { denial: hex('0000000000'), online: hex('0000000000'), default: hex('0000000000') };

describe('first GENERATE AC (Book 3 10.7)', () => {
  it('TVR byte 2 b5 "service not allowed" matches TAC/IAC denial: AAC', () => {
    expect(firstAcDecision(hex('0010000000'), TAC, IAC, true))
      .toEqual({ type: 'AAC', reason: 'denial' });
  });

  it('TVR byte 1 b8 "ODA not performed" matches online: ARQC on an online-capable terminal',
    () => {
      expect(firstAcDecision(hex('8000000000'), TAC, IAC, true))
        .toEqual({ type: 'ARQC', reason: 'online' });
    });

  it('TVR byte 4 b8 "floor limit exceeded" matches online: ARQC', () => {
    expect(firstAcDecision(hex('0000008000'), TAC, NONE, true).type).toBe('ARQC');
  });

  it('no TVR bit in any code: TC (approve offline)', () => {
    expect(firstAcDecision(hex('0000000000'), TAC, IAC, true))
      .toEqual({ type: 'TC', reason: 'no-match' });
    // TVR byte 2 b8 "different versions" is in none of these codes.
    expect(firstAcDecision(hex('0080000000'), TAC, IAC, true).type).toBe('TC');
  });

  it('an offline-only terminal uses the default codes: a match declines', () => {
    expect(firstAcDecision(hex('8000000000'), TAC, IAC, false))
      .toEqual({ type: 'AAC', reason: 'default' });
    expect(firstAcDecision(hex('0000000000'), TAC, IAC, false).type).toBe('TC');
  });

  it('absent IACs: denial all zeros, online and default all ones (Book 3 10.7)', () => {
    const absent = issuerActionCodes({});
    expect(absent.denial).toEqual(hex('0000000000'));
    expect(absent.online).toEqual(hex('FFFFFFFFFF'));
    expect(absent.default).toEqual(hex('FFFFFFFFFF'));
    // Any TVR bit then sends online, even one no TAC names (byte 2 b8).
    expect(firstAcDecision(hex('0080000000'), NONE, absent, true).type).toBe('ARQC');
    // ... and nothing is declined by the absent IAC-denial.
    expect(firstAcDecision(hex('0010000000'), NONE, absent, true).type).toBe('ARQC');
  });
});

describe('unable to go online (Book 3 10.7, Book 4 6.3.6)', () => {
  it('a TVR bit in TAC/IAC default: AAC with ARC Z3', () => {
    const decision = unableOnlineDecision(hex('8000000000'), TAC, IAC);
    expect(decision.type).toBe('AAC');
    expect(decision.arc.toString('latin1')).toBe('Z3');
  });

  it('none: TC with ARC Y3', () => {
    const decision = unableOnlineDecision(hex('0000001000'), TAC, IAC);
    expect(decision.type).toBe('TC');
    expect(decision.arc.toString('latin1')).toBe('Y3');
  });
});

describe('terminal type (Book 4 annex A1)', () => {
  it('tells online-capable terminals from offline-only ones', () => {
    for (const type of ['11', '12', '14', '15', '21', '22', '24', '25']) {
      expect(canGoOnline(hex(type)), type).toBe(true);
    }
    for (const type of ['13', '16', '23', '26']) expect(canGoOnline(hex(type)), type).toBe(false);
  });
});
