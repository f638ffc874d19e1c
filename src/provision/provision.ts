import { stringify } from 'yaml';
import { signOn } from '../cli/sign-on';
import { DEFAULT_CONFIG_PATH, fromObject, type LoadedConfig } from '../config/load';
import { loadCaKeys } from '../emv/oda/capk';
import { KeyError } from '../errors';
import { checkValueHex } from '../keys/check-value';
import { combineComponents, parseComponent } from '../keys/components';
import { openTerminalKeys } from '../keys/terminal-keys';
import { silentLogger, type Logger } from '../log';
import { installCaKeyFiles, verifyCaKeyFile } from './ca-keys';
import { mergeConfig, readBaseConfig, replaceFile } from './config-file';
import { injectPinPadKey } from './pinpad-key';
import type { ProvisionSpec } from './spec';

/** What was set up, as the technician's summary shows it: check values, never keys. */
export interface ProvisionSummary {
  config: string;
  backup?: string;
  terminalId: string;
  merchantId: string;
  merchant: string;
  host: string;
  aids: string[];
  caKeys: number;
  tmkKcv?: string;
  pinPad?: { kcv: string; ksn: string };
  signOn?: { responseCode: string; macKeyKcv: string };
}

export interface ProvisionOptions {
  /** Where the terminal's configuration is written. */
  out: string;
  log?: Logger;
  now?: () => Date;
}

/**
 * Provisions a terminal. Everything is checked before anything is written: the configuration
 * against the schema, the CA key files' checksums, each key component's check value and the
 * key's own. Then the configuration is written in one step, the master key goes to the
 * encrypted key store, the DUKPT key to the PIN pad, and the terminal signs on for a MAC key.
 */
export async function provisionTerminal(spec: ProvisionSpec, options: ProvisionOptions):
  Promise<ProvisionSummary> {
  const raw = mergeConfig(readBaseConfig(spec.base ?? DEFAULT_CONFIG_PATH), spec.config);
  const loaded = fromObject(raw, options.out);
  const { config } = loaded;
  const caDir = loaded.resolvePath(config.emv.caKeys.dir);
  for (const file of spec.caKeyFiles) verifyCaKeyFile(file, config.emv.caKeys.allowTest);
  const tmk = spec.tmk ? masterKeyOf(spec.tmk) : undefined;
  const dukpt = spec.dukpt ? { ipek: Buffer.from(spec.dukpt.ipek, 'hex'),
    ksn: Buffer.from(spec.dukpt.ksn, 'hex') } : undefined;

  const header = `# Written by quay provision on ${(options.now?.() ?? new Date()).toISOString()}; `
    + 'check it with quay config check.\n';
  const written = replaceFile(options.out, header + stringify(raw), options.now?.());
  installCaKeyFiles(spec.caKeyFiles, caDir);
  const caKeys = loadCaKeys({ dir: caDir, allowTest: config.emv.caKeys.allowTest }).size;

  const dataDir = loaded.resolvePath(config.dataDir);
  const summary: ProvisionSummary = {
    config: written.path, ...(written.backup ? { backup: written.backup } : {}),
    terminalId: config.terminal.terminalId, merchantId: config.terminal.merchantId,
    merchant: config.terminal.merchant.name, host: describeHost(loaded),
    aids: config.emv.aids.map((a) => a.label ?? a.aid), caKeys,
  };
  if (tmk) {
    summary.tmkKcv = openTerminalKeys(dataDir).setMasterKey(tmk.key, tmk.kcv);
    tmk.key.fill(0);
  }
  if (dukpt) {
    summary.pinPad = { kcv: injectPinPadKey(dataDir, dukpt, spec.dukpt?.kcv),
      ksn: dukpt.ksn.toString('hex').toUpperCase() };
    dukpt.ipek.fill(0);
  }
  if (spec.signOn) {
    if (!tmk && !openTerminalKeys(dataDir).key('master')) {
      throw new KeyError('KEY_MISSING', 'sign-on needs the terminal master key: give its '
        + 'components, or provision with signOn: false');
    }
    const result = await signOn(loaded, options.log ?? silentLogger);
    summary.signOn = { responseCode: result.responseCode, macKeyKcv: result.macKeyKcv };
  }
  return summary;
}

/** The master key from its components; a component or the key with a wrong KCV is refused. */
function masterKeyOf(tmk: { components: string[]; kcv: string }): { key: Buffer; kcv: string } {
  if (tmk.components.length < 2 || tmk.components.length > 3) {
    throw new KeyError('KEY_INVALID', `the master key comes as 2 or 3 components, not `
      + `${tmk.components.length}`);
  }
  const parsed = tmk.components.map((text, i) => parseComponent(text, i));
  const missing = parsed.findIndex((c) => c.kcv === undefined);
  if (missing >= 0) {
    throw new KeyError('KEY_INVALID', `component ${missing + 1} has no check value: give it as `
      + 'HEX:KCV from its key form', { detail: { component: missing + 1 } });
  }
  const key = combineComponents(parsed);
  const kcv = checkValueHex(key);
  if (kcv !== tmk.kcv.toUpperCase()) {
    key.fill(0);
    throw new KeyError('KEY_CHECK_FAILED', 'the components combine to a key whose check value '
      + 'is not the one on the key form', { detail: { expected: tmk.kcv.toUpperCase(),
      computed: kcv } });
  }
  return { key, kcv };
}

function describeHost(loaded: LoadedConfig): string {
  const host = loaded.config.host;
  const where = host.kind === 'tcp' ? `${host.host}:${host.port}` : 'embedded bank simulator';
  return `${where}, layout ${host.layout}, TPDU ${host.tpdu ?? 'none'}, NII ${host.nii}`;
}

/** The summary a technician reads at the end, in both languages. */
export function formatSummary(s: ProvisionSummary): string {
  const lines = [
    'ĐÃ CÀI ĐẶT THIẾT BỊ / TERMINAL PROVISIONED',
    `  Cấu hình / Configuration: ${s.config}`,
    ...(s.backup ? [`  Bản cũ / Previous file: ${s.backup}`] : []),
    `  Mã thiết bị / Terminal ID: ${s.terminalId}   Mã đơn vị / Merchant ID: ${s.merchantId}`,
    `  Đơn vị / Unit: ${s.merchant}`,
    `  Ngân hàng / Bank host: ${s.host}`,
    `  Ứng dụng / AIDs: ${s.aids.join(', ')}; khóa CA / CA keys: ${s.caKeys}`,
    `  Khóa chính / Terminal master key: ${s.tmkKcv ? `KCV ${s.tmkKcv}` : '—'}`,
    `  PIN pad (DUKPT): ${s.pinPad ? `KCV ${s.pinPad.kcv}, KSN ${s.pinPad.ksn}` : '—'}`,
    s.signOn ? `  Đăng nhập / Sign-on: RC ${s.signOn.responseCode}, khóa MAC / MAC key KCV `
      + s.signOn.macKeyKcv : '  Đăng nhập / Sign-on: —',
  ];
  return lines.join('\n');
}
