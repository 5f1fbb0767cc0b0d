/**
 * The worker side of io/csvThread.ts: for each file handed over, replays its
 * blocks' cells into a CsvWriter that goes on with the file the making thread
 * began, so the bytes are exactly those that thread would have written.
 * Several files share the thread; messages come in the order they were sent.
 */
import type { MessagePort } from "node:worker_threads";
import { CsvWriter } from "./csvWriter.js";
import { BLOCK_END, BLOCK_TEXT, CONTROL, TEXT_INLINE, type CsvThreadFailed, type CsvThreadMessage } from "./csvThreadProtocol.js";

/** workerData of the writing thread (io/csvThread.ts makes it). */
export interface CsvThreadData {
  /** The worker's code (csvThreadServe's module URL). */
  readonly moduleUrl: string;
  readonly control: Int32Array;
  /** Where the worker's word on each file it closes, or its failure, goes (read synchronously). */
  readonly result: MessagePort;
  /** Where written blocks go back to be filled again. */
  readonly spare: MessagePort;
}

/** This module's file: the worker imports it (a bundle chunk of its own, the library's file, or the source through tsx). */
export const MODULE_URL = import.meta.url;

/** A file being written here, and the texts its blocks refer to by number. */
interface ServedFile {
  readonly writer: CsvWriter;
  readonly texts: string[];
}

/** Writes the files and blocks that arrive on `port` until told to end; says how each file ended in `data.control` and on `data.result`. */
export function serveCsv(port: MessagePort, data: CsvThreadData): void {
  const control = data.control;
  const files = new Map<number, ServedFile>();
  let failed = false;
  /** Counts one more of `word` (or none) and wakes the making thread if it waits. */
  const signal = (word?: number) => {
    if (word !== undefined) Atomics.add(control, word, 1);
    Atomics.add(control, CONTROL.signal, 1);
    Atomics.notify(control, CONTROL.signal);
  };
  const stop = () => {
    port.close();
    data.result.close();
    data.spare.close();
  };
  const fail = (err: unknown) => {
    failed = true;
    const e = err as { message?: string; code?: unknown; path?: unknown };
    const reply: CsvThreadFailed = { error: { message: String(e?.message ?? err), ...(typeof e?.code === "string" ? { code: e.code } : {}), ...(typeof e?.path === "string" ? { path: e.path } : {}) } };
    data.result.postMessage(reply);
    Atomics.store(control, CONTROL.state, CONTROL.failed);
    signal();
    // The run is failing: its files are removed, so what is buffered of them need not reach them.
    for (const f of files.values()) {
      try {
        f.writer.close();
      } catch {
        // the failure already reported is the one that matters
      }
    }
    files.clear();
    stop();
  };
  port.on("message", (m: CsvThreadMessage) => {
    if (failed) return;
    try {
      if ("file" in m) {
        replay(files.get(m.file)!, m.block, m.slots, m.texts);
        data.spare.postMessage(m.block, [m.block.buffer]);
        signal(CONTROL.written);
      } else if ("open" in m) {
        files.set(m.open, { writer: new CsvWriter(m.from.path, m.header, undefined, m.from), texts: [] });
      } else if ("close" in m) {
        const { writer } = files.get(m.close)!;
        files.delete(m.close);
        writer.close();
        data.result.postMessage({ sha256: writer.sha256, bytes: writer.bytes, lines: writer.lines });
        signal(CONTROL.closed);
      } else stop();
    } catch (err) {
      fail(err);
    }
  });
}

/** Writes a block's cells: runs of numbers at once, texts, rows' ends. */
function replay(file: ServedFile, block: Float64Array, slots: number, fresh: readonly string[]): void {
  const w = file.writer;
  const texts = file.texts;
  let next = 0;
  for (let i = 0; i < slots; ) {
    const x = block[i];
    if (x === BLOCK_END) {
      w.end();
      i++;
    } else if (x === BLOCK_TEXT) {
      const id = block[i + 1];
      if (id === texts.length) texts.push(fresh[next++]);
      w.text(id === TEXT_INLINE ? fresh[next++] : texts[id]);
      i += 2;
    } else {
      let j = i + 1;
      while (j < slots && Number.isFinite(block[j])) j++;
      w.numbers(block, i, j);
      i = j;
    }
  }
}
