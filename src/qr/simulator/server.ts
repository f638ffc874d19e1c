import { EventEmitter, once } from 'node:events';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isQuayError } from '../../errors';
import { silentLogger, type Logger } from '../../log';
import { signBody, SIGNATURE_HEADER, type BankTransfer } from '../transfer';
import { parseVietQr } from '../vietqr';

/**
 * The bank's side of a QR payment, as a product simulator: an HTTP server playing the bank or
 * the payment gateway. quay announces a dynamic code (POST /v1/payments); the simulated payer
 * "pays" it after a delay; the transfer is then readable by polling
 * (GET /v1/payments/:reference/transfers, signed) and, when a notification URL is set, posted
 * there signed with HMAC-SHA256 over the body. It refuses what a gateway refuses: a code
 * whose CRC fails, a static code, a code with no reference in its content.
 *
 * Faults, for rehearsal: `twice` reports the transfer twice (the same transaction ID), `late`
 * pays after `lateMs` (past the terminal's wait), `wrong-amount` pays 1 000 dong less (more,
 * under 2 000), `bad-signature` signs with a key that is not the shared secret.
 */

export const QR_FAULTS = ['none', 'twice', 'late', 'wrong-amount', 'bad-signature'] as const;
export type QrFault = typeof QR_FAULTS[number];

export interface QrBankSimulatorOptions {
  host?: string;
  /** 0 (the default) lets the OS choose. */
  port?: number;
  /** The HMAC secret shared with quay. */
  secret: string;
  /** Where notifications are posted; absent: polling only. */
  notifyUrl?: string;
  /** How long the payer takes to pay; default 1.5 s. */
  payAfterMs?: number;
  /** How long a `late` payment takes; default 10 minutes. */
  lateMs?: number;
  fault?: QrFault;
  log?: Logger;
}

export interface SimPayment {
  reference: string;
  /** 62.08 as the code carries it: the payer's bank passes it on. */
  content: string;
  amount: number;
  payload: string;
  account: string;
  fault: QrFault;
  status: 'pending' | 'paid';
  transfers: BankTransfer[];
}

export interface SentNotification {
  reference: string;
  transactionId: string;
  /** The HTTP status quay answered, or 0 when it could not be reached. */
  status: number;
  body: string;
  /** What quay answered. */
  answer: string;
}

export interface QrBankSimulator {
  url: string;
  port: number;
  setFault(fault: QrFault): void;
  payments(): SimPayment[];
  notifications(): SentNotification[];
  /** Resolves once `count` notifications in all have been sent and answered. */
  notified(count: number): Promise<void>;
  /** Pays a pending payment now, whatever its delay. */
  payNow(reference: string): Promise<void>;
  close(): Promise<void>;
}

const WRONG_KEY = 'not-the-shared-secret';

/** A code announced twice: the gateway answers 409. */
class KnownReference extends RangeError {}

