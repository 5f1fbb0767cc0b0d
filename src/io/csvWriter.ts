/**
 * A buffered, synchronous CSV writer. Numbers are written in JavaScript's
 * shortest round-trip form, so output is byte-identical across runs.
 */
import { BufferedLineWriter } from "./bufferedWriter.js";

export class CsvWriter extends BufferedLineWriter {
  constructor(path: string, header: readonly string[], chunk?: number) {
    super(path, chunk);
    this.line(header.join(","), false);
  }

  /** Rows written. */
  get rows(): number {
    return this.lines;
  }

  /** Appends a row; strings containing commas, quotes or newlines are quoted. */
  row(cells: readonly (string | number)[]): void {
    let line = "";
    for (let i = 0; i < cells.length; i++) {
      const c = cells[i];
      if (i > 0) line += ",";
      line += typeof c === "number" ? String(c) : quote(c);
    }
    this.line(line);
  }
}

function quote(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
