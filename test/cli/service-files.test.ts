import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config/load';

const run = promisify(execFile);
const UNIT = join(PROJECT_ROOT, 'scripts/systemd/quay.service');
const RULES = join(PROJECT_ROOT, 'scripts/udev/60-quay.rules');

/** The unit's settings, section by section; a key given twice keeps every value. */
function unitKeys(text: string): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      out[section] = {};
      continue;
    }
    const eq = line.indexOf('=');
    const key = line.slice(0, eq);
    (out[section]![key] ??= []).push(line.slice(eq + 1));
  }
  return out;
}

function hasSystemdAnalyze(): boolean {
  try {
    execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('the systemd unit', () => {
  const keys = unitKeys(readFileSync(UNIT, 'utf8'));

  it('runs quay start as its own user, restarted on failure, with the hardening set', () => {
    const service = keys.Service!;
    const one = (key: string) => service[key]?.join(' ');
    expect(one('User')).toBe('quay');
    expect(one('Group')).toBe('quay');
    expect(one('ExecStart')).toBe('/opt/quay/bin/quay --config /etc/quay/quay.yaml start');
    expect(one('Restart')).toBe('on-failure');
    expect(one('NoNewPrivileges')).toBe('yes');
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('ReadWritePaths')!.split(' ')).toEqual(['/var/lib/quay', '/var/log/quay']);
    expect(one('PrivateTmp')).toBe('yes');
    expect(one('CapabilityBoundingSet')).toBe('');
    expect(one('SupplementaryGroups')).toBe('dialout lp');
    expect(keys.Unit!.After).toEqual(['network-online.target pcscd.socket']);
    expect(keys.Install!.WantedBy).toEqual(['multi-user.target']);
  });

  it.runIf(hasSystemdAnalyze())('passes systemd-analyze verify', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quay-unit-'));
    const unit = join(dir, 'quay.service');
    // The checkout stands in for /opt/quay, so that verify finds the program it starts.
    writeFileSync(unit, readFileSync(UNIT, 'utf8').replaceAll('/opt/quay', PROJECT_ROOT));
    const { stderr } = await run('systemd-analyze', ['verify', unit]);
    expect(stderr).toBe('');
  });
});

describe('the udev rules', () => {
  const rules = readFileSync(RULES, 'utf8').split('\n').filter((l) => l.trim() !== ''
    && !l.startsWith('#')).map((line) => Object.fromEntries(line.split(/,\s*/).map((part) => {
    const m = /^([A-Z]+(?:\{\w+\})?)(==|=)"([^"]*)"$/.exec(part.trim());
    if (!m) throw new Error(`not a udev key: ${part}`);
    return [`${m[1]}${m[2]}`, m[3]];
  })));

  it('give group quay the serial ports, USB printers and one vendor\'s HID devices', () => {
    expect(rules.map((r) => [r['SUBSYSTEM=='], r['KERNEL=='] ?? r['ATTRS{idVendor}==']]))
      .toEqual([['tty', 'ttyUSB[0-9]*'], ['tty', 'ttyACM[0-9]*'], ['usbmisc', 'lp[0-9]*'],
        ['hidraw', '04b8']]);
    for (const rule of rules) expect(rule).toMatchObject({ 'GROUP=': 'quay', 'MODE=': '0660' });
  });
});
