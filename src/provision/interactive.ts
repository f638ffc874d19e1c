import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../config/load';
import { checkValueHex } from '../keys/check-value';
import { parseComponent } from '../keys/components';
import { isQuayError } from '../errors';
import { isRecord } from './config-file';
import { matching, type Checked, type Prompter } from './prompts';
import type { ProvisionSpec } from './spec';

type Raw = Record<string, unknown>;

const HEX_KCV = /^[0-9A-Fa-f]{6}$/;

function section(raw: Raw, name: string): Raw {
  const value = raw[name];
  return isRecord(value) ? value : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/**
 * Asks for what makes this terminal itself, each answer checked as it is typed, with the
 * base configuration's values as defaults. The answers become a ProvisionSpec, the same as
 * a provisioning file gives, so both paths write and check the configuration the same way.
 */
export async function askProvisionSpec(p: Prompter, base: Raw, baseFile?: string):
  Promise<ProvisionSpec> {
  const terminal = section(base, 'terminal');
  const merchant = section(terminal, 'merchant');
  p.say('Cài đặt thiết bị / Terminal provisioning (Enter giữ giá trị [mặc định] / keeps the '
    + '[default])');
  const terminalId = await p.ask({ label: 'Mã thiết bị / Terminal ID',
    fallback: text(terminal.terminalId),
    check: matching(/^[0-9A-Za-z]{8}$/, 'Mã thiết bị gồm 8 chữ hoặc số / The terminal ID is '
      + '8 letters or digits') });
  const merchantId = await p.ask({ label: 'Mã đơn vị / Merchant ID',
    fallback: text(terminal.merchantId),
    check: matching(/^[0-9A-Za-z ]{15}$/, 'Mã đơn vị gồm 15 ký tự / The merchant ID is 15 '
      + 'characters') });
  const name = await p.ask({ label: 'Tên đơn vị (in trên biên lai) / Unit name (on receipts)',
    fallback: text(merchant.name), check: nonEmpty });
  const address = await p.ask({ label: 'Địa chỉ / Address', fallback: text(merchant.address),
    check: nonEmpty });
  const taxCode = await p.ask({ label: 'Mã số thuế / Tax code (- for none)',
    fallback: text(merchant.taxCode) ?? '-',
    check: (a) => (a === '-' || /^\d{10}(-\d{3})?$/.test(a) ? { value: a }
      : { problem: 'Mã số thuế gồm 10 chữ số (hoặc 10-3) / A tax code is 10 digits (or 10-3)' }),
  });
  const host = await askHost(p, section(base, 'host'));
  const emv = await askEmv(p, section(base, 'emv'));
  const tmk = await askMasterKey(p);
  const dukpt = await askDukpt(p);
  const signOn = await p.ask({ label: 'Đăng nhập ngân hàng ngay? / Sign on to the bank now? (y/n)',
    fallback: tmk ? 'y' : 'n', check: yesNo });
  return {
    ...(baseFile ? { base: baseFile } : {}),
    config: {
      terminal: { ...terminal, terminalId, merchantId,
        merchant: { name, address, taxCode: taxCode === '-' ? null : taxCode } },
      host, emv,
    },
    ...(tmk ? { tmk } : {}), ...(dukpt ? { dukpt } : {}),
    caKeyFiles: [], signOn,
  };
}

async function askHost(p: Prompter, host: Raw): Promise<Raw> {
  const current = host.kind === 'tcp' ? `${text(host.host)}:${text(host.port)}` : 'embedded';
  const address = await p.ask({ label: 'Ngân hàng (HOST:PORT, hoặc embedded = giả lập) / '
    + 'Bank host (HOST:PORT, or embedded for the simulator)', fallback: current,
    check: (a): Checked<{ host: string; port: number } | 'embedded'> => {
      if (a === 'embedded') return { value: 'embedded' };
      const match = /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(a);
      const port = Number(match?.[2]);
      return match && port >= 1 && port <= 65_535 ? { value: { host: match[1]!, port } }
        : { problem: 'Nhập HOST:PORT, ví dụ 10.0.0.10:5000 / Type HOST:PORT, e.g. 10.0.0.10:5000' };
    } });
  const layout = await p.ask({ label: 'Định dạng bản tin / Message layout',
    fallback: text(host.layout) ?? 'pos-bcd',
    check: (a) => (existsSync(join(PROJECT_ROOT, 'config', 'hosts', `${a}.json`))
      || existsSync(a) ? { value: a }
      : { problem: `Không có định dạng ${a} trong config/hosts / No layout ${a} in config/hosts` }),
  });
  const tpdu = await p.ask({ label: 'TPDU (10 hex, - for none)', fallback: text(host.tpdu) ?? '-',
    check: matching(/^(-|[0-9A-Fa-f]{10})$/, 'TPDU gồm 5 byte hex / A TPDU is 5 bytes of hex') });
  const nii = await p.ask({ label: 'NII', fallback: text(host.nii) ?? '001',
    check: matching(/^\d{3}$/, 'NII gồm 3 chữ số / The NII is 3 digits') });
  const kept = Object.fromEntries(Object.entries(host).filter(([key]) =>
    !['kind', 'host', 'port', 'layout', 'tpdu', 'nii', 'simulatorConfig'].includes(key)));
  const where = address === 'embedded'
    ? { kind: 'embedded-simulator', ...(host.simulatorConfig !== undefined
      ? { simulatorConfig: host.simulatorConfig } : {}) }
    : { kind: 'tcp', host: address.host, port: address.port };
  return { ...where, ...kept, layout, nii, tpdu: tpdu === '-' ? null : tpdu.toUpperCase() };
}

/** The AIDs and their TACs come with the base (the acquirer's table); asked: floor limit. */
async function askEmv(p: Prompter, emv: Raw): Promise<Raw> {
  const aids = Array.isArray(emv.aids) ? emv.aids.filter(isRecord) : [];
  p.say(`  Ứng dụng / AIDs: ${aids.map((a) => text(a.label) ?? text(a.aid)).join(', ')}`);
  const floorLimit = await p.ask({ label: 'Hạn mức sàn (VND, mọi AID) / Floor limit (VND, '
    + 'every AID)', fallback: text(aids[0]?.floorLimit) ?? '0',
    check: (a) => (/^\d{1,10}$/.test(a) && Number(a) <= 0xffffffff ? { value: Number(a) }
      : { problem: 'Nhập số đồng nguyên, ví dụ 0 / Type whole dong, e.g. 0' }) });
  const caKeys = section(emv, 'caKeys');
  const dir = await p.ask({ label: 'Thư mục khóa CA / CA key folder', fallback: text(caKeys.dir),
    check: (a) => (existsSync(a) ? { value: a }
      : { problem: `Không có thư mục ${a} / No folder ${a}` }) });
  return { ...emv, aids: aids.map((aid) => ({ ...aid, floorLimit })),
    caKeys: { ...caKeys, dir } };
}

async function askMasterKey(p: Prompter): Promise<ProvisionSpec['tmk']> {
  const count = await p.ask<number>({ label: 'Khóa chính: số thành phần (2, 3; 0 = bỏ qua) / '
    + 'Terminal master key: components (2, 3; 0 to skip)', fallback: '2',
    check: (a) => (['0', '2', '3'].includes(a) ? { value: Number(a) }
      : { problem: 'Nhập 2, 3 hoặc 0 / Type 2, 3 or 0' }) });
  if (count === 0) return undefined;
  const components: string[] = [];
  for (let i = 0; i < count; i += 1) components.push(await askComponent(p, i));
  const kcv = await p.ask({ label: 'KCV của khóa (trên phiếu khóa) / Key check value (key form)',
    check: matching(HEX_KCV, 'KCV gồm 6 chữ số hex / A check value is 6 hex digits') });
  return { components, kcv };
}

/** One custodian's component and its check value, asked again until they agree. */
async function askComponent(p: Prompter, i: number): Promise<string> {
  for (;;) {
    const hex = await p.ask<string>({ label: `Thành phần ${i + 1} (32 hoặc 48 hex) / `
      + `Component ${i + 1} (32 or 48 hex)`, secret: true,
      check: (a) => {
        try {
          parseComponent(a, i);
          return { value: a.replace(/\s+/g, '').toUpperCase() };
        } catch (err) {
          if (!isQuayError(err)) throw err;
          return { problem: 'Thành phần gồm 16 hoặc 24 byte hex / A component is 16 or 24 bytes '
            + 'of hex' };
        }
      } });
    const kcv = await p.ask({ label: `KCV thành phần ${i + 1} / Component ${i + 1} check value`,
      check: matching(HEX_KCV, 'KCV gồm 6 chữ số hex / A check value is 6 hex digits') });
    const computed = checkValueHex(Buffer.from(hex, 'hex'));
    if (computed === kcv.toUpperCase()) {
      p.say(`  Thành phần ${i + 1}: KCV ${computed} khớp / matches`);
      return `${hex}:${computed}`;
    }
    p.say(`  Thành phần ${i + 1} không khớp KCV ${kcv.toUpperCase()}: nhập lại / does not match `
      + 'its check value: type it again');
  }
}

async function askDukpt(p: Prompter): Promise<ProvisionSpec['dukpt']> {
  const ipek = await p.ask<string>({ label: 'Khóa DUKPT ban đầu cho PIN pad (32 hex, - = bỏ qua) / '
    + 'PIN pad DUKPT initial key (32 hex, - to skip)', secret: true, fallback: '-',
    check: matching(/^(-|[0-9A-Fa-f]{32})$/, 'Khóa gồm 16 byte hex / The key is 16 bytes of hex'),
  });
  if (ipek === '-') return undefined;
  const ksn = await p.ask({ label: 'KSN ban đầu (20 hex) / Initial KSN (20 hex)',
    check: matching(/^[0-9A-Fa-f]{20}$/, 'KSN gồm 10 byte hex / The KSN is 10 bytes of hex') });
  const kcv = await p.ask({ label: 'KCV của khóa DUKPT / DUKPT key check value',
    check: (a) => {
      if (!HEX_KCV.test(a)) return { problem: 'KCV gồm 6 chữ số hex / 6 hex digits' };
      return checkValueHex(Buffer.from(ipek, 'hex')) === a.toUpperCase() ? { value: a }
        : { problem: 'Khóa không khớp KCV này / The key does not match this check value' };
    } });
  return { ipek, ksn, kcv };
}

function nonEmpty(a: string): Checked<string> {
  return a.length > 0 ? { value: a } : { problem: 'Không được để trống / Required' };
}

function yesNo(a: string): Checked<boolean> {
  if (/^(y|yes|c|có)$/i.test(a)) return { value: true };
  if (/^(n|no|k|không)$/i.test(a)) return { value: false };
  return { problem: 'Trả lời y hoặc n / Answer y or n' };
}
