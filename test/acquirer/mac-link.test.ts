import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { startApp, type App } from '../../src/app';
import { signOn, loadTmk } from '../../src/cli/sign-on';
import { fromObject, type LoadedConfig } from '../../src/config/load';
import { checkValueHex } from '../../src/keys/check-value';
import { silentLogger } from '../../src/log';
import { AcquirerLink } from '../../src/acquirer/link';
import { encodeFrame, FrameDecoder, type Frame } from '../../src/acquirer/framing';
import { buildPurchase, readPurchaseResponse } from '../../src/acquirer/messages';
import { NetworkSession } from '../../src/acquirer/sign-on';
import { startAcquirerSimulator, type AcquirerSimulator }
  from '../../src/acquirer/simulator/server';
import { loadLayout } from '../../src/iso8583/layouts';
import { applyMac, verifyMac } from '../../src/iso8583/mac';
import type { MacProfile } from '../../src/iso8583/mac-profile';
import { fieldText } from '../../src/iso8583/message';
import { pack } from '../../src/iso8583/pack';
import { TerminalKeyStore } from '../../src/keys/terminal-keys';
import { CVN10_CARD, CVN10_PAN, purchase, simulatorConfig } from './support';
import { rejection } from '../support/rejection';

const TMK = '0F1E2D3C4B5A69788796A5B4C3D2E1F0';
const TPDU = '6000010000';
const layout = loadLayout('pos-bcd');
const RETAIL: MacProfile = { field: 64, algorithm: 'iso9797-1-alg3', padding: 'zero',
  covers: 'mti-to-before-mac' };

let sim: AcquirerSimulator | undefined;
let link: AcquirerLink | undefined;

afterEach(async () => {
  await link?.close();
  await sim?.close();
  link = undefined;
  sim = undefined;
});

interface Rig {
  sim: AcquirerSimulator;
  link: AcquirerLink;
  keys: TerminalKeyStore;
}

/** A bank simulator that knows QUAY0001's TMK, and a link signed on to it. */
async function signedOn(bankMac: MacProfile = RETAIL, quayMac: MacProfile = RETAIL,
  signOn = true): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'quay-mac-'));
  const keys = new TerminalKeyStore(join(dir, 'terminal-keys.json'), randomBytes(32));
  keys.setMasterKey(Buffer.from(TMK, 'hex'));
  sim = await startAcquirerSimulator(simulatorConfig({ mac: bankMac,
    terminals: [{ terminalId: 'QUAY0001', tmk: TMK }] }));
  link = new AcquirerLink({ host: sim.host, port: sim.port, layout, tpdu: TPDU,
    connectTimeoutMs: 2_000, responseTimeoutMs: 2_000,
    mac: { profile: quayMac, key: () => keys.key('mac') } });
  if (signOn) {
    let stan = 500;
    await new NetworkSession({ acquirer: link, layout, keys, terminalId: 'QUAY0001',
      nii: '001', nextStan: () => (stan += 1) }).signOn();
  }
  return { sim, link, keys };
}

/** Sends one frame on a bare socket and returns the first frame that comes back. */
function rawExchange(port: number, frame: Buffer): Promise<Frame> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(frame));
    const decoder = new FrameDecoder({ tpdu: true });
    socket.on('data', (chunk: Buffer) => {
      const [first] = decoder.push(chunk);
      if (first) {
        socket.destroy();
        resolve(first);
      }
    });
    socket.on('error', reject);
  });
}

