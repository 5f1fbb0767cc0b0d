/** A buffered writer of JSON lines (one object per line), for streamed records such as decisions. */
import { closeSync, openSync, writeSync } from "node:fs";

export class JsonLinesWriter {
  private fd: number;
  private buf: string[] = [];
  private size = 0;
  lines = 0;

  constructor(readonly path: string, private readonly chunk = 1 << 20) {
    this.fd = openSync(path, "w");
  }

  write(record: unknown): void {
    const line = JSON.stringify(record);
    this.buf.push(line, "\n");
    this.size += line.length + 1;
    this.lines++;
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
