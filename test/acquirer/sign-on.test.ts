import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { AcquirerLink } from '../../src/acquirer/link';
import { buildPurchase, readPurchaseResponse } from '../../src/acquirer/messages';
import { NetworkSession } from '../../src/acquirer/sign-on';
import { startAcquirerSimulator, type AcquirerSimulator }
  from '../../src/acquirer/simulator/server';
import { QuayError } from '../../src/errors';
import { loadLayout } from '../../src/iso8583/layouts';
import { checkValueHex } from '../../src/keys/check-value';
import { combineComponents, parseComponent } from '../../src/keys/components';
import { openTerminalKeys, TerminalKeyStore } from '../../src/keys/terminal-keys';
import { loadTmk } from '../../src/cli/sign-on';
import { testConfig } from '../support/app-config';
import { CVN10_CARD, purchase, simulatorConfig } from './support';
import { rejection } from '../support/rejection';

/** Test TMK of terminal QUAY0001, as the simulator config and quay's key store hold it. */
const TMK = '0F1E2D3C4B5A69788796A5B4C3D2E1F0';
const layout = loadLayout('pos-bcd');

let dir: string;
let sim: AcquirerSimulator;
let link: AcquirerLink;
let started = false;
let keys: TerminalKeyStore;
let stan: number;

async function startSim(extra: Record<string, unknown> = {}): Promise<void> {
  sim = await startAcquirerSimulator(simulatorConfig({
    terminals: [{ terminalId: 'QUAY0001', tmk: TMK }], ...extra }));
  link = new AcquirerLink({ host: sim.host, port: sim.port, layout, tpdu: '6000010000',
    connectTimeoutMs: 2_000, responseTimeoutMs: 2_000,
    mac: { profile: layout.mac!, key: () => keys.key('mac') } });
  started = true;
}

function session(): NetworkSession {
  return new NetworkSession({ acquirer: link, layout, keys, terminalId: 'QUAY0001', nii: '001',
    nextStan: () => (stan += 1) });
}

async function pay(n: number): Promise<string> {
  const { request } = purchase(CVN10_CARD, 150_000, n);
  return readPurchaseResponse(await link.exchange(buildPurchase(request))).responseCode;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'quay-sign-on-'));
  keys = new TerminalKeyStore(join(dir, 'terminal-keys.json'), randomBytes(32));
  stan = 100;
});

afterEach(async () => {
  if (!started) return;
  started = false;
  await link.close();
  await sim.close();
});

describe('sign-on and key exchange with the bank simulator', () => {
  it('sends nothing without a master key (KEY_MISSING)', async () => {
    await startSim();
    const err = await rejection(session().signOn());
    expect(err.code).toBe('KEY_MISSING');
    expect(sim.journal).toHaveLength(0);
  });

  it('installs the MAC key the bank sent under the TMK: the KCVs match', async () => {
    await startSim();
    keys.setMasterKey(Buffer.from(TMK, 'hex'));
    const result = await session().signOn();
    const bankKey = sim.macKey('QUAY0001')!;
    expect(result).toEqual({ responseCode: '00', macKeyKcv: checkValueHex(bankKey) });
    expect(keys.checkValues().mac?.kcv).toBe(checkValueHex(bankKey));
    expect(keys.key('mac')).toEqual(bankKey);
    expect(sim.journal.map((e) => [e.mti, e.stan, e.decision?.responseCode])).toEqual([
      ['0800', '000101', '00'], ['0800', '000102', '00']]);
    // The key file is the owner's only and holds the keys sealed, never in clear.
    const file = readFileSync(keys.path, 'utf8');
    expect(statSync(keys.path).mode & 0o777).toBe(0o600);
    expect(file.toUpperCase()).not.toContain(bankKey.toString('hex').toUpperCase());
    expect(file.toUpperCase()).not.toContain(TMK);
    expect(await pay(7)).toBe('00');
  });

  it('keeps the old key when the new one fails its check value (KEY_CHECK_FAILED)',
    async () => {
      await startSim();
      keys.setMasterKey(Buffer.from(TMK, 'hex'));
      const first = await session().signOn();
      // A wrong TMK opens the key block to another key, whose KCV is not the one sent.
      keys.setMasterKey(Buffer.from('00112233445566778899AABBCCDDEEFF', 'hex'));
      const err = await rejection(session().exchangeKeys());
      expect(err.code).toBe('KEY_CHECK_FAILED');
      expect(keys.checkValues().mac?.kcv).toBe(first.macKeyKcv);
      expect(checkValueHex(sim.macKey('QUAY0001')!)).not.toBe(first.macKeyKcv);
      // The bank still takes the key before its last exchange, and goes back to it.
      expect(await pay(8)).toBe('00');
      expect(checkValueHex(sim.macKey('QUAY0001')!)).toBe(first.macKeyKcv);
      keys.setMasterKey(Buffer.from(TMK, 'hex'));
      const again = await session().exchangeKeys();
      expect(again.macKeyKcv).not.toBe(first.macKeyKcv);
      expect(await pay(9)).toBe('00');
    });

  it('keeps the terminals\' MAC keys in its key file across its own restart', async () => {
    const keyFile = join(dir, 'sim', 'sim-keys.json');
    await startSim({ keyFile });
    keys.setMasterKey(Buffer.from(TMK, 'hex'));
    const { macKeyKcv } = await session().signOn();
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    await link.close();
    await sim.close();
    await startSim({ keyFile });
    expect(checkValueHex(sim.macKey('QUAY0001')!)).toBe(macKeyKcv);
    expect(await pay(10)).toBe('00');
  });
});

