import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync }
  from 'node:fs';
import { dirname } from 'node:path';

export interface RotatingFileOptions {
  path: string;
  /** A file is rotated before a line would take it past this size. */
  maxBytes: number;
  /** Rotated files kept: path.1 (newest) to path.keep (oldest); older ones are deleted. */
  keep: number;
}

/** The files of a rotated log, the current one first, then .1, .2, ... as far as they exist. */
export function rotatedFiles(path: string, keep: number): string[] {
  return [path, ...Array.from({ length: keep }, (_, i) => `${path}.${i + 1}`)]
    .filter((file) => existsSync(file));
}

/**
 * A pino destination that appends to a file and rotates it by size, keeping `keep` old files.
 * No package for rotation is installed (neither pino-roll nor rotating-file-stream), so this
 * is a small one. Writes are synchronous: the lines before a crash are on disk, which is what
 * a technician reading the log of a lost payment needs, and a counter writes few lines.
 */
export class RotatingFile {
  private fd: number;
  private size: number;

  constructor(private readonly options: RotatingFileOptions) {
    mkdirSync(dirname(options.path), { recursive: true, mode: 0o750 });
    this.fd = this.open();
    this.size = fstatSync(this.fd).size;
  }

  write(line: string): boolean {
    const bytes = Buffer.byteLength(line);
    if (this.size > 0 && this.size + bytes > this.options.maxBytes) this.rotate();
    writeSync(this.fd, line);
    this.size += bytes;
    return true;
  }

  close(): void {
    closeSync(this.fd);
  }

  private open(): number {
    return openSync(this.options.path, 'a', 0o640);
  }

  /** Shifts path.N-1 to path.N down to path to path.1, then starts an empty file. */
  private rotate(): void {
    closeSync(this.fd);
    const { path, keep } = this.options;
    rmSync(`${path}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i -= 1) {
      if (existsSync(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
    }
    renameSync(path, `${path}.1`);
    this.fd = this.open();
    this.size = 0;
  }
}
