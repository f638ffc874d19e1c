import { join } from 'node:path';
import type { LoadedConfig } from '../../config/load';
import { ConfigError } from '../../errors';
import type { Logger } from '../../log';
import { loadSimulatorConfig } from './config';
import { startAcquirerSimulator, type AcquirerSimulator } from './server';

/**
 * The bank simulator of an `embedded-simulator` host, on a loopback port. It remembers across
 * runs, as a bank does: what it approved (so that a later reversal or settlement finds it) and
 * the MAC keys it handed out at sign-on, in the data folder unless its own config says where.
 */
export async function startEmbeddedBank(loaded: LoadedConfig,
  logger: Logger): Promise<AcquirerSimulator> {
  const host = loaded.config.host;
  if (host.kind !== 'embedded-simulator') {
    throw new ConfigError('CONFIG_INVALID', 'host.kind is not embedded-simulator');
  }
  const simConfig = loadSimulatorConfig(host.simulatorConfig
    ? loaded.resolvePath(host.simulatorConfig) : undefined);
  const simDir = join(loaded.resolvePath(loaded.config.dataDir), 'acquirer-simulator');
  return startAcquirerSimulator({ ...simConfig,
    ledger: simConfig.ledger ?? join(simDir, 'ledger.db'),
    keyFile: simConfig.keyFile ?? join(simDir, 'keys.json'),
    layout: host.layout, tpdu: host.tpdu !== undefined,
    ...(host.mac ? { mac: host.mac } : {}) }, { logger });
}
