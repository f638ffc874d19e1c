import { connect } from 'node:net';
import { AcquirerLink } from '../../acquirer/link';
import { buildNetworkRequest, readNetworkResponse } from '../../acquirer/network';
import { isApproved } from '../../acquirer/response-codes';
import { startEmbeddedBank } from '../../acquirer/simulator/embedded';
import type { AcquirerSimulator } from '../../acquirer/simulator/server';
import { isQuayError } from '../../errors';
import { loadLayout } from '../../iso8583/layouts';
import { fieldText } from '../../iso8583/message';
import { Journal } from '../../journal/journal';
import { LATEST_VERSION } from '../../journal/schema';
import { silentLogger } from '../../log';
import { journalPath, openJournalReadOnly } from '../journal-file';
import { fail, pass, warn, type Check, type DoctorContext } from '../types';

const ECHO_TIMEOUT_MS = 8_000;

const CONNECT_CAP_MS = 5_000;

/**
 * The bank host accepts a TCP connection and answers an echo test (0800, no MAC) with an
 * approval. The bank's transmission time (field 7), when its answer has one, is left for the
 * clock check.
 */
export const bankHostCheck: Check = {
  id: 'bank-host',
  title: { en: 'Bank host and echo (0800)', vi: 'Kết nối ngân hàng và kiểm tra echo (0800)' },
  needsConfig: true,
  timeoutMs: 15_000,
  async run(ctx) {
    const loaded = ctx.loaded!;
    const host = loaded.config.host;
    let simulator: AcquirerSimulator | undefined;
    let address: { host: string; port: number };
    if (host.kind === 'embedded-simulator') {
      simulator = await startEmbeddedBank(loaded, silentLogger);
      address = { host: simulator.host, port: simulator.port };
    } else {
      address = { host: host.host, port: host.port };
    }
    const where = `${host.kind === 'tcp' ? '' : 'simulator '}${address.host}:${address.port}`;
    try {
      const timeoutMs = Math.min(host.connectTimeoutMs, CONNECT_CAP_MS);
      const ms = await tcpConnect(address.host, address.port, timeoutMs).catch((err: Error) => err);
      if (ms instanceof Error) {
        return fail(`bank host ${where} not reachable: ${ms.message}`, {
          en: 'Check the network link and the VPN or leased line to the bank, and that ' +
            'host.host and host.port are the ones the bank gave; call the bank if they are.',
          vi: 'Kiểm tra đường mạng, VPN hoặc kênh thuê riêng tới ngân hàng, và host.host, ' +
            'host.port đúng như ngân hàng cấp; nếu đúng, gọi ngân hàng.',
        }, { host: address.host, port: address.port, echo: 'not-sent' });
      }
      const echo = await echoTest(ctx, address).catch((err: unknown) => err as Error);
      const data = { host: address.host, port: address.port, connectMs: ms };
      if (echo instanceof Error) {
        const reason = isQuayError(echo) ? `${echo.code}: ${echo.message}` : echo.message;
        return warn(`bank host ${where} accepts connections (${ms} ms) but the echo test ` +
          `(0800) failed: ${reason}`, {
          en: 'The line is up but the bank does not answer the terminal: check host.layout, ' +
            'host.tpdu, host.nii and the terminal ID with the bank.',
          vi: 'Đường truyền thông nhưng ngân hàng không trả lời thiết bị: kiểm tra host.layout, ' +
            'host.tpdu, host.nii và mã thiết bị với ngân hàng.',
        }, { ...data, echo: 'failed' });
      }
      if (echo.bankTime) ctx.facts.set('bankTime', echo.bankTime);
      return pass(`bank host ${where} accepts connections (${ms} ms); echo test (0800) ` +
        `answered ${echo.responseCode} in ${echo.ms} ms (STAN ${echo.stan})`,
      { ...data, echo: 'approved', echoMs: echo.ms, stan: echo.stan });
    } finally {
      await simulator?.close();
    }
  },
};

/** Milliseconds to open (and then close) a TCP connection. */
function tcpConnect(host: string, port: number, timeoutMs: number): Promise<number> {
  const started = performance.now();
  return new Promise<number>((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no connection within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.end();
      resolve(Math.round(performance.now() - started));
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

interface EchoOutcome {
  responseCode: string;
  stan: number;
  ms: number;
  bankTime?: Date;
}

async function echoTest(ctx: DoctorContext, address: { host: string; port: number }):
  Promise<EchoOutcome> {
  const { config } = ctx.loaded!;
  const host = config.host;
  const layout = loadLayout(host.layout);
  const link = new AcquirerLink({ ...address, layout, tpdu: host.tpdu,
    connectTimeoutMs: Math.min(host.connectTimeoutMs, CONNECT_CAP_MS),
    responseTimeoutMs: ECHO_TIMEOUT_MS }, ctx.log);
  const stan = echoStan(ctx);
  const terminalId = config.terminal.terminalId;
  const started = performance.now();
  try {
    const request = buildNetworkRequest('echo', { stan, terminalId, nii: host.nii,
      localTime: ctx.now() }, layout);
    const reply = await link.exchange(request);
    const answer = readNetworkResponse(reply, { stan, terminalId }, 'echo');
    if (!isApproved(answer.responseCode)) {
      throw new Error(`the bank answered ${answer.responseCode}`);
    }
    return { responseCode: answer.responseCode, stan, ms: Math.round(performance.now() - started),
      bankTime: transmissionTime(fieldText(reply, 7), ctx.now()) };
  } finally {
    await link.close();
  }
}

/**
 * The echo takes the terminal's next STAN from the journal, as any message does, when the
 * journal is sound and current; otherwise (no journal yet, or one the journal check fails) a
 * STAN from the time of day, so that the doctor never creates or migrates a journal.
 */
function echoStan(ctx: DoctorContext): number {
  try {
    const probe = openJournalReadOnly(ctx.dataDir!);
    if (probe) {
      const version = probe.pragma('user_version', { simple: true }) as number;
      probe.close();
      if (version === LATEST_VERSION) {
        const journal = Journal.open(journalPath(ctx.dataDir!), ctx.log);
        try {
          return journal.nextStan();
        } finally {
          journal.close();
        }
      }
    }
  } catch {
    // Fall through: the journal check reports what is wrong with it.
  }
  const now = ctx.now();
  return (now.getUTCHours() * 3600 + now.getUTCMinutes() * 60 + now.getUTCSeconds()) % 999_999
    + 1;
}

/** Field 7 (MMDDhhmmss, UTC) as a date in the year that puts it nearest to `near`. */
export function transmissionTime(text: string | undefined, near: Date): Date | undefined {
  if (text === undefined || !/^\d{10}$/.test(text)) return undefined;
  const [mm, dd, hh, mi, ss] = [0, 2, 4, 6, 8].map((i) => Number(text.slice(i, i + 2)));
  const candidates = [-1, 0, 1].map((dy) => new Date(Date.UTC(near.getUTCFullYear() + dy,
    mm! - 1, dd, hh, mi, ss)));
  return candidates.sort((a, b) => Math.abs(a.getTime() - near.getTime())
    - Math.abs(b.getTime() - near.getTime()))[0];
}
