import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { startApp, type App } from '../../src/app';
import { loadConfig } from '../../src/config/load';
import { createLogger } from '../../src/log';
import { seedAdvice } from '../forwarder/seed';

/**
 * quay as its own process for the crash tests: starts the app from a configuration file
 * (recovering what a crash left, as `quay start` does), does one thing and exits. With
 * QUAY_CRASH_AT set it dies by SIGKILL at that point (src/terminal/crash-points.ts).
 *
 *   tsx test/crash/driver.ts CONFIG pay AMOUNT REFERENCE   one payment; prints its result
 *   tsx test/crash/driver.ts CONFIG seed N                  N offline approvals queued
 *   tsx test/crash/driver.ts CONFIG drain                   reversals and advices until none
 */

async function drainAll(app: App): Promise<Record<string, unknown>> {
  for (let round = 0; round < 200; round += 1) {
    const result = await app.forwarder.drain();
    const summary = app.adviceQueue.summary();
    if (!result.reversalsLeft && summary.pending === 0) return { ...summary };
    await new Promise((resolve) => setTimeout(resolve, 50));
    app.adviceQueue.retryNow();
  }
  throw new Error('the queue did not drain');
}

async function main(): Promise<void> {
  const [configPath, command, ...args] = process.argv.slice(2);
  const loaded = loadConfig(configPath);
  const logs = join(loaded.resolvePath(loaded.config.dataDir), 'logs');
  mkdirSync(logs, { recursive: true });
  const log = createLogger({ level: 'info' },
    pino.destination({ dest: join(logs, 'quay.log'), append: true, sync: true }));
  const app = await startApp(loaded, { log, forward: false });
  let out: unknown;
  if (command === 'pay') {
    out = await app.terminal.pay({ amount: Number(args[0]), reference: args[1]! });
  } else if (command === 'seed') {
    const n = Number(args[0]);
    const { terminalId, merchantId } = loaded.config.terminal;
    for (let i = 1; i <= n; i += 1) {
      seedAdvice(app.journal, app.adviceQueue, i * 1_000, `HS-${i}`, { terminalId, merchantId });
    }
    out = app.adviceQueue.summary();
  } else if (command === 'drain') {
    out = await drainAll(app);
  } else {
    throw new Error(`unknown command ${command}`);
  }
  await app.close();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`crash driver: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
