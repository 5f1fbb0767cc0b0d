/**
 * CSV files whose rows are formatted and written on a worker thread once they
 * are long, so that a big run's jobs.csv (KTH x8: 227,808 rows of 41 cells,
 * 112 MB; turning its doubles into text is about a fifth of the run's CPU)
 * and sites.csv cost the simulating thread little more than storing each
 * number. They are exactly the bytes CsvWriter writes: the worker runs a
 * CsvWriter on the same cells, in the same order.
 *
 * One thread (CsvThread) serves every file of a run that is handed to it:
 * a second thread would cost about 0.1 s of CPU more to start and warm. A
 * file's first `after` rows go straight into a CsvWriter on this thread, so a
 * short file never starts a thread (a handover costs about 0.1 s of CPU:
 * starting the thread, loading and warming the formatting code there, hashing
 * again what was written; measured as a KTH run of 20,005 rows against one of
 * 20,000); once one has, any file of the run is handed over at its next row,
 * whatever its length. The file is closed here (BufferedLineWriter.detach),
 * reopened there, where the part already written is hashed again and the
 * rows go on after it.
 *
 * From then on a row's cells are stored in a block of doubles: numbers as they
 * are (refused here when not finite, with CsvWriter's message, so the error
 * still comes at the row that caused it), a text cell as a marker and the
 * text's number in its file's list (a text is sent once, not once a row:
 * copying jobs.csv's 1.5 million texts to the worker cost the simulating
 * thread more than formatting its numbers), the row's end as a marker. Full
 * blocks are transferred (not copied) to the worker, which sends each back
 * once written, to be filled again; at most IN_FLIGHT wait for it, so memory
 * stays bounded when the worker is slower. close() waits for the worker to
 * finish the file and takes its SHA-256, bytes and rows synchronously
 * (shared memory and receiveMessageOnPort), as RunOutputs.commit expects of
 * every file.
 */
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import type { WriterHandoff } from "./bufferedWriter.js";
import { CsvWriter, notFinite, type CsvRows } from "./csvWriter.js";
import { shippedPath } from "./paths.js";
import { BLOCK_END, BLOCK_TEXT, CONTROL, TEXT_INLINE, type CsvThreadDone, type CsvThreadFailed } from "./csvThreadProtocol.js";
import type { CsvThreadData } from "./csvThreadServe.js";

/** Slots (doubles) of a block: 512 KB, about 1,300 jobs.csv rows. */
const BLOCK_SLOTS = 1 << 16;
/** A block is sent at a row's end once fewer slots than this are left (longer rows grow it). */
const ROW_ROOM = 1 << 10;
/** Blocks sent and not yet written before this thread waits for the worker. */
const IN_FLIGHT = 8;
/** How long this thread waits for a worker that makes no progress before it gives up, ms. */
const STALL_MS = 120_000;
/** Texts a file lists (sends once, then by number) at most, and the longest one listed: the lists' memory stays bounded; other texts go with every row. */
const MAX_LISTED = 1 << 14;
const MAX_LISTED_CHARS = 64;

/** Entry of the worker thread: plain JavaScript beside this module (sources, library build) or in the package's src/io (bundle). */
function workerUrl(): URL {
  const beside = new URL("./csvThread.worker.mjs", import.meta.url);
  return existsSync(fileURLToPath(beside)) ? beside : pathToFileURL(shippedPath("src/io/csvThread.worker.mjs"));
}

/**
 * The thread that writes the files handed to it (ThreadedCsvWriter), started
 * by the first and ended when the last is closed. A failure there (a write
 * refused by the system, say) stops it: every file it writes then fails with
 * that error, as this thread's.
 */
export class CsvThread {
  private worker: Worker | undefined;
  private control: Int32Array<ArrayBufferLike> = new Int32Array(CONTROL.words);
  private result: MessagePort | undefined;
  private spare: MessagePort | undefined;
  /** Files handed over and not yet closed; the next file's number. */
  private files = 0;
  private nextFile = 0;
  /** Blocks sent to the running worker, and files closed by it. */
  private sent = 0;
  private closed = 0;
  private failure: Error | undefined;
  private starts = 0;

  /** @param moduleUrl the worker's code (csvThreadServe.ts's module URL: see open()) */
  private constructor(private readonly moduleUrl: string) {}

