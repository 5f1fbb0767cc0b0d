/**
 * A table of numbers written as an Apache Arrow IPC file (the Feather v2
 * format: pandas.read_feather, pyarrow.ipc.open_file, polars.read_ipc, R
 * arrow::read_feather, DuckDB read it directly), through the apache-arrow
 * package (the Apache Arrow project's own JavaScript implementation).
 *
 * Why Arrow IPC rather than Parquet: the file is the columns' memory as it
 * is, so writing costs a copy (no encoding or compression pass on the
 * simulator's critical path), and apache-arrow is the reference library,
 * maintained by the Arrow project with its C++ and Python readers tested
 * against it; a Parquet writer in JavaScript (hyparquet-writer, parquet-wasm)
 * is a smaller project or WebAssembly, and slower to write.
 *
 * Rows go into typed arrays of BATCH_ROWS rows; each full batch is written as
 * one record batch, so memory stays flat in the number of rows. Whole-number
 * columns are int64, the others float64; a number that is not finite is
 * refused with its file, row and column, as in CSV. Written through
 * BufferedLineWriter, so the run hashes it as it goes like its other files.
 */
import { AsyncByteQueue, Field, Float64, Int64, makeData, RecordBatch, RecordBatchFileWriter, Schema, Struct, type Data, type DataType } from "apache-arrow";
import { SimulationError } from "../core/index.js";
import { BufferedLineWriter } from "./bufferedWriter.js";

/** A column of the table: float64 by default, int64 for whole numbers (ids). */
export interface ArrowColumn {
  readonly name: string;
  readonly type?: "float64" | "int64";
}

/** Rows per record batch: 16k rows of 75 columns are about 10 MB of column memory. */
export const BATCH_ROWS = 16_384;
/** Rows the columns first hold; they grow 4x at a time up to a batch (a small run touches little memory). */
const FIRST_ROWS = 1024;

/** The writer's byte sink: what apache-arrow writes goes straight to the file (no queue kept in memory). */
class Sink extends AsyncByteQueue {
  constructor(private readonly to: (bytes: Uint8Array) => void) {
    super();
  }
  override write(value: Uint8Array): void {
    if (value.byteLength > 0) this.to(value);
  }
}

export class ArrowTableWriter extends BufferedLineWriter {
  /** Name the rows report under (the file's final name when it is written under a temporary one). */
  name: string;
  private readonly schema: Schema;
  private readonly writer: RecordBatchFileWriter;
  private readonly values: Float64Array[];
  private readonly ints: boolean[];
  private n = 0;
  private closed = false;

  constructor(path: string, private readonly columns: readonly ArrowColumn[], private readonly batchRows = BATCH_ROWS) {
    super(path);
    this.name = path;
    this.ints = columns.map((c) => c.type === "int64");
    this.schema = new Schema(columns.map((c) => new Field(c.name, c.type === "int64" ? new Int64() : new Float64(), false)));
    this.values = columns.map(() => new Float64Array(Math.min(batchRows, FIRST_ROWS)));
    this.writer = new RecordBatchFileWriter();
    this.writer.reset(new Sink((bytes) => this.raw(bytes)), this.schema);
  }

  /** Rows written. */
  get rows(): number {
    return this.lines;
  }

  /**
   * Appends a row, one number per column in order (a reused array is fine: it is copied).
   * @throws SimulationError on a number that is not finite (or not whole in an int64 column), naming the file, row and column
   */
  row(cells: ArrayLike<number>): void {
    const i = this.n;
    for (let k = 0; k < this.columns.length; k++) {
      const x = cells[k];
      if (!Number.isFinite(x) || (this.ints[k] && !Number.isSafeInteger(x))) {
        throw new SimulationError(`${this.name}: row ${this.lines + 1}, column ${this.columns[k].name}: expected a finite ${this.ints[k] ? "whole " : ""}number, got ${x} (an input beyond the plausible bounds, or a bug; the file is not kept)`);
      }
    }
    if (i === this.values[0].length) this.grow();
    for (let k = 0; k < this.columns.length; k++) this.values[k][i] = cells[k];
    this.lines++;
    if (++this.n === this.batchRows) this.writeBatch();
  }

  private grow(): void {
    const size = Math.min(this.batchRows, this.values[0].length * 4);
    for (let k = 0; k < this.values.length; k++) {
      const v = new Float64Array(size);
      v.set(this.values[k]);
      this.values[k] = v;
    }
  }

  private writeBatch(): void {
    const length = this.n;
    const children: Data<DataType>[] = this.columns.map((c, k) => {
      const v = this.values[k].subarray(0, length);
      return this.ints[k] ? makeData({ type: new Int64(), length, data: BigInt64Array.from(v, (x) => BigInt(x)) }) : makeData({ type: new Float64(), length, data: v });
    });
    this.writer.write(new RecordBatch(this.schema, makeData({ type: new Struct(this.schema.fields), length, children })));
    this.n = 0;
  }

  override close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.n > 0) this.writeBatch();
    this.writer.close(); // the footer: the schema again and where each batch is
    super.close();
  }
}
