export { displayLines, displayAmount } from './lines';
export type { DisplayEvent, DisplayLanguage } from './lines';
export { foldToAscii } from './fold';
export { showEvent } from './show';