describe('MAC on the bank link, with the simulator over TCP', () => {
  it('MACs the 0200 so that the bank verifies it, and verifies the bank\'s 0210', async () => {
    const rig = await signedOn();
    const { request } = purchase(CVN10_CARD, 150_000, 11);
    const reply = await rig.link.exchange(buildPurchase(request));
    expect(readPurchaseResponse(reply).responseCode).toBe('00');
    const entry = rig.sim.journal.at(-1)!;
    expect([entry.mti, entry.fields.at(-1), entry.decision?.responseCode])
      .toEqual(['0200', 64, '00']);
    // The answer's MAC is the retail MAC of its bytes up to field 64 under the shared key.
    const key = rig.sim.macKey('QUAY0001')!;
    expect(key).toEqual(rig.keys.key('mac'));
    expect(Buffer.isBuffer(reply.fields.get(64))).toBe(true);
    expect(() => verifyMac(pack(reply, layout), layout, RETAIL, key)).not.toThrow();
    expect(() => verifyMac(pack(reply, layout), layout, RETAIL, randomBytes(16))).toThrow();
    expect(rig.sim.isApproved('QUAY0001', '000011')).toBe(true);
  });

  it('fails MAC_INVALID, maybe delivered, when the bank\'s answer has a wrong MAC', async () => {
    const rig = await signedOn();
    expect(rig.sim.control({ cmd: 'rule', pan: CVN10_PAN, fault: 'wrong-mac', count: 1 }))
      .toMatchObject({ ok: true });
    const { request } = purchase(CVN10_CARD, 150_000, 12);
    const err = await rejection(rig.link.exchange(buildPurchase(request)));
    expect([err.code, err.detail.maybeDelivered, err.detail.field])
      .toEqual(['MAC_INVALID', true, 64]);
    expect(rig.sim.journal.at(-1)).toMatchObject({ mti: '0200', fault: 'wrong-mac',
      decision: { responseCode: '00' } });
    // The bank approved what the terminal cannot trust: it stands until reversed.
    expect(rig.sim.isApproved('QUAY0001', '000012')).toBe(true);
  });

  it('is refused 63 by the bank for a request MACed under another key', async () => {
    const rig = await signedOn();
    const { request } = purchase(CVN10_CARD, 150_000, 13);
    const { packed } = applyMac(buildPurchase(request), layout, RETAIL, randomBytes(16));
    const frame = await rawExchange(rig.sim.port, encodeFrame(packed,
      Buffer.from(TPDU, 'hex')));
    // The refusal is itself MACed under the terminal's real key.
    const answer = verifyMac(frame.message, layout, RETAIL, rig.sim.macKey('QUAY0001')!);
    expect([answer.mti, fieldText(answer, 11), fieldText(answer, 39)])
      .toEqual(['0210', '000013', '63']);
    expect(rig.sim.journal.at(-1)?.decision).toEqual({ responseCode: '63',
      reason: 'MAC does not verify' });
    expect(rig.sim.isApproved('QUAY0001', '000013')).toBe(false);
    expect(rig.sim.ledger.approvals().map((a) => a.stan)).not.toContain('000013');
  });

  it('sends nothing without a MAC key (KEY_MISSING, not delivered)', async () => {
    const rig = await signedOn(RETAIL, RETAIL, false);
    const { request } = purchase(CVN10_CARD, 150_000, 14);
    const err = await rejection(rig.link.exchange(buildPurchase(request)));
    expect([err.code, err.detail.maybeDelivered]).toEqual(['KEY_MISSING', false]);
    expect(rig.sim.journal).toHaveLength(0);
  });

  it('follows the profile\'s algorithm: alg 1 on both sides works, alg 3 against alg 1 does not',
    async () => {
      const alg1: MacProfile = { ...RETAIL, algorithm: 'iso9797-1-alg1', padding: 'iso2' };
      const rig = await signedOn(alg1, alg1);
      const { request } = purchase(CVN10_CARD, 150_000, 15);
      expect(readPurchaseResponse(await rig.link.exchange(buildPurchase(request))).responseCode)
        .toBe('00');
      await rig.link.close();
      const mismatched = new AcquirerLink({ host: rig.sim.host, port: rig.sim.port, layout,
        tpdu: TPDU, connectTimeoutMs: 2_000, responseTimeoutMs: 2_000,
        mac: { profile: RETAIL, key: () => rig.keys.key('mac') } });
      link = mismatched;
      const err = await rejection(mismatched.exchange(buildPurchase(
        purchase(CVN10_CARD, 150_000, 16).request)));
      // The bank refuses 63 under its alg 1 MAC, which fails quay's alg 3 check.
      expect(err.code).toBe('MAC_INVALID');
      expect(rig.sim.journal.at(-1)?.decision?.responseCode).toBe('63');
    });
});

