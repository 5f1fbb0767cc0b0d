/**
 * A synchronous line writer that joins lines in memory and writes them in
 * large chunks (per-row output costs little). It hashes what it writes
 * (SHA-256, chunk by chunk), so a run can name each of its files by content
 * without reading them again.
 */
import { createHash, type Hash } from "node:crypto";
import { closeSync, openSync, writeSync } from "node:fs";

export class BufferedLineWriter {
  private fd: number;
  private buf: string[] = [];
  private size = 0;
  private readonly hash: Hash = createHash("sha256");
  private digest: string | undefined;
  /** Lines written, header excluded. */
  lines = 0;
  /** Bytes written so far (UTF-8). */
  bytes = 0;

  constructor(readonly path: string, private readonly chunk = 1 << 20) {
    this.fd = openSync(path, "w");
  }

  /** Appends one line (without its newline). */
  protected line(text: string, counted = true): void {
    this.buf.push(text, "\n");
    this.size += text.length + 1;
    if (counted) this.lines++;
    if (this.size >= this.chunk) this.flush();
  }

  flush(): void {
    if (this.buf.length > 0) {
      const data = Buffer.from(this.buf.join(""), "utf8");
      writeSync(this.fd, data);
      this.hash.update(data);
      this.bytes += data.length;
    }
    this.buf = [];
    this.size = 0;
  }

  close(): void {
    if (this.digest !== undefined) return;
    this.flush();
    closeSync(this.fd);
    this.digest = this.hash.digest("hex");
  }

  /** SHA-256 of the whole file, once closed. */
  get sha256(): string {
    if (this.digest === undefined) throw new Error(`BufferedLineWriter: ${this.path} is still open`);
    return this.digest;
  }
}
