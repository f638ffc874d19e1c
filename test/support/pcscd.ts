import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { PcscReader } from '../../drivers/card/pcsc-reader';

/**
 * vitest globalSetup for the PC/SC tests (*.pcsc.test.ts): makes sure pcscd runs with the
 * vpcd virtual readers, starting `pcscd -f` when it is not running and stopping it at the
 * end only if it started it here. Never skips: when pcscd cannot be had, it throws why.
 */
const SOCKET = '/run/pcscd/pcscd.comm';
const FIRST_VPCD_READER = 'Virtual PCD 00 00';
const READY_TIMEOUT_MS = 15_000;
const INSTALL = 'sudo apt-get install -y pcscd libpcsclite-dev vsmartcard-vpcd socat ' +
  '(or run scripts/ensure-pcsc.sh)';

/** A pcscd this setup started, with what it printed on stderr. */
interface Started {
  child: ChildProcess;
  stderr: string[];
}

export default async function setup(): Promise<() => Promise<void>> {
  let started: Started | undefined;
  if (!pcscdRunning()) started = startPcscd();
  try {
    await waitForVpcdReaders(started);
  } catch (err) {
    if (started) await stop(started);
    throw err;
  }
  return async () => {
    if (started) await stop(started);
  };
}

function pcscdRunning(): boolean {
  const pidof = spawnSync('pidof', ['pcscd'], { encoding: 'utf8' });
  return pidof.status === 0 && existsSync(SOCKET);
}

function pcscdPath(): string {
  for (const candidate of ['/usr/sbin/pcscd', '/usr/local/sbin/pcscd']) {
    if (existsSync(candidate)) return candidate;
  }
  const which = spawnSync('sh', ['-c', 'command -v pcscd'], { encoding: 'utf8' });
  const found = which.stdout.trim();
  if (which.status !== 0 || found === '') {
    throw new Error(`pcscd is not installed, so the PC/SC tests cannot run: ${INSTALL}`);
  }
  return found;
}

function startPcscd(): Started {
  const path = pcscdPath();
  const help = spawnSync(path, ['--help'], { encoding: 'utf8' });
  const args = ['-f'];
  // Newer pcscd asks polkit whether a client may connect; test runs have no polkit agent.
  if (`${help.stdout}${help.stderr}`.includes('--disable-polkit')) args.push('--disable-polkit');
  const child = spawn(path, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  child.once('error', (err) => stderr.push(String(err)));
  return { child, stderr };
}

async function waitForVpcdReaders(started: Started | undefined): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (started && started.child.exitCode !== null) {
      throw new Error(`pcscd exited with code ${started.child.exitCode} at start: ` +
        `${started.stderr.join('').trim() || 'no message'}`);
    }
    const reader = new PcscReader();
    try {
      const names = await reader.listReaders();
      if (names.includes(FIRST_VPCD_READER)) return;
      lastProblem = `readers listed: ${names.join(', ') || 'none'}`;
    } catch (err) {
      lastProblem = (err as Error).message;
    } finally {
      await reader.close();
    }
    await sleep(200);
  }
  throw new Error(`pcscd did not list '${FIRST_VPCD_READER}' within ${READY_TIMEOUT_MS} ms ` +
    `(${lastProblem}). Is vsmartcard-vpcd installed (/etc/reader.conf.d/vpcd)? ${INSTALL}`);
}

async function stop({ child }: Started): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), sleep(5000).then(() => true)]);
  if (timedOut) {
    child.kill('SIGKILL');
    await exited;
  }
}
