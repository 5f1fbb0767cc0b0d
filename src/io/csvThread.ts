/**
 * A CSV file whose rows are formatted and written on a worker thread once it
 * is long, so that a big run's jobs.csv (KTH x8: 227,808 rows of 41 cells,
 * 112 MB; turning its doubles into text is about a fifth of the run's CPU)
 * costs the simulating thread little more than storing each number. It writes
 * exactly the bytes CsvWriter writes: the worker runs a CsvWriter on the same
 * cells, in the same order.
 *
 * The first `after` rows go straight into a CsvWriter on this thread, so a
 * short file never starts a thread (a handover costs about 0.1 s of CPU:
 * starting the thread, loading and warming the formatting code there, hashing
 * again what was written; measured as a KTH run of 20,005 rows against one of
 * 20,000). When a row after them begins, the file is handed to a
 * worker: closed here (BufferedLineWriter.detach), reopened there, where the
 * part already written is hashed again and the rows go on after it. From then
 * on a row's cells are stored in a block of doubles: numbers as they are
 * (refused here when not finite, with CsvWriter's message, so the error still
 * comes at the row that caused it), a text cell as -Infinity with its string
 * in the block's list, the row's end as +Infinity. Full blocks are
 * transferred (not copied) to the worker; at most IN_FLIGHT wait for it, so
 * memory stays bounded when the worker is slower. close() waits for the
 * worker to finish the file and takes its SHA-256, bytes and rows
 * synchronously (shared memory and receiveMessageOnPort), as
 * RunOutputs.commit expects of every file.
 */
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import { CsvWriter, notFinite, type CsvRows } from "./csvWriter.js";
import { shippedPath } from "./paths.js";
import { BLOCK_END, BLOCK_TEXT, CONTROL, type CsvThreadData, type CsvThreadDone, type CsvThreadFailed } from "./csvThreadProtocol.js";

/** Slots (doubles) of a block: 512 KB, about 1,300 jobs.csv rows. */
const BLOCK_SLOTS = 1 << 16;
/** A block is sent at a row's end once fewer slots than this are left (longer rows grow it). */
const ROW_ROOM = 1 << 10;
/** Blocks sent and not yet written before this thread waits for the worker. */
const IN_FLIGHT = 8;
/** How long this thread waits for a worker that makes no progress before it gives up, ms. */
const STALL_MS = 120_000;

/** Entry of the worker thread: plain JavaScript beside this module (sources, library build) or in the package's src/io (bundle). */
function workerUrl(): URL {
  const beside = new URL("./csvThread.worker.mjs", import.meta.url);
  return existsSync(fileURLToPath(beside)) ? beside : pathToFileURL(shippedPath("src/io/csvThread.worker.mjs"));
}

export class ThreadedCsvWriter implements CsvRows {
  /** Writes this thread's rows until the file is handed to the worker (undefined from then on). */
  private direct: CsvWriter | undefined;
  private fileName: string;
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  private control: Int32Array | undefined;
  private block = new Float64Array(BLOCK_SLOTS);
  private slots = 0;
  private texts: string[] = [];
  /** Where the row being written began in the block, and in its texts; the cells written of it. */
  private rowSlot = 0;
  private rowText = 0;
  private column = 0;
  /** Rows handed over with the file, and stored since. */
  private handedRows = 0;
  private storedRows = 0;
  private sent = 0;
  private done: CsvThreadDone | undefined;

  /**
   * @param moduleUrl the worker's code (csvThreadServe.ts's module URL: see open())
   * @param after rows written on this thread before the worker takes over
   */
  private constructor(readonly path: string, private readonly header: readonly string[], private readonly after: number, private readonly moduleUrl: string) {
    this.direct = new CsvWriter(path, header);
    this.fileName = path;
  }

  /** A CSV file whose rows past the first `after` are formatted and written on a worker thread. */
  static async open(path: string, header: readonly string[], after: number): Promise<ThreadedCsvWriter> {
    // Imported here for its URL, so that a bundler gives the worker's code a chunk of its own.
    const { MODULE_URL } = await import("./csvThreadServe.js");
    return new ThreadedCsvWriter(path, header, after, MODULE_URL);
  }

  /** Name the rows' cells report under (the file's final name when it is written under a temporary one). */
  get name(): string {
    return this.fileName;
  }

  set name(name: string) {
    this.fileName = name;
    if (this.direct) this.direct.name = name;
  }

  get rows(): number {
    return this.direct ? this.direct.rows : this.handedRows + this.storedRows;
  }

  /** Whether a worker thread writes the file (a row after the first `after` has begun). */
  get threaded(): boolean {
    return this.direct === undefined;
  }

  number(x: number): this {
    if (this.writesItself()) {
      this.direct!.number(x);
      return this;
    }
    if (!Number.isFinite(x)) this.refuse(x);
    if (this.slots === this.block.length) this.grow(1);
    this.block[this.slots++] = x;
    this.column++;
    return this;
  }

  numbers(values: Float64Array, from: number, to: number): this {
    if (this.writesItself()) {
      this.direct!.numbers(values, from, to);
      return this;
    }
    if (this.slots + (to - from) > this.block.length) this.grow(to - from);
    const block = this.block;
    let at = this.slots;
    for (let i = from; i < to; i++) {
      const x = values[i];
      if (!Number.isFinite(x)) {
        this.column += i - from;
        this.refuse(x);
      }
      block[at++] = x;
    }
    this.slots = at;
    this.column += to - from;
    return this;
  }

