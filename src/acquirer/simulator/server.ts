import { createServer, type Server, type Socket } from 'node:net';
import { silentLogger, type Logger } from '../../log';
import type { MessageLayout } from '../../iso8583/layout';
import { loadLayout } from '../../iso8583/layouts';
import { fieldText, type IsoMessage } from '../../iso8583/message';
import { pack, unpack } from '../../iso8583/pack';
import { encodeFrame, FrameDecoder, swapTpdu, type Frame } from '../framing';
import {
  faultSettingsSchema, parseSimulatorConfig, type FaultMode, type FaultSettings,
  type SimulatorConfig, type SimulatorConfigInput,
} from './config';
import { IssuerHost, type DecisionFacts } from './issuer';
import { AdviceDesk } from './advices';
import { seededRandom } from './random';
import { Bank } from './bank';
import { startControlChannel, runControlCommand, type ControlChannel } from './control';
import {
  shortFrame, withBadBitmap, withBadLength, withUnknownField, withWrongMac,
} from './faults';
import { Ledger, type BookedAdvice } from './ledger';
import { HostSecurity } from './security';
import { SettlementDesk } from './settlement';
import type { BatchTotals } from '../settlement-format';

/**
 * The acquirer host simulator: a TCP server speaking the link's framing and layout. It
 * answers 0200 as an issuer would (see issuer.ts), 0800 with 00, other requests with 12, and
 * plays the configured faults. Everything it saw is kept in `journal`, card data masked.
 */

export interface SimJournalEntry {
  at: Date;
  mti: string;
  stan?: string;
  terminalId?: string;
  /** Field 4 as received. */
  amount?: string;
  /** Field 3 as received: 00xxxx sale, 02xxxx void, 20xxxx refund. */
  processingCode?: string;
  /** Fields present in the request, in order. */
  fields: number[];
  fault: FaultMode;
  /** Absent when the request could not be read or was not a request. */
  decision?: DecisionFacts;
  error?: string;
}

export interface AcquirerSimulator {
  host: string;
  port: number;
  readonly journal: readonly SimJournalEntry[];
  /** Whether the approval of this terminal and STAN stands at the bank (not reversed). */
  isApproved(terminalId: string, stan: string): boolean;
  /** Offline-approval advices booked, one per identity (repeats counted, not rebooked). */
  advices(): BookedAdvice[];
  /** The host's totals of a terminal's open batch, read from the ledger. */
  batchTotals(terminalId: string): BatchTotals;
  /** Changes the faults for the requests that follow. */
  setFaults(faults: Partial<FaultSettings>): void;
  /** The MAC key a terminal listed in the config has now (after its last key exchange). */
  macKey(terminalId: string): Buffer | undefined;
  /** Every request received and what was answered, on disk when the config names a file. */
  readonly ledger: Ledger;
  /** Runs a control command (see control.ts) as the control channel would. */
  control(command: unknown): Record<string, unknown>;
  /** The control channel's port, when the config asks for one. */
  controlPort?: number;
  close(): Promise<void>;
}

export interface SimulatorOptions {
  host?: string;
  /** 0 (the default) lets the OS choose. */
  port?: number;
  /** A layout to use instead of the one the config names. */
  layout?: MessageLayout;
  logger?: Logger;
}

interface Session {
  socket: Socket;
  decoder: FrameDecoder;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

class Simulator {
  readonly journal: SimJournalEntry[] = [];
  private faults: FaultSettings;
  readonly issuer: IssuerHost;
  readonly adviceDesk: AdviceDesk;
  readonly bank: Bank;
  readonly security: HostSecurity;
  readonly settlement: SettlementDesk;
  private readonly random: () => number;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly config: SimulatorConfig, private readonly layout: MessageLayout,
    private readonly log: Logger) {
    this.faults = config.faults;
    this.issuer = new IssuerHost(config);
    this.adviceDesk = new AdviceDesk(config);
    this.bank = new Bank(config, this.issuer, layout, Ledger.open(config.ledger), log);
    this.security = new HostSecurity(config, layout, layout.mac);
    this.settlement = new SettlementDesk(this.bank.ledger);
    this.random = seededRandom(config.seed);
  }

  currentFaults(): FaultSettings {
    return this.faults;
  }

  setFaults(faults: Partial<FaultSettings>): void {
    this.faults = faultSettingsSchema.parse({ ...this.faults, ...faults });
  }

  accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const session = { socket, decoder: new FrameDecoder({ tpdu: this.config.tpdu }) };
    socket.on('data', (chunk: Buffer) => this.onData(session, chunk));
    socket.on('error', (err) => this.log.debug({ err: err.message }, 'simulator socket error'));
    socket.on('close', () => this.sockets.delete(socket));
  }

  closeSockets(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  private onData(session: Session, chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = session.decoder.push(chunk);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'simulator: stream out of step, closing');
      session.socket.destroy();
      return;
    }
    for (const frame of frames) {
      this.handle(session, frame).catch((err: unknown) =>
        this.log.error({ err: (err as Error).message }, 'simulator: cannot answer'));
    }
  }

  private async handle(session: Session, frame: Frame): Promise<void> {
    const at = new Date();
    let request: IsoMessage;
    try {
      request = unpack(frame.message, this.layout);
    } catch (err) {
      this.journal.push({ at, mti: '', fields: [], fault: 'none', error: (err as Error).message });
      return;
    }
    const entry: SimJournalEntry = {
      at, mti: request.mti, fields: [...request.fields.keys()], fault: 'none',
    };
    const stan = fieldText(request, 11);
    const terminalId = fieldText(request, 41);
    const amount = fieldText(request, 4);
    if (stan !== undefined) entry.stan = stan;
    if (terminalId !== undefined) entry.terminalId = terminalId.trimEnd();
    if (amount !== undefined) entry.amount = amount;
    const processingCode = fieldText(request, 3);
    if (processingCode !== undefined) entry.processingCode = processingCode;
    this.journal.push(entry);
    const refused = this.security.refuse(request, frame.message, frame.tpdu, at);
    const decision = refused ?? this.security.keyExchange(request, at)
      ?? this.bank.answer(request, at, (forced) => this.settlement.answer(request, at)
        ?? this.adviceDesk.answer(request, at) ?? this.issuer.answer(request, at, forced));
    if (!decision) return;
    entry.decision = decision.entry;
    entry.fault = decision.fault ?? this.drawFault();
    this.log.info({ mti: entry.mti, stan, rc: decision.entry.responseCode,
      maskedPan: decision.entry.maskedPan, reason: decision.entry.reason, fault: entry.fault },
    'simulator answer');
    const delay = this.faults.delayMs + Math.floor(this.random() * this.faults.delayJitterMs);
    // A timer costs a millisecond or more even at 0; a host with no set delay answers at once.
    if (delay > 0) await sleep(delay);
    this.reply(session, frame, decision.reply, entry.fault);
  }

  private drawFault(): FaultMode {
    if (this.faults.mode === 'none') return 'none';
    return this.random() < this.faults.rate ? this.faults.mode : 'none';
  }

  private reply(session: Session, frame: Frame, reply: IsoMessage, fault: FaultMode): void {
    const { socket } = session;
    if (socket.destroyed) return;
    const tpdu = frame.tpdu ? swapTpdu(frame.tpdu) : undefined;
    const send = (message: IsoMessage): void => {
      socket.write(encodeFrame(this.security.pack(message, tpdu), tpdu));
    };
    switch (fault) {
      case 'no-answer':
        return;
      case 'close':
        socket.destroy();
        return;
      case 'garbled': {
        const packed = pack(reply, this.layout);
        socket.write(encodeFrame(packed.subarray(0, Math.ceil(packed.length / 2)), tpdu));
        return;
      }
      case 'duplicate':
        send(reply);
        send(reply);
        return;
      case 'wrong-stan':
        send(withOtherStan(reply));
        return;
      case 'stray-first':
        send(withOtherStan(reply));
        send(reply);
        return;
      case 'late':
        setTimeout(() => {
          if (!socket.destroyed) send(reply);
        }, this.faults.lateMs).unref();
        return;
      case 'wrong-mac':
        socket.write(encodeFrame(withWrongMac(this.security.pack(reply, tpdu), reply), tpdu));
        return;
      case 'short-frame':
        socket.write(shortFrame(this.security.pack(reply, tpdu), tpdu));
        return;
      case 'bad-length':
        socket.write(withBadLength(encodeFrame(this.security.pack(reply, tpdu), tpdu)));
        return;
      case 'bad-bitmap':
        socket.write(encodeFrame(withBadBitmap(this.security.pack(reply, tpdu), this.layout),
          tpdu));
        return;
      case 'unknown-field':
        socket.write(encodeFrame(withUnknownField(this.security.pack(reply, tpdu), this.layout),
          tpdu));
        return;
      case 'none':
        send(reply);
    }
  }
}

/** The same answer with STAN + 1 (modulo 10^6), which matches no request. */
function withOtherStan(reply: IsoMessage): IsoMessage {
  const stan = Number(fieldText(reply, 11) ?? '0');
  const fields = new Map(reply.fields);
  fields.set(11, String((stan + 1) % 1_000_000).padStart(6, '0'));
  return { mti: reply.mti, fields };
}

/** Starts the simulator on a loopback port (the OS picks one unless `port` is given). */
export async function startAcquirerSimulator(config: SimulatorConfig | SimulatorConfigInput,
  options: SimulatorOptions = {}): Promise<AcquirerSimulator> {
  const settings = parseSimulatorConfig(config);
  const layout = options.layout ?? loadLayout(settings.layout);
  const simulator = new Simulator(settings, layout, options.logger ?? silentLogger);
  const server: Server = createServer((socket) => simulator.accept(socket));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const controlTarget = {
    plan: simulator.bank.plan, ledger: simulator.bank.ledger, configuredFaults: settings.faults,
    faults: () => simulator.currentFaults(), setFaults: (f: Partial<FaultSettings>) =>
      simulator.setFaults(f),
  };
  const control: ControlChannel | undefined = settings.controlPort === undefined ? undefined
    : await startControlChannel(controlTarget, settings.controlPort, options.logger);
  return {
    host, port, journal: simulator.journal,
    isApproved: (terminalId, stan) => simulator.issuer.isApproved(terminalId, stan),
    advices: () => simulator.bank.ledger.advices(),
    batchTotals: (terminalId) => simulator.settlement.openTotals(terminalId),
    setFaults: (faults) => simulator.setFaults(faults),
    macKey: (terminalId) => simulator.security.macKey(terminalId),
    ledger: simulator.bank.ledger,
    control: (command) => runControlCommand(controlTarget, command),
    ...(control ? { controlPort: control.port } : {}),
    close: () => new Promise<void>((resolve) => {
      void control?.close();
      simulator.closeSockets();
      server.close(() => {
        simulator.bank.ledger.close();
        resolve();
      });
    }),
  };
}
