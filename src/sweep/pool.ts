/**
 * A pool that runs scenario variants: in-process one after the other when it
 * has no workers, or on `workers` lanes at once: the calling thread and
 * workers - 1 worker threads. Every lane runs the same task function
 * (runTask), and a run depends only on its task, never on which thread ran it
 * or when, so results are identical whatever the worker count (DESIGN.md
 * principle 3). Callers keep their own order: collect the promises of run()
 * in task order and await them together.
 *
 * Why the calling thread is a lane (issue 13): a sweep's CPU is mostly each
 * thread's own start-up, not its runs. A thread loads the code, then runs its
 * first variants of each policy cold, in the interpreter, while V8 compiles
 * the hot functions on its helper threads (measured on sweep-default, 9
 * variants, in-process: about 4.7 s of CPU fixed, 0.35 s per further variant).
 * The calling thread has loaded the code already, and a sweep's main thread
 * otherwise waits: so 2 workers are it and one worker thread, not two more
 * threads of which each pays the start-up again.
 *
 * Dealing: tasks given in one go (the run() calls of one tick) are one batch;
 * lane l claims first from its own contiguous block of the batch (block l of
 * `workers`), in order, then steals from the end of what is left. Neighbouring
 * variants of a sweep mostly share their policy (and parameters), so a lane
 * warms up the code of fewer policies; claims go through an atomic per-task
 * slot in shared memory, so a worker thread takes its next task by itself,
 * without waiting for the calling thread to finish a run of its own. A worker
 * thread that dies rejects the tasks it held; the other lanes run the rest.
 *
 * The worker entry is the plain ESM file worker.mjs beside this module (or
 * src/sweep/worker.mjs, shipped, when this module is bundled). It loads the
 * code that runs tasks from the fastest place there is: workerEntry's file
 * when that is JavaScript (its own chunk of the CLI bundle, which holds the
 * run machinery and not the CLI's commands, or dist/lib/sweep/workerEntry.js),
 * passed in workerData; else the compiled pool.js beside it; else this
 * TypeScript source through tsx (a runtime dependency). Loading the bundle
 * costs a worker a parse of JavaScript; loading the sources through tsx costs
 * it a transpilation of the whole source tree. Bundle chunks do not export
 * serveLane (the worker's loop) by name, so this module puts it on a global
 * symbol the worker reads once it has imported the file.
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
import { Worker, type MessagePort } from "node:worker_threads";
import { InputError, SimulationError, type Issue } from "../core/index.js";
import { shippedPath } from "../io/index.js";
import { runScenario, type RunOverrides } from "../run/index.js";
import type { RunSummary } from "../run/index.js";
import { claim, claimSlots, type Batch } from "./lanes.js";

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
  /** Lanes running tasks at once (the calling thread and workers - 1 worker threads); 0 when tasks run in-process, one at a time. */
  readonly workers: number;
  /** Whether the worker threads have been started (false in-process, and with "when-worth-it" until the work left repays them). */
  readonly threadsStarted: boolean;
  /** Lanes that have run a task so far (a thread started after every task was taken ran none). */
  readonly lanesUsed: number;
  /** Runs a task; rejects with the task's InputError, SimulationError or other error. */
  run(task: RunTask): Promise<RunResult>;
  /** Waits for the tasks under way and stops the workers. */
  close(): Promise<void>;
}

/**
 * When a pool's worker threads start: at once ("now"), or once the work left
 * repays their start ("when-worth-it", see worthStarting).
 */
export type LaneStart = "now" | "when-worth-it";

export interface PoolOptions {
  /** Lanes (default: availableParallelism()): the calling thread and workers - 1 worker threads; 0 or 1 runs in-process. */
  readonly workers?: number;
  /** When the worker threads start (default: "when-worth-it" when `workers` is not given, else "now"). */
  readonly start?: LaneStart;
  /** With "when-worth-it": the calling lane's work left, in seconds, that starts the threads (default WORTH_STARTING_S). */
  readonly worthS?: number;
  /** Tasks the caller has for the pool: no more lanes than that (one task runs in-process). */
  readonly tasks?: number;
}