  /** A thread for files to be handed to; none starts before the first is. */
  static async open(): Promise<CsvThread> {
    // Imported here for its URL, so that a bundler gives the worker's code a chunk of its own.
    const { MODULE_URL } = await import("./csvThreadServe.js");
    return new CsvThread(MODULE_URL);
  }

  /** Workers started so far, one at a time. */
  get started(): number {
    return this.starts;
  }

  /** Whether the worker runs (a file has been handed over and not every one closed). */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Hands the worker a file another writer began (closed, BufferedLineWriter.detach); returns its number for send and close. */
  adopt(from: WriterHandoff, header: readonly string[]): number {
    this.check();
    if (this.worker === undefined) this.start();
    const file = this.nextFile++;
    this.worker!.postMessage({ open: file, header, from });
    this.files++;
    return file;
  }

  /** An empty block to fill: one the worker has written, or a new one. */
  block(): Float64Array<ArrayBuffer> {
    for (;;) {
      const back = this.spare && receiveMessageOnPort(this.spare);
      if (back === undefined) return new Float64Array(BLOCK_SLOTS);
      const block = back.message as Float64Array<ArrayBuffer>;
      // A block grown for a long row is let go.
      if (block.length === BLOCK_SLOTS) return block;
    }
  }

  /** Hands a block of a file's rows to the worker (transferred), and waits while too many are unwritten. */
  send(file: number, name: string, block: Float64Array<ArrayBuffer>, slots: number, texts: readonly string[]): void {
    this.check();
    this.worker!.postMessage({ file, block, slots, texts }, [block.buffer]);
    this.sent++;
    const control = this.control;
    if (this.sent - Atomics.load(control, CONTROL.written) >= IN_FLIGHT) {
      this.waitUntil(name, () => this.sent - Atomics.load(control, CONTROL.written) < IN_FLIGHT);
      this.check();
    }
  }

  /** Waits for the worker to write a file's last blocks and close it; its SHA-256, bytes and rows. The worker ends with the last file. */
  close(file: number, name: string): CsvThreadDone {
    this.check();
    const closed = this.closed++;
    this.worker!.postMessage({ close: file });
    this.waitUntil(name, () => Atomics.load(this.control, CONTROL.closed) > closed);
    this.check();
    const done = receiveMessageOnPort(this.result!)!.message as CsvThreadDone;
    if (--this.files === 0) this.end();
    return done;
  }

  private start(): void {
    const result = new MessageChannel();
    const spare = new MessageChannel();
    this.control = new Int32Array(new SharedArrayBuffer(CONTROL.words * 4));
    const data: CsvThreadData = { moduleUrl: this.moduleUrl, control: this.control, result: result.port2, spare: spare.port2 };
    this.worker = new Worker(workerUrl(), { workerData: data, transferList: [result.port2, spare.port2] });
    // It never keeps the process alive: close() waits for it where its work matters.
    this.worker.unref();
    this.starts++;
    this.result = result.port1;
    this.spare = spare.port1;
    this.sent = this.closed = 0;
  }

  /** No file left: the worker is let go (it ends once it has read this), and a later handover starts another. */
  private end(): void {
    this.worker!.postMessage({ end: true });
    this.result!.close();
    this.spare!.close();
    this.worker = this.result = this.spare = undefined;
  }

  /** Blocks this thread until `ready` holds or the worker fails, woken by the worker at each block written, file closed and failure. */
  private waitUntil(name: string, ready: () => boolean): void {
    const control = this.control;
    let quiet = 0;
    for (;;) {
      const signal = Atomics.load(control, CONTROL.signal);
      if (ready() || Atomics.load(control, CONTROL.state) === CONTROL.failed) return;
      if (Atomics.wait(control, CONTROL.signal, signal, 1000) === "timed-out") {
        quiet += 1000;
        if (quiet >= STALL_MS) throw new Error(`${name}: the thread writing it made no progress in ${STALL_MS / 1000} s`);
      } else quiet = 0;
    }
  }

  /** Throws the worker's failure, as this thread's error, once it has failed. */
  private check(): void {
    if (this.failure === undefined && Atomics.load(this.control, CONTROL.state) === CONTROL.failed) {
      const reply = receiveMessageOnPort(this.result!)?.message as CsvThreadFailed | undefined;
      // A system error keeps its code and path, as it would have here.
      this.failure = reply === undefined ? new Error("the thread writing CSV files stopped without saying why") : Object.assign(new Error(reply.error.message), reply.error);
      this.result!.close();
      this.spare!.close();
    }
    if (this.failure !== undefined) throw this.failure;
  }
}