describe('terminal master key from components', () => {
  const c1 = '0123456789ABCDEFFEDCBA9876543210';
  const c2 = 'FEDCBA98765432100123456789ABCDEF';

  it('combines components checked by their KCVs into their XOR', () => {
    const kcv1 = checkValueHex(Buffer.from(c1, 'hex'));
    const kcv2 = checkValueHex(Buffer.from(c2, 'hex'));
    const key = combineComponents([parseComponent(`${c1}:${kcv1}`, 0),
      parseComponent(`${c2}:${kcv2}`, 1)]);
    expect(key.toString('hex').toUpperCase()).toBe('FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF');
    expect(keys.setMasterKey(key, checkValueHex(key))).toBe(checkValueHex(key));
  });

  it('loads the TMK from components for the configured data folder (quay keys load-tmk)',
    () => {
      const loaded = testConfig();
      const kcv = (c: string) => checkValueHex(Buffer.from(c, 'hex'));
      const whole = 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF';
      expect(() => loadTmk(loaded, { components: [c1, c2] }))
        .toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
      const store = openTerminalKeys(loaded.resolvePath(loaded.config.dataDir));
      expect(store.checkValues()).toEqual({});
      expect(loadTmk(loaded, { components: [`${c1}:${kcv(c1)}`, `${c2}:${kcv(c2)}`],
        kcv: kcv(whole) })).toBe(kcv(whole));
      expect(store.key('master')).toEqual(Buffer.from(whole, 'hex'));
    });

  it('names the component whose KCV does not match, and refuses a key with another KCV', () => {
    const err = (() => {
      try {
        combineComponents([parseComponent(c1, 0), parseComponent(`${c2}:000000`, 1)]);
      } catch (e) {
        return e as QuayError;
      }
      throw new Error('combined');
    })();
    expect([err.code, err.detail.component]).toEqual(['KEY_CHECK_FAILED', 2]);
    expect(() => keys.setMasterKey(Buffer.from(c1, 'hex'), 'ABCDEF'))
      .toThrow(expect.objectContaining({ code: 'KEY_CHECK_FAILED' }));
    expect(keys.checkValues()).toEqual({});
    expect(() => parseComponent('0123', 0)).toThrow(expect.objectContaining({
      code: 'KEY_INVALID' }));
  });
});

describe('quay keys load-tmk, quay sign-on, quay keys show', () => {
  const run = promisify(execFile);
  const QUAY = new URL('../../bin/quay', import.meta.url).pathname;
  const EXAMPLES = new URL('../../config/examples/', import.meta.url).pathname;

  it('print check values, never a key', async () => {
    const work = mkdtempSync(join(tmpdir(), 'quay-sign-on-cli-'));
    const simConfig = parseYaml(readFileSync(`${EXAMPLES}acquirer-sim-mac.yaml`, 'utf8'));
    writeFileSync(join(work, 'sim.yaml'), stringifyYaml({ ...simConfig,
      keyFile: join(work, 'sim-keys.json') }));
    const raw = parseYaml(readFileSync(`${EXAMPLES}mac-rehearsal.yaml`, 'utf8'));
    const configPath = join(work, 'quay.yaml');
    writeFileSync(configPath, stringifyYaml({ ...raw, dataDir: join(work, 'data'),
      cardReader: { kind: 'in-process', card: `${EXAMPLES}../cards/visa-cvn10.yaml` },
      emv: { ...raw.emv, caKeys: { dir: `${EXAMPLES}../capk`, allowTest: true } },
      host: { ...raw.host, simulatorConfig: join(work, 'sim.yaml') } }));
    const quay = (...args: string[]) => run(QUAY, ['--config', configPath, ...args]);

    const loaded = await quay('keys', 'load-tmk', '--from-simulator');
    const tmkKcv = checkValueHex(Buffer.from(TMK, 'hex'));
    expect(loaded.stdout).toContain(`Terminal master key loaded: KCV ${tmkKcv}`);
    const signed = await quay('sign-on', '--json');
    const result = JSON.parse(signed.stdout) as { responseCode: string; macKeyKcv: string };
    const bankKeys = JSON.parse(readFileSync(join(work, 'sim-keys.json'), 'utf8')) as
      Record<string, { mac: string }>;
    const macKey = bankKeys.QUAY0001!.mac;
    expect(result).toEqual({ responseCode: '00',
      macKeyKcv: checkValueHex(Buffer.from(macKey, 'hex')) });
    const shown = await quay('keys', 'show');
    expect(shown.stdout).toMatch(new RegExp(`master key: KCV ${tmkKcv} .*\\n.*MAC key: KCV `
      + `${result.macKeyKcv} `));
    for (const out of [loaded, signed, shown]) {
      expect(`${out.stdout}${out.stderr}`.toUpperCase()).not.toContain(TMK);
      expect(`${out.stdout}${out.stderr}`.toUpperCase()).not.toContain(macKey);
    }
  }, 60_000);
});
