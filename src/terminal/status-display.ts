import type { CustomerDisplay } from '../../drivers/display/types';
import { displayLines, type DisplayEvent, type DisplayLanguage } from '../display/lines';
import type { Logger } from '../log';
import type { StatusDisplay } from './payment';

/**
 * The customer display as the payment flow uses it: an event in, two laid-out lines shown.
 * A display fault is logged once per payment step and never stops a payment.
 */
export class CustomerStatusDisplay implements StatusDisplay {
  private lastLines: readonly [string, string] | undefined;

  constructor(private readonly display: CustomerDisplay | null,
    private readonly language: DisplayLanguage, private readonly log: Logger) {}

  get last(): readonly [string, string] | undefined {
    return this.lastLines;
  }

  async show(event: DisplayEvent): Promise<void> {
    const columns = this.display?.columns ?? 20;
    const lines = displayLines(event, this.language, columns);
    this.lastLines = lines;
    if (!this.display) return;
    try {
      await this.display.show(lines[0], lines[1]);
    } catch (err) {
      this.log.warn({ err }, 'customer display not updated');
    }
  }
}
