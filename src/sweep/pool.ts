/**
 * A pool that runs scenario variants: on piscina worker threads, or in-process
 * one after the other when it has no workers. Both paths run the same task
 * function (runTask), and a run depends only on its task, never on which
 * thread ran it or when, so results are identical whatever the worker count
 * (DESIGN.md principle 3). Callers keep their own order: collect the promises
 * of run() in task order and await them together.
 *
 * The worker entry is the plain ESM file worker.mjs beside this module (or
 * src/sweep/worker.mjs, shipped, when this module is bundled). It loads the
 * code that runs tasks from the fastest place there is: workerEntry's file
 * when that is JavaScript (its own chunk of the CLI bundle, which holds the
 * run machinery and not the CLI's commands, or dist/lib/sweep/workerEntry.js),
 * passed in workerData; else the compiled pool.js beside it; else this
 * TypeScript source through tsx (a runtime dependency). Loading the bundle
 * costs a worker a parse of JavaScript; loading the sources through tsx costs
 * it a transpilation of the whole source tree, which made 2 workers slower
 * than 1 (issue 13). Bundle chunks do not export runTaskEnvelope by name, so
 * this module puts it on a global symbol the worker reads once it has
 * imported the file.
 *
 * Policy parameters go to runScenario as `overrides.policyParams`, so a run
 * with parameters is the same run as `impactsim run` of that scenario with them,
 * provenance included (the scenario file and its hash, the parameters in
 * provenance.policy.params).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Piscina } from "piscina";
import { InputError, SimulationError, type Issue } from "../core/index.js";
import { shippedPath } from "../io/index.js";
import { runScenario, type RunOverrides } from "../run/index.js";
import type { RunSummary } from "../run/index.js";

/** What a task may change of its scenario (as RunOverrides; `summaryOnly` defaults to true here). */
export type RunTaskOverrides = Pick<RunOverrides, "workload" | "platform" | "policy" | "policyModule" | "procs" | "seed" | "mode" | "out" | "summaryOnly" | "platformVariant" | "workloadScale">;

/** One scenario variant to run. Plain data, so it can be sent to a worker thread. */
export interface RunTask {
  /** Caller's key for the result (e.g. the candidate or variant index). */
  readonly id: string;
  /** Scenario file; the bundled default when absent. */
  readonly scenario?: string;
  /**
   * Overrides of runScenario. Without `out` the run writes into a temporary
   * folder that is removed afterwards; with it, its files stay there.
   */
  readonly overrides: RunTaskOverrides;
  /** Parameters of the policy (the overridden one, or the scenario's), replacing the scenario's (runScenario's `overrides.policyParams`). */
  readonly policyParams?: Readonly<Record<string, unknown>>;
}

export interface RunResult {
  readonly id: string;
  readonly summary: RunSummary;
}

export interface RunPool {
  /** Worker threads; 0 when tasks run in-process, one at a time. */
  readonly workers: number;
  /** Runs a task; rejects with the task's InputError, SimulationError or other error. */
  run(task: RunTask): Promise<RunResult>;
  /** Waits for the tasks under way and stops the workers. */
  close(): Promise<void>;
}

/**
 * A pool of `workers` threads (default: availableParallelism()). 0 or 1 runs
 * every task in the calling thread, one after the other (no thread to start,
 * and the reference for determinism tests).
 * @throws RangeError if workers is not a non-negative integer
 */
export function createPool(options: { workers?: number } = {}): RunPool {
  const workers = options.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 0) throw new RangeError(`createPool: workers: expected an integer >= 0, got ${workers}`);
  return workers <= 1 ? inProcessPool() : threadPool(workers);
}

function inProcessPool(): RunPool {
  let last: Promise<unknown> = Promise.resolve();
  let closed = false;
  return {
    workers: 0,
    run(task) {
      if (closed) return Promise.reject(new Error("RunPool.run: the pool is closed"));
      const next = last.then(() => runTask(task));
      last = next.catch(() => undefined);
      return next;
    },
    async close() {
      closed = true;
      await last;
    },
  };
}

