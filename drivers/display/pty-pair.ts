import { spawn } from 'node:child_process';

export interface PtyPair {
  /** The end the driver opens (SerialDisplay, SerialPrinter). */
  devicePath: string;
  /** The end the simulator opens. */
  simulatorPath: string;
  close(): Promise<void>;
}

/**
 * Starts `socat -d -d pty,raw,echo=0 pty,raw,echo=0`, a pair of linked pseudo-terminals, and
 * reads their paths from socat's notices ("N PTY is /dev/pts/3") on stderr.
 */
export function startPtyPair(timeoutMs = 5000): Promise<PtyPair> {
  const socat = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const close = (): Promise<void> => new Promise<void>((resolve) => {
    if (socat.exitCode !== null || socat.signalCode !== null) return resolve();
    socat.once('exit', () => resolve());
    socat.kill('SIGTERM');
  });
  return new Promise<PtyPair>((resolve, reject) => {
    let stderr = '';
    const fail = (message: string): void => {
      clearTimeout(timer);
      void close();
      reject(new Error(message));
    };
    const timer = setTimeout(() => fail(`socat gave no pty pair: ${stderr.trim()}`), timeoutMs);
    socat.once('error', (err: NodeJS.ErrnoException) => fail(err.code === 'ENOENT'
      ? 'socat is not installed: apt-get install socat'
      : `socat failed to start: ${err.message}`));
    const exited = (code: number | null): void => fail(`socat exited (${code}): ${stderr.trim()}`);
    socat.once('exit', exited);
    socat.stderr.setEncoding('utf8');
    socat.stderr.on('data', (text: string) => {
      stderr += text;
      const paths = [...stderr.matchAll(/PTY is (\S+)\r?\n/g)].map((m) => m[1]!);
      if (paths.length < 2 || !stderr.includes('starting data transfer loop')) return;
      clearTimeout(timer);
      socat.removeListener('exit', exited);
      resolve({ devicePath: paths[0]!, simulatorPath: paths[1]!, close });
    });
  });
}
