import type { CardChannel } from '../../src/emv/commands';
import type {
  EncipherRequest, EncipheredPinResult, OfflinePinResult, OnlinePinRequest, OnlinePinResult,
  PinEntryDevice, PinMethod, PinPrompt,
} from '../../src/emv/pin-entry';
import type { EmvPinPadSimulator } from './emv-pinpad-simulator';

/**
 * The EMV PIN pad simulator as the daemon uses it for rehearsal: nobody types at a screen, so
 * the cardholder's entries come from the configuration, one per prompt of a card session in
 * turn (['4321', '1234'] types a wrong PIN, then the right one when the card asks again). The
 * simulator itself holds the keys and the DUKPT counter across sessions; the entries are the
 * only PINs in software, as they are in the simulator's own script.
 */
export class RehearsalPinPad {
  constructor(private readonly pad: EmvPinPadSimulator,
    private readonly entries: readonly string[]) {
    if (entries.length === 0) throw new RangeError('a rehearsal PIN pad needs an entry');
  }

  /** The PIN entry device of one card session: the pad wired to that card. */
  forSession(card: CardChannel): PinEntryDevice {
    this.pad.attachCard(card);
    const { pad, entries } = this;
    // Typed only where the pad takes that kind of PIN, so no entry is left for a later prompt.
    const typed = (method: PinMethod, prompt: PinPrompt) => {
      if (pad.methods.has(method)) pad.enter(entries[(prompt.attempt - 1) % entries.length]!);
    };
    return {
      methods: pad.methods as ReadonlySet<PinMethod>,
      verifyPlaintextOffline(prompt: PinPrompt): Promise<OfflinePinResult> {
        typed('offline-plaintext', prompt);
        return pad.verifyPlaintextOffline(prompt);
      },
      encipherOffline(request: EncipherRequest): Promise<EncipheredPinResult> {
        typed('offline-enciphered', request);
        return pad.encipherOffline(request);
      },
      enterOnline(request: OnlinePinRequest): Promise<OnlinePinResult> {
        typed('online', request);
        return pad.enterOnline(request);
      },
    };
  }
}
