/**
 * A synchronous line writer that assembles its output in one reused buffer
 * and writes it in large chunks (per-row output costs little and allocates
 * nothing per row). It hashes what it writes (SHA-256, chunk by chunk), so a
 * run can name each of its files by content without reading them again.
 */
import { createHash, type Hash } from "node:crypto";
import { closeSync, openSync, readSync, writeSync } from "node:fs";

const UTF8 = new TextEncoder();

/** Writes text as UTF-8 at `at` (room for it reserved); returns the position after it. */
export function writeUtf8(out: Uint8Array, at: number, text: string): number {
  return at + UTF8.encodeInto(text, out.subarray(at)).written;
}

/** A file a writer began and handed over (detach), closed: what it holds. */
export interface WriterHandoff {
  readonly path: string;
  readonly bytes: number;
  readonly lines: number;
}

export class BufferedLineWriter {
  private fd: number;
  /** Bytes not yet written, out[0, at) (a Buffer, typed as what it is used as: declarations need no Node types). */
  protected out: Uint8Array;
  protected at = 0;
  private readonly hash: Hash = createHash("sha256");
  private digest: string | undefined;
  /** Handed over to another writer (detach): closing it is that one's business. */
  private detached = false;
  /** Lines written, header excluded. */
  lines = 0;
  /** Bytes written so far (UTF-8). */
  bytes = 0;

  /** @param from a file another writer began (detach): this one hashes what it holds and goes on after it */
  constructor(readonly path: string, chunk = 1 << 20, from?: WriterHandoff) {
    this.out = Buffer.allocUnsafe(chunk);
    if (from === undefined) {
      this.fd = openSync(path, "w");
      return;
    }
    // Another thread may take it over: descriptors are closed by the thread that opened them.
    this.fd = openSync(path, "a");
    this.bytes = from.bytes;
    this.lines = from.lines;
    // The hash covers the whole file: the part written before is read back.
    const read = openSync(path, "r");
    try {
      for (let at = 0; at < from.bytes; ) {
        const n = readSync(read, this.out, 0, Math.min(this.out.length, from.bytes - at), at);
        if (n === 0) throw new Error(`${path}: ends at byte ${at}, before the ${from.bytes} bytes written to it`);
        this.hash.update(this.out.subarray(0, n));
        at += n;
      }
    } finally {
      closeSync(read);
    }
  }

  /** Makes room for n more bytes: writes what the buffer holds when they would not fit, and grows it for a line longer than it. */
  protected reserve(n: number): void {
    if (this.at + n <= this.out.length) return;
    this.flush();
    if (n > this.out.length) this.out = Buffer.allocUnsafe(n);
  }

  /**
   * Makes room for n more bytes while out[from, at), a line being written,
   * stays in the buffer: what is before it is written out and it moves to
   * the front (the buffer grows for a line longer than it).
   * @returns how far the line moved back (its start is now from - returned)
   */
  protected reserveFrom(from: number, n: number): number {
    if (this.at + n <= this.out.length) return 0;
    if (from > 0) this.emit(this.out.subarray(0, from));
    const pending = this.at - from;
    if (pending + n > this.out.length) {
      const bigger = Buffer.allocUnsafe(2 * (pending + n));
      bigger.set(this.out.subarray(from, this.at));
      this.out = bigger;
    } else this.out.copyWithin(0, from, this.at);
    this.at = pending;
    return from;
  }

  /** Appends one line (without its newline). */
  protected line(text: string, counted = true): void {
    this.reserve(text.length * 3 + 1);
    this.at = writeUtf8(this.out, this.at, text);
    this.out[this.at++] = 10;
    if (counted) this.lines++;
  }

  /** Appends bytes as they are (binary files). */
  protected raw(data: Uint8Array): void {
    if (this.at + data.length > this.out.length) this.flush();
    // Longer than the buffer (a column of a record batch): written straight through.
    if (data.length > this.out.length) return this.emit(data);
    this.out.set(data, this.at);
    this.at += data.length;
  }

  flush(): void {
    if (this.at === 0) return;
    this.emit(this.out.subarray(0, this.at));
    this.at = 0;
  }

  private emit(data: Uint8Array): void {
    for (let done = 0; done < data.length; ) done += writeSync(this.fd, data, done);
    this.hash.update(data);
    this.bytes += data.length;
  }

  /** Writes out what is buffered and closes the file for another writer to go on with it (the constructor's `from`). */
  detach(): WriterHandoff {
    this.flush();
    closeSync(this.fd);
    this.detached = true;
    return { path: this.path, bytes: this.bytes, lines: this.lines };
  }

  close(): void {
    if (this.digest !== undefined || this.detached) return;
    this.flush();
    closeSync(this.fd);
    this.digest = this.hash.digest("hex");
  }

  /** SHA-256 of the whole file, once closed. */
  get sha256(): string {
    if (this.digest === undefined) throw new Error(`BufferedLineWriter: ${this.path} is ${this.detached ? "handed to another writer" : "still open"}`);
    return this.digest;
  }
}
