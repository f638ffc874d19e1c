import type { CustomerDisplay } from '../../drivers/display/types';
import { displayLines, type DisplayEvent, type DisplayLanguage } from './lines';

/** Lays out an event for a display and shows it. */
export function showEvent(display: CustomerDisplay, event: DisplayEvent,
  lang: DisplayLanguage = 'vi'): Promise<void> {
  const [first, second] = displayLines(event, lang, display.columns);
  return display.show(first, second);
}
