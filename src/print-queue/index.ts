export { PrintQueue } from './queue';
export type {
  JournalLike, PrintJobInfo, PrinterNotice, PrintQueueEvents, PrintQueueOptions,
} from './queue';
export type {
  NewPrintJob, PrinterProblem, PrintJobKind, PrintJobRow, PrintJobState,
} from './store';
export { PROBLEM_TEXT } from './notice';
export { markedAsReprint, REPRINT_TEXT } from './reprint-mark';
