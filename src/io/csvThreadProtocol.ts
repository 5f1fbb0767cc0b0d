/**
 * What io/csvThread.ts (the thread making rows) and io/csvThreadServe.ts (the
 * worker writing them) share: how a block encodes cells, the shared control
 * words, and the messages. Kept apart so that neither loads the other's code.
 */
import type { MessagePort } from "node:worker_threads";
import type { WriterHandoff } from "./bufferedWriter.js";

/** In a block: a text cell (its string is the block's next text) and a row's end. Numbers are finite, so neither is one. */
export const BLOCK_TEXT = -Infinity;
export const BLOCK_END = Infinity;

/** Words of the shared Int32Array: bumped at every block written and when the worker stops; blocks written; 0 running, 1 finished, 2 failed. */
export const CONTROL = { signal: 0, written: 1, state: 2, words: 3, finished: 1, failed: 2 } as const;

/** workerData of the writing thread. */
export interface CsvThreadData {
  /** The worker's code (csvThreadServe's module URL). */
  readonly moduleUrl: string;
  readonly header: readonly string[];
  /** The file as the making thread handed it over. */
  readonly from: WriterHandoff;
  readonly control: Int32Array;
  /** Where the worker's last word goes (read synchronously). */
  readonly result: MessagePort;
}

/** A block of rows, or the end of the file. */
export type CsvThreadMessage = { readonly block: Float64Array; readonly slots: number; readonly texts: readonly string[] } | { readonly close: true };

export interface CsvThreadDone {
  readonly sha256: string;
  readonly bytes: number;
  readonly lines: number;
}

export interface CsvThreadFailed {
  /** A system error's code and path kept, so it reads as it would have on the making thread. */
  readonly error: { readonly message: string; readonly code?: string; readonly path?: string };
}
