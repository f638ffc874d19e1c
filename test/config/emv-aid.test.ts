import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_CONFIG_PATH, fromObject, loadConfig } from '../../src/config/load';
import { ConfigError } from '../../src/errors';

/** Per-AID terminal parameters (EMV Book 4 annex A) and their checks. */
function raw() {
  return parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));
}

function problems(config: unknown): string {
  try {
    fromObject(config, 'x.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('emv per-AID parameters', () => {
  it('the defaults carry version, TACs, floor limit and DDOL for each AID, NAPAS included', () => {
    const profile = loadConfig().config.emv;
    expect(profile).toMatchObject({
      countryCode: '0704', currencyCode: '0704', currencyExponent: 0, terminalType: '22',
      capabilities: 'E0F8C8', additionalCapabilities: '6000F0A001', purchaseOf: 'services',
      exceptionFile: [],
    });
    const visa = profile.aids.find((a) => a.aid === 'A0000000031010');
    expect(visa).toMatchObject({
      applicationVersion: '008C', floorLimit: 0, defaultDdol: '9F3704',
      tac: { denial: '0010000000', online: 'DC4004F800', default: 'DC4000A800' },
    });
    const napas = profile.aids.find((a) => a.aid === 'A0000007271010');
    expect(napas).toMatchObject({ label: 'NAPAS', partialMatch: true, floorLimit: 0 });
    expect(napas?.tac).toBeDefined();
    for (const aid of profile.aids) expect(aid.tac, aid.aid).toBeDefined();
  });

  it('refuses an AID without TACs and says what to add', () => {
    const config = raw();
    delete config.emv.aids[1].tac;
    expect(problems(config)).toMatch(
      /emv\.aids\.1\.tac: AID A0000000041010 has no terminal action codes: add tac: \{ denial/,
    );
  });

  it('refuses random selection whose threshold is not under the floor limit', () => {
    const config = raw();
    config.emv.aids[0].floorLimit = 500_000;
    config.emv.aids[0].randomSelection = { threshold: 500_000, targetPercent: 20,
      maxTargetPercent: 50 };
    expect(problems(config))
      .toMatch(/emv\.aids\.0\.randomSelection\.threshold: .*below floorLimit/);
  });

  it('refuses a maximum target percent under the target percent', () => {
    const config = raw();
    config.emv.aids[0].floorLimit = 500_000;
    config.emv.aids[0].randomSelection = { threshold: 100_000, targetPercent: 40,
      maxTargetPercent: 20 };
    expect(problems(config)).toMatch(/randomSelection\.maxTargetPercent: .*below targetPercent/);
  });

  it('checks TAC lengths and exception file entries', () => {
    const config = raw();
    config.emv.aids[0].tac.online = 'DC4004F8';
    config.emv.exceptionFile = ['4761739001010010', 'not a pan'];
    const message = problems(config);
    expect(message).toMatch(/emv\.aids\.0\.tac\.online: 5 bytes of hex/);
    expect(message).toMatch(/emv\.exceptionFile\.1: a PAN/);
  });

  it('hints at a misspelt per-AID key', () => {
    const config = raw();
    config.emv.aids[0].floorlimit = 1;
    expect(problems(config)).toMatch(/unknown key 'floorlimit' \(did you mean 'floorLimit'\?\)/);
  });
});
