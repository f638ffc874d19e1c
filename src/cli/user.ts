import type { Command } from 'commander';
import { hashSecret } from '../api/auth';
import { RequestError } from '../errors';

/** The shortest PIN or password accepted for a counter user. */
const MIN_SECRET = 4;

/**
 * `quay user hash`: the slow hash of a clerk's PIN or password for `api.users[].secret`. The
 * secret is read from standard input, never from the command line, so it stays out of the
 * shell history and the process list.
 */
export function addUserCommands(program: Command): void {
  program.command('user')
    .description('counter users / người dùng tại quầy')
    .command('hash')
    .description('print the hash of a PIN or password read from standard input ' +
      '/ tạo mã băm mật khẩu')
    .action(async () => {
      const secret = (await firstLine(process.stdin)).normalize('NFC');
      if (secret.length < MIN_SECRET) {
        throw new RequestError('REQUEST_INVALID',
          `the PIN or password has fewer than ${MIN_SECRET} characters`);
      }
      process.stdout.write(`${await hashSecret(secret)}\n`);
    });
}

async function firstLine(input: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += chunk.toString();
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}
