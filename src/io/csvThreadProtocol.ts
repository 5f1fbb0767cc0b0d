/**
 * What io/csvThread.ts (the thread making rows) and io/csvThreadServe.ts (the
 * worker writing them) share: how a block encodes cells, the shared control
 * words, and the messages. Kept apart so that neither loads the other's code,
 * and free of Node's types: the package's declarations reach it.
 */
import type { WriterHandoff } from "./bufferedWriter.js";

/**
 * In a block: a text cell, and a row's end. Numbers are finite, so neither is
 * one. A text cell's marker is followed by one slot, the text's number in its
 * file's list of texts: the next number adds the block's next new text to the
 * list, a smaller one repeats a listed text, TEXT_INLINE takes the block's
 * next new text without listing it (the list is bounded).
 */
export const BLOCK_TEXT = -Infinity;
export const BLOCK_END = Infinity;
export const TEXT_INLINE = -1;

/**
 * Words of the shared Int32Array: bumped at every block written, file closed
 * and when the worker fails; blocks written; files closed; 0 running, 2
 * failed (the worker's reason on the result port).
 */
export const CONTROL = { signal: 0, written: 1, closed: 2, state: 3, words: 4, failed: 2 } as const;

/**
 * To the worker, in order: a file handed over (its rows go on after what the
 * making thread wrote), a block of one file's rows, the end of a file, the
 * end of the worker (no file left open).
 */
export type CsvThreadMessage =
  | { readonly open: number; readonly header: readonly string[]; readonly from: WriterHandoff }
  | { readonly file: number; readonly block: Float64Array<ArrayBuffer>; readonly slots: number; readonly texts: readonly string[] }
  | { readonly close: number }
  | { readonly end: true };

export interface CsvThreadDone {
  readonly sha256: string;
  readonly bytes: number;
  readonly lines: number;
}

export interface CsvThreadFailed {
  /** A system error's code and path kept, so it reads as it would have on the making thread. */
  readonly error: { readonly message: string; readonly code?: string; readonly path?: string };
}
