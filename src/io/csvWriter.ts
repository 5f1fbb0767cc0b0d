/**
 * A buffered, synchronous CSV writer: rows are joined in memory and written in
 * large chunks, so writing a row per job costs little. Numbers are written in
 * JavaScript's shortest round-trip form, so output is byte-identical across runs.
 */
import { closeSync, openSync, writeSync } from "node:fs";

export class CsvWriter {
  private fd: number;
  private buf: string[] = [];
  private size = 0;
  rows = 0;

  constructor(readonly path: string, header: readonly string[], private readonly chunk = 1 << 20) {
    this.fd = openSync(path, "w");
    this.buf.push(header.join(","), "\n");
  }

  /** Appends a row; strings containing commas, quotes or newlines are quoted. */
  row(cells: readonly (string | number)[]): void {
    let line = "";
    for (let i = 0; i < cells.length; i++) {
      const c = cells[i];
      if (i > 0) line += ",";
      line += typeof c === "number" ? String(c) : quote(c);
    }
    this.buf.push(line, "\n");
    this.size += line.length + 1;
    this.rows++;
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

function quote(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
