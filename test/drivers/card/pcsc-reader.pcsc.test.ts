import { PcscReader } from '../../../drivers/card/pcsc-reader';
import { VpcdLink } from '../../../drivers/card/virtual/vpcd-link';
import { describeReaderContract } from './reader-contract';

/**
 * The PC/SC reader through pcscd and vpcd's first slot ("Virtual PCD 00 00", port 35963),
 * started by test/support/pcscd.ts. About 48 ms per APDU: these tests stay few and short.
 */
describeReaderContract('PcscReader contract (pcscd + vpcd)', async () => {
  const reader = new PcscReader();
  let link: VpcdLink | undefined;
  const fixture = {
    reader,
    readerName: 'Virtual PCD 00 00',
    insert: async (card: ConstructorParameters<typeof VpcdLink>[0]) => {
      link = new VpcdLink(card, { port: 35963 });
      await link.connect();
    },
    remove: async () => {
      await link?.close();
      await reader.waitForRemoval({ reader: fixture.readerName, timeoutMs: 10_000 });
    },
    dispose: async () => {
      await fixture.remove().catch(() => undefined);
      await reader.close();
    },
  };
  // Start each test with the slot seen empty, whatever the previous test left behind.
  await reader.waitForRemoval({ reader: fixture.readerName, timeoutMs: 10_000 });
  return fixture;
}, { expectedName: 'Virtual PCD 00 00' });