export class ThreadedCsvWriter implements CsvRows {
  /** Writes this thread's rows until the file is handed to the worker (undefined from then on). */
  private direct: CsvWriter | undefined;
  private fileName: string;
  /** The file's number on the thread, once handed over. */
  private file = -1;
  private block: Float64Array<ArrayBuffer> = new Float64Array(0);
  private slots = 0;
  /** Texts of the block not listed before it, in the order its cells use them. */
  private fresh: string[] = [];
  /** Texts listed (sent once), by number. */
  private readonly listed = new Map<string, number>();
  /** Where the row being written began in the block, in fresh and in listed; the cells written of it. */
  private rowSlot = 0;
  private rowText = 0;
  private rowListed = 0;
  private column = 0;
  /** Rows handed over with the file, and stored since. */
  private handedRows = 0;
  private storedRows = 0;
  private done: CsvThreadDone | undefined;

  private constructor(readonly path: string, private readonly header: readonly string[], private readonly after: number, private readonly thread: CsvThread) {
    this.direct = new CsvWriter(path, header);
    this.fileName = path;
  }

  /**
   * A CSV file whose rows past the first `after` are formatted and written on
   * a worker thread, or past none once that thread runs.
   * @param thread the thread it shares with other files (a thread of its own when absent)
   */
  static async open(path: string, header: readonly string[], after: number, thread?: CsvThread): Promise<ThreadedCsvWriter> {
    return new ThreadedCsvWriter(path, header, after, thread ?? (await CsvThread.open()));
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

  /** Whether a worker thread writes the file (a row after the first `after`, or after the thread started, has begun). */
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
    if (this.slots + 2 > this.block.length) this.grow(2);
    this.block[this.slots] = BLOCK_TEXT;
    this.block[this.slots + 1] = this.textNumber(s);
    this.slots += 2;
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
    this.rowText = this.fresh.length;
    this.rowListed = this.listed.size;
  }

  /** Writes what is left, waits for the worker to finish the file, and closes it. */
  close(): void {
    if (this.direct) return this.direct.close();
    if (this.done) return;
    if (this.slots > 0) this.send();
    this.done = this.thread.close(this.file, this.fileName);
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

  /** Whether this thread still writes the rows itself: until a row begins after the first `after`, or once the thread runs; then the file is handed over. */
  private writesItself(): boolean {
    const direct = this.direct;
    if (direct === undefined) return false;
    if (direct.rowCells > 0 || (direct.rows < this.after && !this.thread.running)) return true;
    this.handOver(direct);
    return false;
  }

  /** The file goes to the worker thread, which goes on after what this thread wrote. */
  private handOver(direct: CsvWriter): void {
    const from = direct.detach();
    this.direct = undefined;
    this.handedRows = from.lines;
    this.file = this.thread.adopt(from, this.header);
    this.block = this.thread.block();
  }

  /** The number a text cell is stored as: its number in the list (listed now if new and there is room), or TEXT_INLINE. */
  private textNumber(s: string): number {
    const known = this.listed.get(s);
    if (known !== undefined) return known;
    this.fresh.push(s);
    const n = this.listed.size;
    if (n >= MAX_LISTED || s.length > MAX_LISTED_CHARS) return TEXT_INLINE;
    this.listed.set(s, n);
    return n;
  }

  /** Room for n more slots in a block holding one very long row. */
  private grow(n: number): void {
    const bigger = new Float64Array(Math.max(2 * this.block.length, this.slots + n));
    bigger.set(this.block.subarray(0, this.slots));
    this.block = bigger;
  }

  private send(): void {
    this.thread.send(this.file, this.fileName, this.block, this.slots, this.fresh);
    this.block = this.thread.block();
    this.slots = 0;
    this.fresh = [];
  }

  /** Drops the row being written (its number is not finite) and says where. */
  private refuse(x: number): never {
    const cell = this.column;
    // Texts first listed in this row were not sent: they are unlisted again.
    for (let i = this.rowText; i < this.fresh.length; i++) if (this.listed.get(this.fresh[i])! >= this.rowListed) this.listed.delete(this.fresh[i]);
    this.slots = this.rowSlot;
    this.fresh.length = this.rowText;
    this.column = 0;
    throw notFinite(this.fileName, this.header, this.rows + 1, cell, x);
  }
}