/**
 * File URL of the worker entry: worker.mjs beside this module (src/sweep/ for
 * the sources, dist/lib/sweep/ for the library build), or src/sweep/worker.mjs
 * when this module is bundled into the CLI (dist/impactsim.mjs or a chunk).
 */
export const WORKER_URL = workerUrl();

/** Where worker.mjs finds the task function after importing this module's file (see the module comment). */
const TASK_KEY = Symbol.for("impactsim.sweep.runTaskEnvelope");

/**
 * The file workers import for the task function when it is JavaScript (a
 * bundle chunk or the compiled library), else undefined (the sources: the
 * worker falls back to tsx). Imported dynamically so that a bundler gives
 * workerEntry.ts a chunk of its own.
 */
export async function taskModuleUrl(): Promise<string | undefined> {
  const { TASK_MODULE } = await import("./workerEntry.js");
  return /\.(m?js|cjs)$/.test(new URL(TASK_MODULE).pathname) ? TASK_MODULE : undefined;
}

function workerUrl(): string {
  const beside = new URL("./worker.mjs", import.meta.url);
  return existsSync(fileURLToPath(beside)) ? beside.href : pathToFileURL(shippedPath("src/sweep/worker.mjs")).href;
}

function threadPool(workers: number): RunPool {
  const ready = taskModuleUrl().then((taskModule) => new Piscina<RunTask, TaskEnvelope>({ filename: WORKER_URL, minThreads: workers, maxThreads: workers, concurrentTasksPerWorker: 1, workerData: { taskModule } }));
  return {
    workers,
    async run(task) {
      const envelope = await (await ready).run(task);
      if (envelope.ok) return envelope.result;
      throw reviveError(envelope.error);
    },
    close: async () => (await ready).close(),
  };
}

/**
 * Runs one task in the calling thread: runScenario with the task's overrides
 * (summary only unless told otherwise), in a temporary folder unless `out` is given.
 * @throws InputError on bad input; SimulationError if the run fails
 */
export async function runTask(task: RunTask): Promise<RunResult> {
  const temp = task.overrides.out === undefined ? mkdtempSync(join(tmpdir(), "impactsim-run-")) : undefined;
  try {
    const overrides: RunOverrides = {
      ...task.overrides,
      ...(task.policyParams !== undefined ? { policyParams: task.policyParams } : {}),
      summaryOnly: task.overrides.summaryOnly ?? true,
      out: task.overrides.out ?? join(temp!, "out"),
    };
    const { summary } = await runScenario({ scenario: task.scenario, overrides });
    return { id: task.id, summary };
  } finally {
    if (temp) rmSync(temp, { recursive: true, force: true });
  }
}

/** An error as plain data, to cross the thread boundary with its class and issues. */
interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly issues?: readonly Issue[];
}

export type TaskEnvelope = { readonly ok: true; readonly result: RunResult } | { readonly ok: false; readonly error: SerializedError };

/** The worker's task function (see worker.mjs): runTask, with its error as data. */
export async function runTaskEnvelope(task: RunTask): Promise<TaskEnvelope> {
  try {
    return { ok: true, result: await runTask(task) };
  } catch (err) {
    if (err instanceof InputError) return { ok: false, error: { name: err.name, message: err.message, stack: err.stack, issues: JSON.parse(JSON.stringify(err.issues)) as Issue[] } };
    if (err instanceof Error) return { ok: false, error: { name: err.name, message: err.message, stack: err.stack } };
    return { ok: false, error: { name: "Error", message: String(err) } };
  }
}

(globalThis as Record<symbol, unknown>)[TASK_KEY] = runTaskEnvelope;

const ERROR_CLASSES: Readonly<Record<string, new (message: string) => Error>> = { RangeError, TypeError, SimulationError };

function reviveError(e: SerializedError): Error {
  const err = e.name === "InputError" && e.issues ? new InputError(e.issues) : new (ERROR_CLASSES[e.name] ?? Error)(e.message);
  if (!(e.name in ERROR_CLASSES) && e.name !== "InputError") err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}