/**
 * A pool of `workers` lanes (default: availableParallelism()): the calling
 * thread and workers - 1 worker threads (see the module comment). 0 or 1 runs
 * every task in the calling thread, one after the other (no thread to start,
 * and the reference for determinism tests). Without a worker count the
 * threads start only when the work left is worth it (LaneStart).
 * @throws RangeError if workers is not a non-negative integer
 */
export function createPool(options: PoolOptions = {}): RunPool {
  const asked = options.workers ?? availableParallelism();
  if (!Number.isInteger(asked) || asked < 0) throw new RangeError(`createPool: workers: expected an integer >= 0, got ${asked}`);
  const workers = Math.min(asked, options.tasks ?? Infinity);
  const worthS = options.worthS ?? WORTH_STARTING_S;
  if (!(worthS >= 0)) throw new RangeError(`createPool: worthS: expected a number of seconds >= 0, got ${worthS}`);
  return workers <= 1 ? inProcessPool() : threadPool(workers, options.start ?? (options.workers === undefined ? "when-worth-it" : "now"), worthS);
}

/**
 * Seconds of the calling lane's work that must be left before worker threads
 * are started. A worker thread first loads the code and runs its first tasks
 * cold while V8 compiles the hot functions, on a machine whose second core
 * already runs the calling thread's compiler and collector: measured on this
 * repository's 2-core machines, sweep-default's 9 variants (about 0.2 s each
 * once warm) took 1.6 s more CPU and 1.25x the wall time on 2 lanes, while
 * bench/sweep-200.json's 200 (about 19 s on one lane) ran 1.5x faster. An
 * estimate of that order, with a margin: not a measured break-even.
 */
export const WORTH_STARTING_S = 4;

/**
 * Whether worker threads repay their start: the work left on the calling lane
 * alone, estimated as the unclaimed tasks times a typical task's time (the
 * lower median of those done: a policy's first task runs cold, several times
 * longer than the next, and says little; the estimate waits for two tasks),
 * reaches `worthS`; or a task has run that long by itself (few long tasks).
 */
export function worthStarting(taskSeconds: readonly number[], unclaimed: number, runningSeconds = 0, worthS = WORTH_STARTING_S): boolean {
  if (unclaimed === 0) return false;
  if (runningSeconds >= worthS) return true;
  if (taskSeconds.length < 2) return false;
  const sorted = [...taskSeconds].sort((a, b) => a - b);
  return unclaimed * sorted[(sorted.length - 1) >> 1] >= worthS;
}

/** Task times worthStarting weighs: the latest ones. */
const TIMES_KEPT = 64;
/** setTimeout's longest delay (a longer one fires at once, with a warning). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

function inProcessPool(): RunPool {
  let last: Promise<unknown> = Promise.resolve();
  let closed = false;
  let ran = false;
  return {
    workers: 0,
    threadsStarted: false,
    get lanesUsed() {
      return ran ? 1 : 0;
    },
    run(task) {
      if (closed) return Promise.reject(new Error("RunPool.run: the pool is closed"));
      ran = true;
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

/** Where worker.mjs finds the worker's loop (serveLane) after importing this module's file (see the module comment). */
const LANE_KEY = Symbol.for("impactsim.sweep.serveLane");

/**
 * The file workers import for their loop when it is JavaScript (a
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

/** A task given to a thread pool, and how its promise ends. */
interface Entry {
  readonly task: RunTask;
  readonly resolve: (r: RunResult) => void;
  readonly reject: (e: unknown) => void;
  settled: boolean;
}

/** What a worker thread sends back: the outcome of the task in slot `slot` of batch `batch`. */
interface Done {
  readonly batch: number;
  readonly slot: number;
  readonly envelope: TaskEnvelope;
}

