import { ERROR_CATALOGUE, isQuayError, type ErrorCode } from '../errors';
import { silentLogger, type Logger } from '../log';
import { QrError } from './errors';
import { QrMatcher, type QrOutcome } from './matcher';
import {
  SIGNATURE_HEADER, transfersAnswerSchema, verifiedBody, type BankTransfer,
} from './transfer';

/**
 * How quay learns that a QR code was paid. A terminal behind a hospital's network cannot be
 * reached from the bank, so the default is to ask: poll the bank's or gateway's API for the
 * payment's transfers, over an outbound connection. An inbound notification endpoint
 * (notification-listener.ts) may feed the same matcher. Either way a transfer is believed
 * only with a valid HMAC signature.
 */

export interface QrGatewayOptions {
  /** The bank's or gateway's API, e.g. https://gateway.example/ (or the simulator's URL). */
  baseUrl: string;
  /** The shared HMAC secret its answers are signed with. */
  secret: string;
  /** Sent as a bearer token, when the gateway asks for one. */
  token?: string;
  /** One request's limit; the wait as a whole has its own. */
  requestTimeoutMs?: number;
}

/** The bank or gateway, seen from quay: where a code is announced and its transfers read. */
export class QrGateway {
  constructor(private readonly options: QrGatewayOptions) {}

  /** Announces a payment (its payload) to a gateway that matches transfers for quay. */
  async register(payload: string, signal?: AbortSignal): Promise<void> {
    const response = await this.request('v1/payments', signal, {
      method: 'POST', body: JSON.stringify({ payload }),
    });
    if (response.status === 201) return;
    const text = await response.text();
    // A 4xx is the gateway refusing this code (its own error code kept when it names one);
    // anything else is the gateway failing.
    const named = /"code":"(QR_[A-Z_]+)"/.exec(text)?.[1];
    const code = response.status >= 500 ? 'QR_GATEWAY_UNREACHABLE'
      : named !== undefined && named in ERROR_CATALOGUE ? named as ErrorCode : 'QR_FIELD_INVALID';
    throw new QrError(code, `the gateway refused the payment: HTTP ${response.status} ${text}`,
      { detail: { status: response.status } });
  }

  /** The transfers the gateway has for a reference; refused unless the answer is signed. */
  async transfers(reference: string, signal?: AbortSignal): Promise<BankTransfer[]> {
    const response = await this.request(`v1/payments/${encodeURIComponent(reference)}/transfers`,
      signal, { method: 'GET' });
    const body = await response.text();
    if (response.status === 404) return [];
    if (response.status !== 200) {
      throw new QrError('QR_GATEWAY_UNREACHABLE', `the gateway answered HTTP ${response.status}`,
        { detail: { status: response.status } });
    }
    const answer = verifiedBody(body, response.headers.get(SIGNATURE_HEADER) ?? undefined,
      this.options.secret, transfersAnswerSchema);
    return answer.transfers;
  }

  private async request(path: string, signal: AbortSignal | undefined,
    init: RequestInit): Promise<Response> {
    const limit = AbortSignal.timeout(this.options.requestTimeoutMs ?? 5000);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    try {
      return await fetch(new URL(path, this.options.baseUrl), {
        ...init, headers, signal: signal ? AbortSignal.any([signal, limit]) : limit,
      });
    } catch (err) {
      const reason = (err as Error).message;
      throw new QrError('QR_GATEWAY_UNREACHABLE', `${this.options.baseUrl}: ${reason}`,
        { cause: err });
    }
  }
}

export interface QrConfirmationOptions {
  /** Absent: only notifications (fed to `matcher`) confirm payments. */
  gateway?: QrGateway;
  matcher?: QrMatcher;
  /** Between two polls; default 2 s. */
  pollIntervalMs?: number;
  /**
   * After a wait timed out or was cancelled, how long polling goes on (default 10 minutes),
   * so that a payer paying late is seen and flagged for the supervisor; 0: not at all.
   */
  lateWatchMs?: number;
  /** Between two polls while watching for late transfers; default 15 s. */
  lateWatchIntervalMs?: number;
  log?: Logger;
}

