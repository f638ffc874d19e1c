import { QuayError } from '../errors';

/**
 * A QR payment code that cannot be built or read, or a confirmation that cannot be trusted.
 * `detail.field` names the field as a path of IDs ("38.01.00"), so the message can say which.
 */
export class QrError extends QuayError {}
