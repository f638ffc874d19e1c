import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/doctor/run';
import { startRig, type Rig } from './rig';

const run = promisify(execFile);
const QUAY = new URL('../../bin/quay', import.meta.url).pathname;

/**
 * The smart card service absent. Nothing is started or stopped here: quay is pointed, through
 * pcsc-lite's PCSCLITE_CSOCK_NAME, at a socket path in an empty folder where no pcscd listens,
 * so the test means the same with the machine's pcscd running or stopped.
 */
describe('quay doctor with no pcscd', () => {
  let rig: Rig;
  let socket: string;

  beforeAll(async () => {
    rig = await startRig({ pty: false });
    socket = join(mkdtempSync(join(tmpdir(), 'quay-no-pcscd-')), 'pcscd.comm');
  });
  afterAll(async () => { await rig?.close(); });

  it('fails the card reader check alone, naming pcscd, its socket and what to do', async () => {
    const path = rig.writeConfig((raw) => { raw.cardReader = { kind: 'pcsc' }; }, 'pcsc.yaml');
    const env = { ...process.env, PCSCLITE_CSOCK_NAME: socket };
    const failure = await run(QUAY, ['--config', path, 'doctor', '--json'], { env })
      .then(() => undefined, (err: { code: number; stdout: string }) => err);
    expect(failure?.code).toBe(1);
    const report = JSON.parse(failure!.stdout) as DoctorReport;
    expect(report.checks.filter((c) => c.status === 'fail').map((c) => c.id))
      .toEqual(['card-reader']);
    const reader = report.checks.find((c) => c.id === 'card-reader')!;
    expect(reader.detail).toMatch(new RegExp(`^pcscd not reachable \\(socket ${socket}\\): `
      + 'READER_UNAVAILABLE: pcscd is not running'));
    expect(reader.data).toEqual({ socket });
    expect(reader.action?.en).toContain('systemctl start pcscd');
    expect(reader.action?.vi).toContain('Khởi động dịch vụ thẻ');

    const text = await run(QUAY, ['--config', path, 'doctor'], { env })
      .then(() => '', (err: { stdout: string }) => err.stdout);
    expect(text).toMatch(/^FAIL {2}Card reader \(pcscd\) +pcscd not reachable/m);
    expect(text).toContain('Đầu đọc thẻ (pcscd): Khởi động dịch vụ thẻ');
    expect(text).toContain('1 mục lỗi / 1 check(s) failed');
  });
});