/** Lanes: the calling thread (lane 0) and workers - 1 worker threads, dealing tasks by lanes.ts. */
function threadPool(workers: number, start: LaneStart, worthS: number): RunPool {
  const batches: (Batch<RunTask> & { readonly entries: Entry[]; open: number })[] = [];
  const live = new Set<Worker>();
  let incoming: Entry[] = [];
  let nextBatch = 0;
  let closed = false;
  let stopping = false;
  const unsettled = new Set<Promise<unknown>>();
  const exits: Promise<void>[] = [];

  /** Lanes that ran a task (the claim slot holds 1 + the lane). */
  const used = new Set<number>();
  const settle = (b: (typeof batches)[number], slot: number, ok: boolean, value: unknown) => {
    const e = b.entries[slot];
    if (e.settled) return;
    e.settled = true;
    used.add(Atomics.load(b.status, slot));
    if (ok) e.resolve(value as RunResult);
    else e.reject(value);
    // A batch whose tasks have all ended is dropped (a long-lived pool keeps no finished tasks).
    if (--b.open === 0) batches.splice(batches.indexOf(b), 1);
  };
  const post = (w: Worker, b: Batch<RunTask>) => w.postMessage({ batch: b.id, status: b.status.buffer, tasks: b.tasks });

  let ready: Promise<void> = Promise.resolve();
  let started = false;
  const startThreads = (): void => {
    if (started || stopping) return;
    started = true;
    ready = threads();
  };
  const threads = () => taskModuleUrl().then((taskModule) => {
    for (let lane = 1; lane < workers && !stopping; lane++) {
      const w = new Worker(new URL(WORKER_URL), { workerData: { taskModule, lane, lanes: workers } });
      live.add(w);
      let failure: Error | undefined;
      w.on("message", (m: Done) => {
        const b = batches.find((x) => x.id === m.batch);
        if (b) settle(b, m.slot, m.envelope.ok, m.envelope.ok ? m.envelope.result : reviveError(m.envelope.error));
      });
      w.on("error", (err) => (failure = err));
      exits.push(
        new Promise((done) =>
          w.on("exit", (code) => {
            live.delete(w);
            // A thread that stopped before the pool closed rejects the tasks it held; the other lanes run the rest.
            if (!stopping) {
              const why = failure ?? new Error(`sweep worker thread ${lane} stopped (exit code ${code})`);
              for (const b of [...batches]) for (let i = 0; i < b.tasks.length; i++) if (Atomics.load(b.status, i) === lane + 1) settle(b, i, false, why);
              if (failure) process.emitWarning(`impactsim: sweep worker thread ${lane} failed (${failure.message}); the other lanes run the remaining tasks`);
            }
            done();
          }),
        ),
      );
      for (const b of batches) post(w, b);
    }
  }).catch((err: unknown) => {
    // No worker thread could be made: the calling thread's lane runs every task, with a word why.
    process.emitWarning(`impactsim: sweep worker threads could not start (${err instanceof Error ? err.message : String(err)}); running tasks in the calling thread`);
  });

  /** Tasks no lane has claimed yet. */
  const unclaimed = (): number => {
    let n = 0;
    for (const b of batches) for (let i = 0; i < b.tasks.length; i++) if (Atomics.load(b.status, i) === 0) n++;
    return n;
  };

  // Lane 0, the calling thread: runs what it claims, yielding between tasks so results from the threads are taken in.
  // Until the threads have started (when-worth-it), it times its tasks to tell when they should.
  let running = false;
  const taskSeconds: number[] = [];
  const mainLane = async () => {
    if (running) return;
    running = true;
    try {
      for (let c = claim(batches, 0, workers); c !== undefined; c = claim(batches, 0, workers)) {
        const { batch, slot } = c;
        const t0 = performance.now();
        // A long task: the threads may start while it runs (checked when its reading or writing yields; a task that
        // never yields is checked when it ends). A threshold past setTimeout's range never fires.
        const long = started || !(worthS * 1000 <= MAX_TIMEOUT_MS) ? undefined : setTimeout(() => worthStarting(taskSeconds, unclaimed(), (performance.now() - t0) / 1000, worthS) && startThreads(), worthS * 1000).unref();
        try {
          settle(batch, slot, true, await runTask(batch.tasks[slot]));
        } catch (err) {
          settle(batch, slot, false, err);
        }
        clearTimeout(long);
        if (!started) {
          const took = (performance.now() - t0) / 1000;
          if (taskSeconds.length === TIMES_KEPT) taskSeconds.shift();
          taskSeconds.push(took);
          if (worthStarting(taskSeconds, unclaimed(), took, worthS)) startThreads();
        }
        await new Promise((next) => setImmediate(next));
      }
    } finally {
      running = false;
    }
  };
  if (start === "now") startThreads();

  /** The run() calls of one tick become one batch, so that lanes deal them by blocks. */
  const flush = () => {
    const entries = incoming;
    incoming = [];
    const b = { id: nextBatch++, status: claimSlots(entries.length), tasks: entries.map((e) => e.task), entries, open: entries.length };
    batches.push(b);
    for (const w of live) post(w, b);
    void ready.then(mainLane);
  };

  return {
    workers,
    get threadsStarted() {
      return started;
    },
    get lanesUsed() {
      return used.size;
    },
    run(task) {
      if (closed) return Promise.reject(new Error("RunPool.run: the pool is closed"));
      const p = new Promise<RunResult>((resolve, reject) => {
        if (incoming.length === 0) queueMicrotask(flush);
        incoming.push({ task, resolve, reject, settled: false });
      });
      const tracked: Promise<unknown> = p.then(
        (): boolean => unsettled.delete(tracked),
        (): boolean => unsettled.delete(tracked),
      );
      unsettled.add(tracked);
      return p;
    },
    async close() {
      closed = true;
      await ready;
      while (unsettled.size > 0) await Promise.all(unsettled);
      // Threads may have started while the last tasks ran (when-worth-it).
      await ready;
      stopping = true;
      for (const w of live) void w.terminate();
      await Promise.all(exits);
    },
  };
}