describe('MAC from the host profile in config (config/examples/mac-rehearsal.yaml)', () => {
  const EXAMPLES = new URL('../../config/examples/', import.meta.url).pathname;
  const apps: App[] = [];

  afterEach(async () => {
    while (apps.length > 0) await apps.pop()!.close();
  });

  /** The example with its data folder and the simulator's key file in a temporary folder. */
  function rehearsal(): LoadedConfig {
    const dir = mkdtempSync(join(tmpdir(), 'quay-mac-e2e-'));
    const sim = parseYaml(readFileSync(`${EXAMPLES}acquirer-sim-mac.yaml`, 'utf8'));
    const simPath = join(dir, 'acquirer-sim.yaml');
    writeFileSync(simPath, stringifyYaml({ ...sim, keyFile: join(dir, 'sim-keys.json') }));
    const raw = parseYaml(readFileSync(`${EXAMPLES}mac-rehearsal.yaml`, 'utf8'));
    return fromObject({ ...raw, dataDir: join(dir, 'data'),
      host: { ...raw.host, simulatorConfig: simPath } }, `${EXAMPLES}mac-rehearsal.yaml`);
  }

  async function open(loaded: LoadedConfig): Promise<App> {
    const app = await startApp(loaded, { log: silentLogger, forward: false });
    apps.push(app);
    return app;
  }

  it('names the MAC of the example\'s bank', () => {
    expect(rehearsal().config.host.mac).toEqual(RETAIL);
  });

  it('fails KEY_MISSING with nothing sent, then signs on, pays with MACs, and reverses an '
    + 'answer whose MAC fails', async () => {
    const loaded = rehearsal();
    const before = await open(loaded);
    const refused = await before.terminal.pay({ amount: 150_000, reference: 'HS-MAC-1' });
    expect([refused.status, refused.reason?.code]).toEqual(['declined', 'KEY_MISSING']);
    expect(before.acquirerSimulator!.journal).toHaveLength(0);
    await before.close();
    apps.pop();

    const tmkKcv = loadTmk(loaded, { fromSimulator: true });
    expect(tmkKcv).toBe(checkValueHex(Buffer.from(TMK, 'hex')));
    const { macKeyKcv } = await signOn(loaded, silentLogger);

    const app = await open(loaded);
    const bank = app.acquirerSimulator!;
    expect(checkValueHex(bank.macKey('QUAY0001')!)).toBe(macKeyKcv);
    const paid = await app.terminal.pay({ amount: 150_000, reference: 'HS-MAC-2' });
    expect([paid.status, paid.responseCode]).toEqual(['approved', '00']);
    expect(bank.journal.map((e) => [e.mti, e.fields.at(-1), e.decision?.responseCode]))
      .toEqual([['0200', 64, '00']]);

    bank.control({ cmd: 'rule', fault: 'wrong-mac', count: 1 });
    const spoiled = await app.terminal.pay({ amount: 150_000, reference: 'HS-MAC-3' });
    expect(spoiled.status).toBe('reversed');
    expect(app.journal.get(spoiled.journalId)).toMatchObject({ error_code: 'MAC_INVALID' });
    expect(bank.journal.map((e) => [e.mti, e.stan, e.fault, e.decision?.responseCode]))
      .toEqual([
        ['0200', String(paid.stan).padStart(6, '0'), 'none', '00'],
        ['0200', String(spoiled.stan).padStart(6, '0'), 'wrong-mac', '00'],
        ['0400', String(spoiled.stan).padStart(6, '0'), 'none', '00'],
      ]);
    expect(bank.isApproved('QUAY0001', String(spoiled.stan).padStart(6, '0'))).toBe(false);
    expect(bank.isApproved('QUAY0001', String(paid.stan).padStart(6, '0'))).toBe(true);
  });

  it('refuses a MAC field the layout does not have, and a TPDU coverage without a TPDU', () => {
    const loaded = rehearsal();
    const raw = { ...loaded.config, dataDir: loaded.config.dataDir };
    const bad = (mac: Record<string, unknown>, tpdu?: string) => () => fromObject({ ...raw,
      host: { ...raw.host, tpdu, mac } }, `${EXAMPLES}mac-rehearsal.yaml`);
    expect(bad({ ...RETAIL, field: 128 }, TPDU)).toThrow(
      /host\.mac: the layout has no field 128 for the MAC \(layout pos-bcd\)/);
    expect(bad({ ...RETAIL, covers: 'tpdu-to-before-mac' })).toThrow(
      /host\.mac: the MAC covers the TPDU but no tpdu is set/);
    expect(bad({ ...RETAIL, algorithm: 'x9.19' }, TPDU)).toThrow(/host\.mac\.algorithm/);
  });
});
