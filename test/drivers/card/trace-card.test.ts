import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exchange } from '../../../drivers/card/apdu';
import { TraceCard } from '../../../drivers/card/virtual/trace-card';
import { ConfigError } from '../../../src/errors';

const FIXTURES = join(import.meta.dirname, '../../fixtures/cards');
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const send = (card: TraceCard, command: string): string =>
  card.process(hex(command)).toString('hex').toUpperCase();

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('TraceCard matching', () => {
  it('matches header and data for SELECT, ignoring Le', () => {
    const card = TraceCard.fromYaml(`
- req: '00 A4 04 00 07 A0 00 00 00 03 10 10 00'
  res: '6F 00 90 00'
`);
    expect(send(card, '00A4040007A0000000041010 00')).toBe('6A82');
    expect(send(card, '00A4040007A0000000031010')).toBe('6F009000');
    expect(card.ended).toBe(true);
  });

  it('matches READ RECORD by header and (empty) data, whatever the Le', () => {
    const card = TraceCard.fromYaml(`
- req: '00 B2 01 0C 00'
  res: '70 00 90 00'
`);
    expect(send(card, '00B2020C00')).toBe('6D00');
    expect(send(card, '00B2010C37')).toBe('70009000');
  });

  it('compares only the header for other commands', () => {
    const card = TraceCard.fromYaml(`
- req: '80 AE 80 00 02 11 22 00'
  res: '90 00'
`);
    expect(send(card, '80AE4000021122 00')).toBe('6D00');
    expect(send(card, '80AE800003AABBCC00')).toBe('9000');
  });

  it('lets a four-byte req match any command with that header, SELECT included', () => {
    const card = TraceCard.fromYaml(`
- req: '00 A4 04 00'
  res: '61 10'
- req: '80 A8 00 00'
  res: '80 02 00 00 90 00'
`);
    expect(send(card, '00A4040005A00000000300')).toBe('6110');
    expect(send(card, '80A8000002830000')).toBe('800200009000');
  });

  it('lets req: any match anything', () => {
    const card = TraceCard.fromYaml(`
- req: any
  res: '90 00'
`);
    expect(send(card, '00840000 08')).toBe('9000');
    expect(card.ended).toBe(true);
  });

  it('skips an optional step that does not match and tries the next one', () => {
    const card = TraceCard.fromYaml(`
- req: '80 CA 9F 36 05'
  res: '9F 36 02 00 F0 90 00'
  optional: true
- req: '80 A8 00 00 02 83 00'
  res: '80 06 00 00 90 00'
`);
    expect(send(card, '80A8000002830000')).toBe('800600009000');
    expect(card.ended).toBe(true);
  });

  it('takes an optional step when it matches', () => {
    const card = TraceCard.fromYaml(`
- req: '80 CA 9F 36 05'
  res: '9F 36 02 00 F0 90 00'
  optional: true
- req: '80 A8 00 00'
  res: '90 00'
`);
    expect(send(card, '80CA9F3600')).toBe('9F360200F09000');
    expect(card.nextStep).toBe(1);
  });

  it('answers unmatched commands by kind and keeps its place', () => {
    const card = TraceCard.fromYaml(`
- req: '00 B2 01 0C 00'
  res: '70 00 90 00'
`);
    expect(send(card, '00A4040005A00000000300')).toBe('6A82');
    expect(send(card, '80CA9F1700')).toBe('6A88');
    expect(send(card, '80AE800000')).toBe('6D00');
    expect(card.nextStep).toBe(0);
    expect(send(card, '00B2010C00')).toBe('70009000');
  });

  it('answers 6F00 after the last step and says it ended', () => {
    const card = TraceCard.fromYaml(`
- req: any
  res: '90 00'
`);
    expect(card.ended).toBe(false);
    send(card, '00A4040000');
    expect(card.ended).toBe(true);
    expect(send(card, '00A4040000')).toBe('6F00');
    expect(card.exchanges.map((e) => e.step)).toEqual([0, -1]);
  });

  it('starts again on power-on', () => {
    const card = TraceCard.fromYaml(`
- req: any
  res: '90 00'
`);
    send(card, '00A4040000');
    card.powerOn();
    expect(card.ended).toBe(false);
    expect(send(card, '00A4040000')).toBe('9000');
  });
});