class QrBank {
  readonly payments = new Map<string, SimPayment>();
  readonly sent: SentNotification[] = [];
  readonly events = new EventEmitter();
  fault: QrFault;
  private sequence = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: QrBankSimulatorOptions, private readonly log: Logger) {
    this.fault = options.fault ?? 'none';
  }

  /** A code announced by quay: checked as a gateway would, then paid after its delay. */
  register(payload: string): SimPayment {
    const qr = parseVietQr(payload);
    // The reference is the content's first word, as quay writes it (reference.ts).
    const reference = qr.purpose?.split(' ')[0];
    if (qr.initiation !== 'dynamic' || qr.amount === undefined || !reference) {
      throw new RangeError('a payment is a dynamic code with an amount and a content (62.08)');
    }
    if (this.payments.has(reference)) throw new KnownReference(`reference ${reference} is known`);
    const payment: SimPayment = { reference, content: qr.purpose!, amount: qr.amount, payload,
      account: qr.account, fault: this.fault, status: 'pending', transfers: [] };
    this.payments.set(reference, payment);
    const delay = payment.fault === 'late' ? this.options.lateMs ?? 600_000
      : this.options.payAfterMs ?? 1500;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.pay(payment);
    }, delay);
    this.timers.add(timer);
    return payment;
  }

  /** The payer's transfer arrives at the beneficiary's bank. */
  async pay(payment: SimPayment): Promise<void> {
    if (payment.status === 'paid') return;
    this.sequence += 1;
    const amount = payment.fault !== 'wrong-amount' ? payment.amount
      : payment.amount > 2000 ? payment.amount - 1000 : payment.amount + 1000;
    // Banks pass the payer's content on behind their own prefix, as real statements show.
    const transfer: BankTransfer = {
      transactionId: `FT${String(this.sequence).padStart(10, '0')}`, amount,
      content: `IBFT.${String(this.sequence).padStart(6, '0')}.${payment.content}`,
      account: payment.account, paidAt: new Date().toISOString(),
    };
    payment.status = 'paid';
    payment.transfers.push(transfer);
    if (payment.fault === 'twice') payment.transfers.push({ ...transfer });
    this.log.info({ reference: payment.reference, transactionId: transfer.transactionId, amount,
      fault: payment.fault }, 'qr bank: paid');
    if (!this.options.notifyUrl) return;
    await this.notify(payment, transfer);
    if (payment.fault === 'twice') await this.notify(payment, transfer);
  }

  sign(payment: SimPayment | undefined, body: string): string {
    const key = payment?.fault === 'bad-signature' ? WRONG_KEY : this.options.secret;
    return signBody(body, key);
  }

  private async notify(payment: SimPayment, transfer: BankTransfer): Promise<void> {
    const body = JSON.stringify(transfer);
    let status = 0;
    let answer = '';
    try {
      const response = await fetch(this.options.notifyUrl!, {
        method: 'POST', body, signal: AbortSignal.timeout(5000),
        headers: {
          'content-type': 'application/json', [SIGNATURE_HEADER]: this.sign(payment, body),
        },
      });
      status = response.status;
      answer = await response.text();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'qr bank: notification not delivered');
    }
    this.sent.push({ reference: payment.reference, transactionId: transfer.transactionId,
      status, body, answer });
    this.events.emit('sent');
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

const registerBody = z.object({ payload: z.string().min(1).max(512) });
const faultBody = z.object({ fault: z.enum(QR_FAULTS) });

function routes(app: FastifyInstance, bank: QrBank): void {
  app.post('/v1/payments', async (request, reply) => {
    const body = registerBody.safeParse(request.body);
    if (!body.success) return reply.code(400).send({ message: 'expected {"payload": "..."}' });
    try {
      const payment = bank.register(body.data.payload);
      return reply.code(201).send({ reference: payment.reference, status: payment.status });
    } catch (err) {
      const code = isQuayError(err) ? err.code : 'REQUEST_INVALID';
      const status = err instanceof KnownReference ? 409 : 400;
      return reply.code(status).send({ code, message: (err as Error).message });
    }
  });

  app.get<{ Params: { reference: string } }>('/v1/payments/:reference/transfers',
    async (request, reply) => {
      const payment = bank.payments.get(request.params.reference);
      if (!payment) return reply.code(404).send({ message: 'no such payment' });
      const body = JSON.stringify({ reference: payment.reference, status: payment.status,
        transfers: payment.transfers });
      return reply.header(SIGNATURE_HEADER, bank.sign(payment, body))
        .type('application/json').send(body);
    });

  app.post('/sim/faults', async (request, reply) => {
    const body = faultBody.safeParse(request.body);
    if (!body.success) return reply.code(400).send({ message: `fault: ${QR_FAULTS.join(', ')}` });
    bank.fault = body.data.fault;
    return { fault: bank.fault };
  });

  app.post<{ Params: { reference: string } }>('/sim/payments/:reference/pay',
    async (request, reply) => {
      const payment = bank.payments.get(request.params.reference);
      if (!payment) return reply.code(404).send({ message: 'no such payment' });
      await bank.pay(payment);
      return { reference: payment.reference, status: payment.status };
    });

  app.get('/sim/payments', async () => [...bank.payments.values()]);
}

export async function startQrBankSimulator(
  options: QrBankSimulatorOptions): Promise<QrBankSimulator> {
  const log = options.log ?? silentLogger;
  const bank = new QrBank(options, log);
  const app = Fastify({ bodyLimit: 16 * 1024 });
  routes(app, bank);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://${host}:${port}/`,
    port,
    setFault: (fault) => {
      bank.fault = fault;
    },
    payments: () => [...bank.payments.values()].map((p) => ({ ...p, transfers: [...p.transfers] })),
    notifications: () => [...bank.sent],
    notified: async (count) => {
      while (bank.sent.length < count) await once(bank.events, 'sent');
    },
    payNow: async (reference) => {
      const payment = bank.payments.get(reference);
      if (!payment) throw new RangeError(`no payment ${reference}`);
      await bank.pay(payment);
    },
    close: async () => {
      bank.stop();
      await app.close();
    },
  };
}
