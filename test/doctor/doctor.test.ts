import { execFile } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from
  'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aesCheckValue, dataKeyPath } from '../../src/doctor/checks/keys';
import { DISPLAY_TEST_LINES } from '../../src/doctor/checks/display';
import { formatReport, runDoctor, type DoctorReport } from '../../src/doctor/run';
import { LATEST_VERSION } from '../../src/journal/schema';
import { startRig, takePayments, type Rig } from './rig';

const run = promisify(execFile);
const QUAY = new URL('../../bin/quay', import.meta.url).pathname;

function check(report: DoctorReport, id: string) {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
}

function failedIds(report: DoctorReport): string[] {
  return report.checks.filter((c) => c.status === 'fail').map((c) => c.id);
}

/** A loopback port with nothing listening: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

describe('quay doctor against the simulators', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig();
    expect(await takePayments(rig.configPath, [150_000, 20_000])).toEqual(['approved', 'approved']);
  });
  afterAll(async () => { await rig?.close(); });

  it('passes every check, shows the display test screen and the data key check value', async () => {
    const report = await runDoctor(rig.configPath);
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['config', 'pass'], ['card-reader', 'pass'], ['printer', 'pass'], ['display', 'pass'],
      ['bank-host', 'pass'], ['clock', 'pass'], ['disk', 'pass'], ['journal', 'pass'],
      ['forward-queue', 'pass'], ['keys', 'pass'],
    ]);
    expect(report.ok).toBe(true);
    expect(await rig.display.waitFor([...DISPLAY_TEST_LINES])).toEqual([...DISPLAY_TEST_LINES]);
    expect(check(report, 'journal').data).toMatchObject({ schemaVersion: LATEST_VERSION, rows: 2 });
    const bank = check(report, 'bank-host');
    expect(bank.data).toMatchObject({ port: rig.bank.port, echo: 'approved' });
    // The echo took the journal's next STAN (two payments took 1 and 2) and reached the bank.
    expect(bank.data?.stan).toBe(3);
    const echo = rig.bank.journal.filter((e) => e.mti === '0800');
    expect(echo.map((e) => [e.stan, e.terminalId?.trim()])).toEqual([['000003', 'QUAY0001']]);
    expect(check(report, 'card-reader').detail).toContain('ATR 3BE000008131FE45EB');
    const key = readFileSync(dataKeyPath(rig.dataDir));
    const kcv = aesCheckValue(key);
    expect(check(report, 'keys').detail)
      .toBe(`data key (AES-256) KCV ${kcv}, mode 600; TMK none, MAC key none`);
    // The report never carries the key itself.
    expect(JSON.stringify(report)).not.toContain(key.toString('hex'));
    expect(JSON.stringify(report).toUpperCase()).not.toContain(key.toString('hex').toUpperCase());
  });

  it('prints a test page on the printer with --test-page', async () => {
    const before = rig.printer.jobs().length;
    const report = await runDoctor(rig.configPath, { testPage: true });
    expect(check(report, 'printer')).toMatchObject({ status: 'pass',
      data: { testPage: true } });
    const job = await rig.printer.waitForJob();
    expect(rig.printer.jobs().length).toBe(before + 1);
    const png = PNG.sync.read(job.png);
    expect(png.width).toBe(384);
    // The page has ink: some pixels are black.
    let black = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i]! < 128) black++;
    expect(black).toBeGreaterThan(1000);
  });

  it('names the printer and says to load paper when the simulator is out of paper', async () => {
    rig.printer.setPaperOut(true);
    try {
      const report = await runDoctor(rig.configPath);
      expect(failedIds(report)).toEqual(['printer']);
      const printer = check(report, 'printer');
      expect(printer.detail).toBe(`printer ${rig.printer.host}:${rig.printer.port}: out of paper`);
      expect(printer.action?.vi).toContain('Nạp cuộn giấy');
      expect(printer.action?.en).toContain('Load a paper roll');
      expect(report.ok).toBe(false);
      expect(formatReport(report)).toMatch(/^FAIL {2}Receipt printer {2,}printer .*out of paper$/m);
    } finally {
      rig.printer.setPaperOut(false);
    }
  });

  it('names the bank host when its port is closed', async () => {
    const port = await closedPort();
    const path = rig.writeConfig((raw) => { raw.host.port = port; }, 'bank-down.yaml');
    const report = await runDoctor(path);
    expect(failedIds(report)).toEqual(['bank-host']);
    const bank = check(report, 'bank-host');
    expect(bank.detail).toContain(`bank host 127.0.0.1:${port} not reachable`);
    expect(bank.detail).toContain('ECONNREFUSED');
    expect(bank.data).toMatchObject({ echo: 'not-sent' });
    expect(bank.action?.en).toContain('host.port');
    expect(bank.action?.vi).toContain('ngân hàng');
  });

  it('names the journal when its file holds garbage', async () => {
    const dataDir = join(rig.dir, 'var-corrupt');
    mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
    copyFileSync(join(rig.dataDir, 'quay.db'), join(dataDir, 'quay.db'));
    copyFileSync(dataKeyPath(rig.dataDir), dataKeyPath(dataDir));
    const size = statSync(join(dataDir, 'quay.db')).size;
    expect(size).toBeGreaterThan(8192);
    // Page 2 onwards overwritten: the header still says SQLite, the tables do not add up.
    const fd = openSync(join(dataDir, 'quay.db'), 'r+');
    writeSync(fd, Buffer.alloc(size - 4096, 0xa5), 0, size - 4096, 4096);
    closeSync(fd);
    const path = rig.writeConfig((raw) => { raw.dataDir = dataDir; }, 'corrupt.yaml');
    const report = await runDoctor(path);
    expect(failedIds(report)).toContain('journal');
    expect(failedIds(report).filter((id) => id !== 'forward-queue')).toEqual(['journal']);
    const journal = check(report, 'journal');
    expect(journal.detail).toContain(join(dataDir, 'quay.db'));
    expect(journal.action?.en).toContain('Stop taking payments');
    expect(journal.action?.vi).toContain('Ngừng nhận thanh toán');
  });

  it('names the configuration with the misspelt key and skips what needs it', async () => {
    const path = rig.writeConfig((raw) => {
      raw.terminal.terminalID = raw.terminal.terminalId;
      delete raw.terminal.terminalId;
    }, 'bad.yaml');
    const report = await runDoctor(path);
    expect(failedIds(report)).toEqual(['config']);
    expect(check(report, 'config').detail)
      .toContain("terminal: unknown key 'terminalID' (did you mean 'terminalId'?)");
    expect(check(report, 'printer')).toMatchObject({ status: 'skip',
      detail: 'not run: the configuration is invalid' });
    expect(check(report, 'clock').status).toBe('pass');
  });

  it('names a USB printer whose device file is missing', async () => {
    const path = rig.writeConfig((raw) => {
      raw.printer = { kind: 'usb', path: join(rig.dir, 'lp9') };
    }, 'usb-gone.yaml');
    const report = await runDoctor(path);
    expect(failedIds(report)).toEqual(['printer']);
    expect(check(report, 'printer').detail)
      .toBe(`printer ${join(rig.dir, 'lp9')} not reachable: ENOENT: no such file or directory, ` +
        `open '${join(rig.dir, 'lp9')}'`);
    expect(check(report, 'printer').action?.en).toContain('lp group');
  });

  it('names the display when its serial port is missing', async () => {
    const path = rig.writeConfig((raw) => {
      raw.display = { kind: 'serial', path: join(rig.dir, 'ttyUSB9'), baudRate: 9600 };
    }, 'display-gone.yaml');
    const report = await runDoctor(path);
    expect(failedIds(report)).toEqual(['display']);
    expect(check(report, 'display').detail).toContain(`serial ${join(rig.dir, 'ttyUSB9')}`);
    expect(check(report, 'display').action?.en).toContain('display.path');
  });

  it('warns with the count and age of reversals owed to the bank', async () => {
    const dataDir = join(rig.dir, 'var-owed');
    mkdirSync(dataDir, { recursive: true });
    copyFileSync(join(rig.dataDir, 'quay.db'), join(dataDir, 'quay.db'));
    const db = new Database(join(dataDir, 'quay.db'));
    db.prepare(`INSERT INTO reversals (transaction_id, state, updated_at)
      VALUES (1, 'pending', '2026-01-01T08:00:00.000Z')`).run();
    db.close();
    const path = rig.writeConfig((raw) => { raw.dataDir = dataDir; }, 'owed.yaml');
    const now = () => new Date('2026-01-01T09:30:00.000Z');
    const report = await runDoctor(path, { now });
    expect(check(report, 'forward-queue')).toMatchObject({ status: 'warn',
      detail: '1 reversals owed, oldest since 2026-01-01T08:00:00.000Z (90 min)',
      data: { pending: 1, ageSeconds: 5400 } });
    const later = await runDoctor(path, { now: () => new Date('2026-01-03T08:00:00.000Z') });
    expect(check(later, 'forward-queue').status).toBe('fail');
  });

  it('fails the clock before 2024', async () => {
    const report = await runDoctor(rig.configPath, { now: () => new Date('2000-01-01T00:00:00Z') });
    expect(check(report, 'clock')).toMatchObject({ status: 'fail',
      detail: 'the clock says 2000-01-01T00:00:00.000Z, before 2024' });
    expect(check(report, 'clock').action?.en).toContain('timedatectl');
  });

  it('quay doctor --json exits 0 when all pass and 1 with the failing check named', async () => {
    const ok = await run(QUAY, ['--config', rig.configPath, 'doctor', '--json']);
    const report = JSON.parse(ok.stdout) as DoctorReport;
    expect(report.ok).toBe(true);
    expect(report.checks).toHaveLength(10);
    const port = await closedPort();
    const path = rig.writeConfig((raw) => { raw.printer.port = port; }, 'printer-off.yaml');
    const failure = await run(QUAY, ['--config', path, 'doctor'])
      .then(() => undefined, (err: { code: number; stdout: string }) => err);
    expect(failure?.code).toBe(1);
    expect(failure?.stdout).toMatch(/^FAIL {2}Receipt printer .*not reachable/m);
    expect(failure?.stdout).toContain('Máy in hóa đơn: Kiểm tra máy in đã bật');
    expect(failure?.stdout).toContain('1 mục lỗi / 1 check(s) failed');
  });
});
