import type {
  EncipheredPinResult, EncipherRequest, OfflinePinResult, OnlinePinRequest, OnlinePinResult,
  PinEntryDevice, PinMethod, PinPrompt,
} from '../../../src/emv/pin-entry';

/**
 * A PinEntryDevice for kernel tests that plays given answers in order and records every
 * request. It holds no PIN: a plaintext answer is the status word the card would have given
 * (the device itself talks to the card), an enciphered one is the bytes VERIFY P2 88 carries.
 * An answer asked for beyond the script fails the test.
 */
export type ScriptedPinAnswer =
  | { to: 'plaintext'; answer: OfflinePinResult }
  | { to: 'enciphered'; answer: EncipheredPinResult }
  | { to: 'online'; answer: OnlinePinResult };

export type PinRequest =
  | { kind: 'plaintext'; prompt: PinPrompt }
  | { kind: 'enciphered'; request: EncipherRequest }
  | { kind: 'online'; request: OnlinePinRequest };

export class ScriptedPinDevice implements PinEntryDevice {
  readonly methods: ReadonlySet<PinMethod>;
  readonly requests: PinRequest[] = [];
  private readonly answers: ScriptedPinAnswer[];

  constructor(methods: readonly PinMethod[], answers: readonly ScriptedPinAnswer[] = []) {
    this.methods = new Set(methods);
    this.answers = [...answers];
  }

  async verifyPlaintextOffline(prompt: PinPrompt): Promise<OfflinePinResult> {
    this.requests.push({ kind: 'plaintext', prompt });
    return this.next('plaintext').answer as OfflinePinResult;
  }

  async encipherOffline(request: EncipherRequest): Promise<EncipheredPinResult> {
    this.requests.push({ kind: 'enciphered', request });
    return this.next('enciphered').answer as EncipheredPinResult;
  }

  async enterOnline(request: OnlinePinRequest): Promise<OnlinePinResult> {
    this.requests.push({ kind: 'online', request });
    return this.next('online').answer as OnlinePinResult;
  }

  /** True when every scripted answer was given. */
  get done(): boolean {
    return this.answers.length === 0;
  }

  private next(kind: ScriptedPinAnswer['to']): ScriptedPinAnswer {
    const answer = this.answers.shift();
    if (answer?.to !== kind) {
      throw new Error(`PIN device asked for ${kind}, script has ${answer?.to ?? 'nothing'}`);
    }
    return answer;
  }
}
