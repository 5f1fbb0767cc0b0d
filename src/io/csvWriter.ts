/**
 * A buffered, synchronous CSV writer. Numbers are written in JavaScript's
 * shortest round-trip form (String(x)), so output is byte-identical across
 * runs. A number that is not finite is refused with its column and row: NaN
 * or Infinity never reaches a file.
 *
 * Rows go straight into the writer's reused buffer: numbers as the bytes of
 * String(x) without making the string (io/numberText.ts), ASCII strings byte
 * by byte, a row cell by cell (number, text, end), its numbers gathered in a
 * Float64Array (numbers: V8 allocates a double passed to a call it does not
 * inline, 86 MB over KTH x8's jobs.csv cell by cell) or from an array (row).
 * 4.8-5.9x faster in CPU time than building each row as a string
 * (bench/csv.ts, 227,808 jobs.csv-like rows; 4.9-5.6x in its --quick 50,000;
 * machine at load 15-17 on 2 cores).
 */
import { SimulationError } from "../core/index.js";
import { BufferedLineWriter, writeUtf8, type WriterHandoff } from "./bufferedWriter.js";
import { MAX_NUMBER_CHARS, writeNumber } from "./numberText.js";

/** Writing rows of a CSV file, cell by cell or a row at once: CsvWriter, and io/csvThread.ts's writer, which formats them on another thread. */
export interface CsvRows {
  /** Rows written so far (header excluded). */
  readonly rows: number;
  number(x: number): this;
  numbers(values: Float64Array, from: number, to: number): this;
  text(s: string): this;
  cell(c: string | number): this;
  row(cells: readonly (string | number)[]): void;
  end(): void;
}

/** The refusal of a number that is not finite, in the row being written (1-based) at a 0-based cell. */
export function notFinite(file: string, header: readonly string[], row: number, cell: number, x: number): SimulationError {
  const column = header[cell] ?? cell + 1;
  return new SimulationError(`${file}: row ${row}, column ${column}: expected a finite number, got ${x} (an input beyond the plausible bounds, or a bug; the file is not kept)`);
}

export class CsvWriter extends BufferedLineWriter implements CsvRows {
  /** Name the rows' cells report under (the file's final name when it is written under a temporary one). */
  name: string;
  /** Where the row being written starts in the buffer (a refused row is cut back to it). */
  private rowStart = 0;
  /** Cells of the row being written so far. */
  private column = 0;

  /** @param from a file another writer began with this header (BufferedLineWriter.detach): its rows go on after those */
  constructor(path: string, private readonly header: readonly string[], chunk?: number, from?: WriterHandoff) {
    super(path, chunk, from);
    this.name = path;
    if (from === undefined) this.line(header.join(","), false);
    this.rowStart = this.at;
  }

  /** Rows written. */
  get rows(): number {
    return this.lines;
  }

  /** Cells of the row being written so far (0 between rows). */
  get rowCells(): number {
    return this.column;
  }

  /**
   * Appends a row; strings containing commas, quotes or newlines are quoted.
   * @throws SimulationError on a number that is not finite, naming the file, row and column (nothing of the row is written)
   */
  row(cells: readonly (string | number)[]): void {
    for (let i = 0; i < cells.length; i++) this.cell(cells[i]);
    this.end();
  }

  /** Appends a number or a string to the row being written (number() or text()). */
  cell(c: string | number): this {
    return typeof c === "number" ? this.number(c) : this.text(c);
  }

  /**
   * Appends a number to the row being written, cell by cell in the header's
   * order and closed by end(): a row without an array of its cells.
   * @throws SimulationError when x is not finite, naming the file, row and column (the row is dropped: nothing of it is written)
   */
  number(x: number): this {
    if (!Number.isFinite(x)) this.refuse(x);
    this.room(MAX_NUMBER_CHARS + 1);
    if (this.column++ > 0) this.out[this.at++] = 44;
    this.at = writeNumber(this.out, this.at, x);
    return this;
  }

  /**
   * Appends values[from], ..., values[to - 1] to the row being written, each
   * as number() does: a row's numbers gathered in a Float64Array go in with
   * no call per cell, and no double boxed (allocated) to pass it.
   * @throws SimulationError when one is not finite, as number() (the row is dropped)
   */
  numbers(values: Float64Array, from: number, to: number): this {
    if (from >= to) return this;
    // Room for them all at once: the buffer and position are then read once, not per cell.
    this.room((to - from) * (MAX_NUMBER_CHARS + 1));
    const out = this.out;
    let at = this.at;
    if (this.column > 0) out[at++] = 44;
    for (let i = from; i < to; i++) {
      const x = values[i];
      if (!Number.isFinite(x)) {
        this.column += i - from;
        this.refuse(x);
      }
      if (i > from) out[at++] = 44;
      at = writeNumber(out, at, x);
    }
    this.at = at;
    this.column += to - from;
    return this;
  }

  /** Appends a string to the row being written, quoted when it holds a comma, quote or line break. */
  text(s: string): this {
    this.room(s.length * 6 + 3); // every character a 3-byte one, quoted and doubled
    if (this.column++ > 0) this.out[this.at++] = 44;
    this.at = writeText(this.out, this.at, s);
    return this;
  }

  /** Ends the row being written. */
  end(): void {
    this.room(1);
    this.out[this.at++] = 10;
    this.lines++;
    this.column = 0;
    this.rowStart = this.at;
  }

  override flush(): void {
    super.flush();
    this.rowStart = this.at;
  }

  /** Room for n more bytes of the row, which stays whole in the buffer (rows before it are written out first). */
  private room(n: number): void {
    if (this.at + n > this.out.length) this.rowStart -= this.reserveFrom(this.rowStart, n);
  }

  private refuse(x: number): never {
    const cell = this.column;
    this.at = this.rowStart;
    this.column = 0;
    throw notFinite(this.name, this.header, this.lines + 1, cell, x);
  }
}

/** Writes a cell's text, quoted when it holds a comma, quote or line break; returns the position after it. */
function writeText(out: Uint8Array, at: number, s: string): number {
  const start = at;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Not plain ASCII, or needs quotes: the general path.
    if (c >= 128 || c === 44 || c === 34 || c === 10 || c === 13) return writeUtf8(out, start, quote(s));
    out[at++] = c;
  }
  return at;
}

function quote(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
