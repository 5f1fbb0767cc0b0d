/**
 * What a sweep worker thread imports (worker.mjs) when the pool runs from
 * JavaScript: the worker loop and task function (pool.ts puts serveLane on a
 * global symbol when it loads) and no more. The main thread imports this module dynamically for its
 * URL, so a bundler gives it a chunk of its own that pulls in the run
 * machinery only, not the CLI's commands (yargs, the HTTP service, the ledger's
 * database drivers), which made each worker's start cost a second of CPU.
 */
import "./pool.js";

/** This module's file: a bundle chunk, the library's compiled file, or the TypeScript source. */
export const TASK_MODULE = import.meta.url;