describe('TraceCard with the shared traces', () => {
  it('replays the PSE fallback trace through exchange() with 6Cxx handling', async () => {
    const card = TraceCard.fromFile(join(FIXTURES, 'devnied-ppse-fallback.yaml'));
    const session = { transmit: async (c: Buffer) => card.process(c) };
    const pse = await exchange(session, hex('00A404000E315041592E5359532E444446303100'));
    expect(pse.sw).toBe(0x6700);
    expect((await exchange(session, hex('00A4040005A00000000300'))).sw).toBe(0x9000);
    expect((await exchange(session, hex('00A4040205A00000000300'))).sw).toBe(0x6a82);
    expect((await exchange(session, hex('00A4040007A000000003101000'))).sw).toBe(0x9000);
    const gpo = await exchange(session, hex('80A8000023832100000000'));
    expect(gpo.data.toString('hex').toUpperCase()).toBe('80067C0008010100');
    const record = await exchange(session, hex('00B2010C00'));
    expect(record.sw).toBe(0x9000);
    expect(record.data.subarray(0, 4).toString('hex').toUpperCase()).toBe('70355713');
    expect(card.ended).toBe(true);
  });

  it('replays the emvpt trace, GET RESPONSE included, skipping its optional GET DATA', async () => {
    const card = TraceCard.fromFile(join(FIXTURES, 'emvpt-contact-dda.yaml'));
    const session = { transmit: async (c: Buffer) => card.process(c) };
    const pse = await exchange(session, hex('00A404000E315041592E5359532E444446303100'));
    expect(pse.data.length).toBe(0x2e);
    expect(pse.data.subarray(0, 2).toString('hex').toUpperCase()).toBe('6F2C');
    const dir = await exchange(session, hex('00B2010C00'));
    expect(dir.data.length).toBe(0x32);
    await exchange(session, hex('00B2020C00'));
    await exchange(session, hex('00A4040007AFFFFFFFFF123400'));
    const gpo = await exchange(session, hex('80A80000028300 00'));
    expect(gpo.data.subarray(0, 2).toString('hex').toUpperCase()).toBe('800E');
  });

  it('loads every shared trace', () => {
    for (const name of ['devnied-cobadge-locked', 'devnied-ppse-fallback', 'emvpt-contact-dda']) {
      expect(TraceCard.fromFile(join(FIXTURES, `${name}.yaml`)).steps.length).toBeGreaterThan(2);
    }
  });
});

describe('TraceCard file errors', () => {
  it('names the line and step of a bad hex value', () => {
    const err = configError(() => TraceCard.fromYaml(`- req: '00 A4 04 00'
  res: '90 00'
- req: '00 B2 01 0C 00'
  res: '90 0'
`, { source: 'bad.yaml' }));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain('bad.yaml:4');
    expect(err.message).toContain('step 2');
    expect(err.detail).toMatchObject({ step: 2, field: 'res', line: 4 });
  });

  it('refuses unknown keys, missing res, unquoted hex, short req and bad Lc', () => {
    expect(configError(() => TraceCard.fromYaml("- req: any\n  res: '9000'\n  opt: true\n"))
      .message).toMatch(/unknown key 'opt'/);
    expect(configError(() => TraceCard.fromYaml("- req: '00A40400'\n")).message)
      .toMatch(/res is missing/);
    expect(configError(() => TraceCard.fromYaml("- req: '00A40400'\n  res: 9000\n")).message)
      .toMatch(/quoted hex/);
    expect(configError(() => TraceCard.fromYaml("- req: '00A404'\n  res: '9000'\n")).message)
      .toMatch(/four header bytes/);
    expect(configError(() => TraceCard.fromYaml("- req: '00A4040005A000'\n  res: '9000'\n"))
      .message).toMatch(/Lc/);
    expect(configError(() => TraceCard.fromYaml("- req: any\n  res: '90'\n")).message)
      .toMatch(/status word/);
  });

  it('refuses a file that is not a list, and YAML syntax errors with their line', () => {
    expect(configError(() => TraceCard.fromYaml('req: any\n')).message).toMatch(/list of steps/);
    const err = configError(() => TraceCard.fromYaml("- req: any\n  res: '9000\n", {
      source: 't.yaml',
    }));
    expect(err.message).toMatch(/^t\.yaml:\d+: YAML syntax/);
  });

  it('says which file cannot be read', () => {
    expect(configError(() => TraceCard.fromFile('/nonexistent/trace.yaml')).message)
      .toContain('/nonexistent/trace.yaml');
  });
});