/**
 * A worker thread's loop (worker.mjs calls it once it has loaded this module):
 * takes the batches the pool posts, claims tasks for `lane` (lanes.ts) and runs
 * them one at a time, posting each outcome back as a TaskEnvelope.
 */
export function serveLane(port: MessagePort, lane: number, lanes: number): void {
  const batches: Batch<RunTask>[] = [];
  let busy = false;
  const pump = async () => {
    if (busy) return;
    busy = true;
    for (let c = claim(batches, lane, lanes); c !== undefined; c = claim(batches, lane, lanes)) {
      const envelope = await runTaskEnvelope(c.batch.tasks[c.slot]);
      port.postMessage({ batch: c.batch.id, slot: c.slot, envelope } satisfies Done);
    }
    busy = false;
  };
  port.on("message", (m: { batch: number; status: SharedArrayBuffer; tasks: RunTask[] }) => {
    batches.push({ id: m.batch, status: new Int32Array(m.status), tasks: m.tasks });
    void pump();
  });
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

/** A worker thread's task function (serveLane): runTask, with its error as data. */
export async function runTaskEnvelope(task: RunTask): Promise<TaskEnvelope> {
  try {
    return { ok: true, result: await runTask(task) };
  } catch (err) {
    if (err instanceof InputError) return { ok: false, error: { name: err.name, message: err.message, stack: err.stack, issues: JSON.parse(JSON.stringify(err.issues)) as Issue[] } };
    if (err instanceof Error) return { ok: false, error: { name: err.name, message: err.message, stack: err.stack } };
    return { ok: false, error: { name: "Error", message: String(err) } };
  }
}

(globalThis as Record<symbol, unknown>)[LANE_KEY] = serveLane;

const ERROR_CLASSES: Readonly<Record<string, new (message: string) => Error>> = { RangeError, TypeError, SimulationError };

function reviveError(e: SerializedError): Error {
  const err = e.name === "InputError" && e.issues ? new InputError(e.issues) : new (ERROR_CLASSES[e.name] ?? Error)(e.message);
  if (!(e.name in ERROR_CLASSES) && e.name !== "InputError") err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}
