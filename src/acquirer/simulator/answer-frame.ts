import { createMessage, responseMti, type IsoMessage } from '../../iso8583/message';
import { localTimeFields } from '../fields';

/** The request fields a host echoes in its answer unless a message class says otherwise. */
export const ECHOED_FIELDS: readonly number[] = [3, 4, 11, 24, 41, 42, 49, 60, 70];

/** The answer's frame: the request fields a host echoes, and its own time in 12 and 13. */
export function answerFrame(request: IsoMessage, now: Date,
  echoed: readonly number[] = ECHOED_FIELDS): IsoMessage {
  const reply = createMessage(responseMti(request.mti) ?? request.mti);
  for (const id of echoed) {
    const value = request.fields.get(id);
    if (value !== undefined) reply.fields.set(id, value);
  }
  const [time, date] = localTimeFields(now);
  reply.fields.set(12, time);
  reply.fields.set(13, date);
  return reply;
}
