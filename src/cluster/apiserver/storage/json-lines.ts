/**
 * Line-at-a-time file I/O for the store's snapshot and write-ahead log. Neither side ever holds a
 * whole file as one string: V8 caps strings at about 512 MB, and the store may be bigger than that.
 * Synchronous on purpose: the object store commits synchronously, and a blocking write is its own
 * backpressure.
 */
import { closeSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';

const NEWLINE = 0x0a;
const DEFAULT_CHUNK_BYTES = 1 << 20;

export interface Line {
  text: string;
  /** 1-based, for error messages. */
  number: number;
  /** Bytes of the line, without its newline. */
  bytes: number;
  /** Byte offset just past this line (and its newline, if it has one). */
  end: number;
  /** False for a last line the file ends in without a newline. */
  terminated: boolean;
}

/** Calls `onLine` for every line of the file, reading it in chunks of `chunkBytes`. */
export function forEachLine(path: string, onLine: (line: Line) => void, chunkBytes = DEFAULT_CHUNK_BYTES): void {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(chunkBytes);
    let partial: Buffer[] = []; // pieces of a line that spans chunks
    let position = 0;
    let number = 0;
    for (;;) {
      const read = readSync(fd, buf, 0, chunkBytes, position);
      if (read === 0) break;
      let start = 0;
      for (let nl = buf.indexOf(NEWLINE, 0); nl !== -1 && nl < read; nl = buf.indexOf(NEWLINE, start)) {
        const piece = buf.subarray(start, nl);
        const whole = partial.length ? Buffer.concat([...partial, piece]) : piece;
        partial = [];
        onLine({ text: whole.toString('utf8'), bytes: whole.length, number: ++number, end: position + nl + 1, terminated: true });
        start = nl + 1;
      }
      if (start < read) partial.push(Buffer.from(buf.subarray(start, read)));
      position += read;
    }
    if (partial.length) {
      const whole = Buffer.concat(partial);
      onLine({ text: whole.toString('utf8'), bytes: whole.length, number: ++number, end: position, terminated: false });
    }
  } finally {
    closeSync(fd);
  }
}

/** Writes the whole buffer, however many calls the OS needs for it. */
export function writeFully(fd: number, data: Buffer): void {
  for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
}

/**
 * Appends lines to a new file through a bounded buffer, so memory stays at one chunk (plus the
 * line being written) whatever the file's size. `finish` flushes, fsyncs and closes.
 */
export class LineWriter {
  private readonly fd: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private closed = false;

  constructor(
    path: string,
    private readonly chunkBytes = DEFAULT_CHUNK_BYTES,
  ) {
    this.fd = openSync(path, 'w');
  }

  writeLine(text: string): void {
    const data = Buffer.from(text + '\n', 'utf8');
    this.pending.push(data);
    this.pendingBytes += data.length;
    if (this.pendingBytes >= this.chunkBytes) this.flush();
  }

  finish(): void {
    try {
      this.flush();
      fsyncSync(this.fd);
    } finally {
      this.close();
    }
  }

  /** Closes without flushing, after a failure. */
  abandon(): void {
    try {
      this.close();
    } catch {
      // already failing: the first error is the one worth reporting
    }
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private flush(): void {
    if (!this.pendingBytes) return;
    writeFully(this.fd, this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes));
    this.pending = [];
    this.pendingBytes = 0;
  }
}
