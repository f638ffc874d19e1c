import { createServer, type Server, type Socket } from 'node:net';
import { z } from 'zod';
import { silentLogger, type Logger } from '../../log';
import { FAULT_MODES, type FaultSettings } from './config';
import type { FaultPlan } from './faults';
import type { Ledger } from './ledger';

/**
 * The simulator's control channel: a loopback TCP port that takes one JSON object per line and
 * answers one JSON line, for technicians (`nc 127.0.0.1 PORT`) and for tests.
 *
 *   {"cmd":"faults","mode":"late","lateMs":5000}      every request from now on
 *   {"cmd":"rule","pan":"4761739001010010","responseCode":"51","count":1}
 *   {"cmd":"rule","amountEndsWith":"500","fault":"close"}
 *   {"cmd":"clear"}       rules by command removed, faults back to the config's
 *   {"cmd":"status"}  {"cmd":"approvals"}  {"cmd":"reversals"}
 *
 * Answers: {"ok":true,...} or {"ok":false,"error":"..."}.
 */

export interface ControlTarget {
  plan: FaultPlan;
  ledger: Ledger;
  faults(): FaultSettings;
  setFaults(faults: Partial<FaultSettings>): void;
  /** The faults of the config file, restored by `clear`. */
  configuredFaults: FaultSettings;
}

const code = z.string().regex(/^[0-9A-Z]{2}$/);
const commandSchema = z.discriminatedUnion('cmd', [
  z.strictObject({
    cmd: z.literal('faults'),
    mode: z.enum(FAULT_MODES).optional(),
    rate: z.number().min(0).max(1).optional(),
    delayMs: z.number().int().min(0).optional(),
    delayJitterMs: z.number().int().min(0).optional(),
    lateMs: z.number().int().min(0).optional(),
  }),
  z.strictObject({
    cmd: z.literal('rule'),
    pan: z.string().regex(/^\d{12,19}$/).optional(),
    amountEndsWith: z.string().regex(/^\d{1,12}$/).optional(),
    responseCode: code.optional(),
    fault: z.enum(FAULT_MODES).optional(),
    count: z.number().int().positive().optional(),
  }).refine((c) => c.responseCode !== undefined || c.fault !== undefined,
    'a rule needs a responseCode or a fault'),
  z.strictObject({ cmd: z.literal('clear') }),
  z.strictObject({ cmd: z.literal('status') }),
  z.strictObject({ cmd: z.literal('approvals') }),
  z.strictObject({ cmd: z.literal('reversals') }),
]);

export type ControlCommand = z.input<typeof commandSchema>;

/** Runs one command; the answer is what the channel writes back as a JSON line. */
export function runControlCommand(target: ControlTarget, raw: unknown): Record<string, unknown> {
  const parsed = commandSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'cmd'}: ${i.message}`);
    return { ok: false, error: issues.join('; ') };
  }
  const command = parsed.data;
  switch (command.cmd) {
    case 'faults': {
      const { cmd: _cmd, ...faults } = command;
      target.setFaults(faults);
      return { ok: true, faults: target.faults() };
    }
    case 'rule': {
      const { cmd: _cmd, count, ...rule } = command;
      target.plan.add(count === undefined ? rule : { ...rule, remaining: count });
      return { ok: true, rules: target.plan.rules() };
    }
    case 'clear':
      target.plan.clear();
      target.setFaults(target.configuredFaults);
      return { ok: true, faults: target.faults(), rules: target.plan.rules() };
    case 'status':
      return { ok: true, faults: target.faults(), rules: target.plan.rules(),
        requests: target.ledger.requests().length, ledger: target.ledger.path };
    case 'approvals':
      return { ok: true, approvals: target.ledger.approvals() };
    case 'reversals':
      return { ok: true, reversals: target.ledger.reversals() };
  }
}

export interface ControlChannel {
  port: number;
  close(): Promise<void>;
}

function serve(target: ControlTarget, socket: Socket, log: Logger): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line !== '') {
        let answer: Record<string, unknown>;
        try {
          answer = runControlCommand(target, JSON.parse(line));
        } catch (err) {
          answer = { ok: false, error: `not JSON: ${(err as Error).message}` };
        }
        log.info({ command: line, ok: answer.ok }, 'simulator control command');
        socket.write(`${JSON.stringify(answer)}\n`);
      }
      newline = buffered.indexOf('\n');
    }
  });
  socket.on('error', () => socket.destroy());
}

/** Listens on 127.0.0.1 only: the channel changes what the bank answers. */
export async function startControlChannel(target: ControlTarget, port: number,
  log: Logger = silentLogger): Promise<ControlChannel> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serve(target, socket, log);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