  text(s: string): this {
    if (this.writesItself()) {
      this.direct!.text(s);
      return this;
    }
    if (this.slots === this.block.length) this.grow(1);
    this.block[this.slots++] = BLOCK_TEXT;
    this.texts.push(s);
    this.column++;
    return this;
  }

  cell(c: string | number): this {
    return typeof c === "number" ? this.number(c) : this.text(c);
  }

  row(cells: readonly (string | number)[]): void {
    for (let i = 0; i < cells.length; i++) this.cell(cells[i]);
    this.end();
  }

  end(): void {
    if (this.writesItself()) return this.direct!.end();
    if (this.slots === this.block.length) this.grow(1);
    this.block[this.slots++] = BLOCK_END;
    this.storedRows++;
    this.column = 0;
    if (this.slots > this.block.length - ROW_ROOM) this.send();
    this.rowSlot = this.slots;
    this.rowText = this.texts.length;
  }

  /** Writes what is left, waits for the worker to finish the file, and closes it. */
  close(): void {
    if (this.direct) return this.direct.close();
    if (this.done) return;
    if (this.slots > 0) this.send();
    this.worker!.postMessage({ close: true });
    this.waitUntil(() => Atomics.load(this.control!, CONTROL.state) !== 0);
    const reply = receiveMessageOnPort(this.port!)?.message as CsvThreadDone | CsvThreadFailed | undefined;
    this.port!.close();
    if (reply === undefined || "error" in reply) throw this.failure(reply);
    this.done = reply;
  }

  get sha256(): string {
    return this.direct ? this.direct.sha256 : this.closed().sha256;
  }

  get bytes(): number {
    return this.direct ? this.direct.bytes : this.closed().bytes;
  }

  get lines(): number {
    return this.direct ? this.direct.lines : this.closed().lines;
  }

  private closed(): CsvThreadDone {
    if (this.done === undefined) throw new Error(`ThreadedCsvWriter: ${this.path} is still open`);
    return this.done;
  }

  /** Whether this thread still writes the rows itself: until a row after the first `after` begins, when the file is handed over. */
  private writesItself(): boolean {
    if (this.direct === undefined) return false;
    if (this.direct.rows < this.after) return true;
    this.handOver();
    return false;
  }

  /** The file goes to a worker thread, which goes on after what this thread wrote. */
  private handOver(): void {
    const from = this.direct!.detach();
    this.direct = undefined;
    this.handedRows = from.lines;
    const { port1, port2 } = new MessageChannel();
    this.control = new Int32Array(new SharedArrayBuffer(CONTROL.words * 4));
    const data: CsvThreadData = { moduleUrl: this.moduleUrl, header: this.header, from, control: this.control, result: port2 };
    this.worker = new Worker(workerUrl(), { workerData: data, transferList: [port2] });
    // It never keeps the process alive: close() waits for it where its work matters.
    this.worker.unref();
    this.port = port1;
  }

  /** Room for n more slots in a block holding one very long row. */
  private grow(n: number): void {
    const bigger = new Float64Array(Math.max(2 * this.block.length, this.slots + n));
    bigger.set(this.block.subarray(0, this.slots));
    this.block = bigger;
  }

  /** Hands the block to the worker (transferred), and waits while too many are unwritten. */
  private send(): void {
    this.checkFailed();
    const block = this.block;
    this.worker!.postMessage({ block, slots: this.slots, texts: this.texts }, [block.buffer]);
    this.sent++;
    this.block = new Float64Array(BLOCK_SLOTS);
    this.slots = 0;
    this.texts = [];
    const control = this.control!;
    if (this.sent - Atomics.load(control, CONTROL.written) >= IN_FLIGHT) {
      this.waitUntil(() => this.sent - Atomics.load(control, CONTROL.written) < IN_FLIGHT || Atomics.load(control, CONTROL.state) !== 0);
      this.checkFailed();
    }
  }

  /** Blocks this thread until `ready` holds, woken by the worker at each block it writes and when it stops. */
  private waitUntil(ready: () => boolean): void {
    const control = this.control!;
    let quiet = 0;
    for (;;) {
      const signal = Atomics.load(control, CONTROL.signal);
      if (ready()) return;
      if (Atomics.wait(control, CONTROL.signal, signal, 1000) === "timed-out") {
        quiet += 1000;
        if (quiet >= STALL_MS) throw new Error(`${this.fileName}: the thread writing it made no progress in ${STALL_MS / 1000} s`);
      } else quiet = 0;
    }
  }

  private checkFailed(): void {
    if (Atomics.load(this.control!, CONTROL.state) !== CONTROL.failed) return;
    throw this.failure(receiveMessageOnPort(this.port!)?.message as CsvThreadFailed | undefined);
  }

  /** The worker's error as this thread's (a system error keeps its code and path, as it would have here). */
  private failure(reply: CsvThreadFailed | undefined): Error {
    if (reply === undefined) return new Error(`${this.fileName}: the thread writing it stopped without saying why`);
    return Object.assign(new Error(reply.error.message), reply.error);
  }

  /** Drops the row being written (its number is not finite) and says where. */
  private refuse(x: number): never {
    const cell = this.column;
    this.slots = this.rowSlot;
    this.texts.length = this.rowText;
    this.column = 0;
    throw notFinite(this.fileName, this.header, this.rows + 1, cell, x);
  }
}
