import { HostError, KeyError } from '../errors';
import type { MessageLayout } from '../iso8583/layout';
import type { TerminalKeyStore } from '../keys/terminal-keys';
import { silentLogger, type Logger } from '../log';
import { buildNetworkRequest, readNetworkResponse, type NetworkFunction } from './network';
import { isApproved } from './response-codes';
import type { Acquirer } from '../terminal/payment';

export interface NetworkSessionOptions {
  acquirer: Acquirer;
  layout: MessageLayout;
  keys: TerminalKeyStore;
  terminalId: string;
  nii: string;
  /** The next STAN of the terminal (shared with payments: the journal's counter). */
  nextStan(): number;
  log?: Logger;
}

export interface SignOnResult {
  responseCode: string;
  /** Check value of the MAC key now in use. */
  macKeyKcv: string;
}

/**
 * Sign-on, echo test and key exchange with the bank. The key exchange installs the working
 * MAC key in the key store only when its check value matches; otherwise the store throws
 * KEY_CHECK_FAILED and the key in use stays.
 */
export class NetworkSession {
  private readonly log: Logger;

  constructor(private readonly options: NetworkSessionOptions) {
    this.log = options.log ?? silentLogger;
  }

  /** Signs on, then asks for a new MAC key (nothing is sent without a master key). */
  async signOn(): Promise<SignOnResult> {
    this.requireMasterKey();
    await this.expectApproved('sign-on');
    return this.exchangeKeys();
  }

  /** An echo test: resolves with the response code; a refusal is a HostError. */
  async echo(): Promise<string> {
    return (await this.expectApproved('echo')).responseCode;
  }

  /**
   * Asks for a new MAC key. Without a master key nothing is sent (KEY_MISSING): the bank would
   * move to a key the terminal cannot open.
   */
  async exchangeKeys(): Promise<SignOnResult> {
    this.requireMasterKey();
    const answer = await this.expectApproved('key-exchange');
    const macKeyKcv = this.options.keys.installMacKey(answer.keyBlock!.encrypted,
      answer.keyBlock!.kcv);
    this.log.info({ event: 'keys.mac-installed', kcv: macKeyKcv }, 'new MAC key installed');
    return { responseCode: answer.responseCode, macKeyKcv };
  }

  private requireMasterKey(): void {
    if (!this.options.keys.key('master')) {
      throw new KeyError('KEY_MISSING', 'no terminal master key is loaded: load it first '
        + '(quay keys load-tmk), then sign on');
    }
  }

  private async expectApproved(fn: NetworkFunction) {
    const { acquirer, layout, terminalId, nii } = this.options;
    const stan = this.options.nextStan();
    const request = buildNetworkRequest(fn, { stan, terminalId, nii, localTime: new Date() },
      layout);
    const answer = readNetworkResponse(await acquirer.exchange(request), { stan, terminalId }, fn);
    if (!isApproved(answer.responseCode)) {
      throw new HostError('HOST_PROTOCOL', `${fn} refused by the bank (${answer.responseCode})`, {
        detail: { function: fn, responseCode: answer.responseCode },
      });
    }
    return answer;
  }
}