export interface QrWait {
  outcome: Promise<QrOutcome>;
  /** Stops waiting (the clerk or payer gave up): the outcome is `cancelled`. */
  cancel(): void;
}

export interface QrWaitRequest {
  reference: string;
  amount: number;
  /** After this the outcome is `timeout`; a transfer arriving later is flagged. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Waits for a QR payment's transfer: polling the gateway, and what notifications bring. */
export class QrConfirmation {
  readonly matcher: QrMatcher;
  private readonly log: Logger;
  private readonly polls = new Set<AbortController>();

  constructor(private readonly options: QrConfirmationOptions = {}) {
    this.log = options.log ?? silentLogger;
    this.matcher = options.matcher ?? new QrMatcher({ log: this.log });
  }

  /** Starts waiting now, so that a transfer arriving before anyone awaits still counts. */
  begin(request: Omit<QrWaitRequest, 'signal'>): QrWait {
    const { reference, amount, timeoutMs } = request;
    const outcome = this.matcher.expect(reference, amount);
    const polling = new AbortController();
    this.polls.add(polling);
    polling.signal.addEventListener('abort', () => this.polls.delete(polling), { once: true });
    let watching = false;
    const timer = setTimeout(() => this.matcher.close(reference, 'timeout'), timeoutMs);
    void outcome.then((result) => {
      clearTimeout(timer);
      const watch = this.options.lateWatchMs ?? 600_000;
      if (result.status === 'paid' || result.status === 'flagged' || watch <= 0) {
        polling.abort();
        return;
      }
      watching = true;
      const end = setTimeout(() => polling.abort(), watch);
      polling.signal.addEventListener('abort', () => clearTimeout(end), { once: true });
    });
    const { gateway } = this.options;
    if (gateway) {
      const interval = (): number => (watching ? this.options.lateWatchIntervalMs ?? 15_000
        : this.options.pollIntervalMs ?? 2000);
      void this.poll(gateway, reference, polling.signal, interval);
    } else {
      void outcome.then(() => polling.abort());
    }
    return { outcome, cancel: () => void this.matcher.close(reference, 'cancelled') };
  }

  /** Stops every poll, late watches included (the daemon is stopping). */
  close(): void {
    for (const polling of [...this.polls]) polling.abort();
  }

  /** `begin`, cancelled when `signal` aborts. */
  wait(request: QrWaitRequest): Promise<QrOutcome> {
    const { signal, ...rest } = request;
    return outcomeOf(this.begin(rest), signal);
  }

  private async poll(gateway: QrGateway, reference: string, stop: AbortSignal,
    interval: () => number): Promise<void> {
    while (!stop.aborted) {
      try {
        for (const transfer of await gateway.transfers(reference, stop)) {
          this.matcher.offer(transfer);
        }
      } catch (err) {
        if (stop.aborted) return;
        // A refused answer changes nothing: the wait goes on until its own end.
        const code = isQuayError(err) ? err.code : 'QR_GATEWAY_UNREACHABLE';
        this.log.warn({ reference, code, err: (err as Error).message }, 'qr: poll refused');
      }
      await pause(interval(), stop);
    }
  }
}

/** The outcome of a wait, cancelled when `signal` aborts (at once if it already has). */
export async function outcomeOf(active: QrWait, signal?: AbortSignal): Promise<QrOutcome> {
  if (!signal) return active.outcome;
  if (signal.aborted) active.cancel();
  const onAbort = (): void => active.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await active.outcome;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function pause(ms: number, stop: AbortSignal): Promise<void> {
  return new Promise((done) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      done();
    };
    const timer = setTimeout(() => {
      stop.removeEventListener('abort', onAbort);
      done();
    }, ms);
    stop.addEventListener('abort', onAbort, { once: true });
  });
}
