/**
 * The worker side of io/csvThread.ts: replays each block's cells into a
 * CsvWriter that goes on with the file the making thread handed over, so the
 * bytes are exactly those that thread would have written.
 */
import type { MessagePort } from "node:worker_threads";
import { CsvWriter } from "./csvWriter.js";
import { BLOCK_END, BLOCK_TEXT, CONTROL, type CsvThreadData, type CsvThreadFailed, type CsvThreadMessage } from "./csvThreadProtocol.js";

/** This module's file: the worker imports it (a bundle chunk of its own, the library's file, or the source through tsx). */
export const MODULE_URL = import.meta.url;

/** Writes the blocks that arrive on `port` until told to close; says how it ended in `data.control` and on `data.result`. */
export function serveCsv(port: MessagePort, data: CsvThreadData): void {
  const control = data.control;
  const stop = (state: number, reply: unknown) => {
    data.result.postMessage(reply);
    data.result.close();
    Atomics.store(control, CONTROL.state, state);
    Atomics.add(control, CONTROL.signal, 1);
    Atomics.notify(control, CONTROL.signal);
    port.close();
  };
  const fail = (err: unknown) => {
    const e = err as { message?: string; code?: unknown; path?: unknown };
    const reply: CsvThreadFailed = { error: { message: String(e?.message ?? err), ...(typeof e?.code === "string" ? { code: e.code } : {}), ...(typeof e?.path === "string" ? { path: e.path } : {}) } };
    stop(CONTROL.failed, reply);
  };
  let writer: CsvWriter;
  try {
    writer = new CsvWriter(data.from.path, data.header, undefined, data.from);
  } catch (err) {
    return fail(err);
  }
  port.on("message", (m: CsvThreadMessage) => {
    if (Atomics.load(control, CONTROL.state) !== 0) return;
    try {
      if ("close" in m) {
        writer.close();
        return stop(CONTROL.finished, { sha256: writer.sha256, bytes: writer.bytes, lines: writer.lines });
      }
      replay(writer, m.block, m.slots, m.texts);
      Atomics.add(control, CONTROL.written, 1);
      Atomics.add(control, CONTROL.signal, 1);
      Atomics.notify(control, CONTROL.signal);
    } catch (err) {
      fail(err);
    }
  });
}

/** Writes a block's cells: runs of numbers at once, texts, rows' ends. */
function replay(w: CsvWriter, block: Float64Array, slots: number, texts: readonly string[]): void {
  let text = 0;
  for (let i = 0; i < slots; ) {
    const x = block[i];
    if (x === BLOCK_END) {
      w.end();
      i++;
    } else if (x === BLOCK_TEXT) {
      w.text(texts[text++]);
      i++;
    } else {
      let j = i + 1;
      while (j < slots && Number.isFinite(block[j])) j++;
      w.numbers(block, i, j);
      i = j;
    }
  }
}
