/**
 * A buffered, synchronous CSV writer. Numbers are written in JavaScript's
 * shortest round-trip form, so output is byte-identical across runs. A number
 * that is not finite is refused with its column and row: NaN or Infinity
 * never reaches a file.
 */
import { SimulationError } from "../core/index.js";
import { BufferedLineWriter } from "./bufferedWriter.js";

export class CsvWriter extends BufferedLineWriter {
  /** Name the rows' cells report under (the file's final name when it is written under a temporary one). */
  name: string;

  constructor(path: string, private readonly header: readonly string[], chunk?: number) {
    super(path, chunk);
    this.name = path;
    this.line(header.join(","), false);
  }

  /** Rows written. */
  get rows(): number {
    return this.lines;
  }

  /**
   * Appends a row; strings containing commas, quotes or newlines are quoted.
   * @throws SimulationError on a number that is not finite, naming the file, row and column
   */
  row(cells: readonly (string | number)[]): void {
    let line = "";
    for (let i = 0; i < cells.length; i++) {
      const c = cells[i];
      if (i > 0) line += ",";
      if (typeof c === "number") {
        if (!Number.isFinite(c)) throw new SimulationError(`${this.name}: row ${this.lines + 1}, column ${this.header[i] ?? i + 1}: expected a finite number, got ${c} (an input beyond the plausible bounds, or a bug; the file is not kept)`);
        line += String(c);
      } else line += quote(c);
    }
    this.line(line);
  }
}

function quote(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
