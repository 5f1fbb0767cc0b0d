/** A synchronous line writer that joins lines in memory and writes them in large chunks (per-row output costs little). */
import { closeSync, openSync, writeSync } from "node:fs";

export class BufferedLineWriter {
  private fd: number;
  private buf: string[] = [];
  private size = 0;
  /** Lines written, header excluded. */
  lines = 0;

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
    if (this.buf.length > 0) writeSync(this.fd, this.buf.join(""));
    this.buf = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
