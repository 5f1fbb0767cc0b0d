/**
 * Jobs in the simulator: the record of each job (what it asked for, where and
 * how it runs, its actual run time, which policies never see), the queue in
 * arrival order and the running list ordered by predicted end. The frozen views
 * policies see (planner/view.ts) are made from these records by sim/view.ts.
 */
import type { DeviceClass, JobSpec } from "../io/index.js";
import type { Tenant } from "./cluster.js";
import type { PoolModel } from "../models/index.js";
import { insertAt, OrderedQueue, removeAt, type JobProgress, type NodeTake, type QueueItem, type QueuedJobView, type RunInfo, type RunningJobView } from "../planner/index.js";

/** The nodes and allocation of a job not running (shared: no arrays per job until it starts). */
const NO_NODES: readonly number[] = Object.freeze([]);
const NO_TAKES: readonly NodeTake[] = Object.freeze([]);
/** Never added to: a job's tenants are replaced by a new array at each start, and by this one when it leaves its nodes. */
export const NO_TENANTS: Tenant[] = [];

/**
 * A job's record. It is also what views are made from (planner/jobViews.ts
 * JobProgress and RunInfo, read through the getters below), so a view costs
 * no record of its own.
 */
export class SimJob implements QueueItem, JobProgress, RunInfo {
  /** Lower bounds of what queue policies count for it (set when it is queued; 0 passes over nothing). */
  leastCores = 0;
  leastSeconds = 0;
  pool = -1;
  /** Its nodes on this run (frozen: its running view shares them). */
  nodes: readonly number[] = NO_NODES;
  /** What it holds of each node as placement gave it (frozen, planner/jobViews.ts sharedAllocation: its running view shares it). */
  allocation: readonly NodeTake[] = NO_TAKES;
  /** Its hold on each of its nodes (cores, devices, memory; busy parts by phase). */
  tenants: Tenant[] = NO_TENANTS;
  /** Whole nodes to itself on this run. */
  wholeNodes = false;
  device: DeviceClass = "cpu";
  /** Start of this run; its setup end (FPGA reconfiguration, = start without one). */
  start = -1;
  setupEnd = -1;
  predictedEnd = Infinity;
  /** Busy cores over allocated cores while it runs (its cores over its nodes' cores when it holds them whole). */
  utilisation = 0;
  killed = false;
  /** Workflow task waiting for inputs after its start: transfers still to arrive. */
  pendingInputs = 0;
  /** DVFS state it runs in (undefined: default). */
  pstate: number | undefined = undefined;
  /** Suspension: start of its first run, share of its work done before, wall time already used, run seconds so far, last suspension. */
  firstStart = -1;
  workDone = 0;
  wallUsed = 0;
  runSeconds = 0;
  lastSuspendedAt: number | undefined = undefined;
  /** The time of the last defer applied to it (undefined: never deferred). */
  deferredUntil: number | undefined = undefined;
  /** When its last input arrived (its start when none was missing). */
  inputsAt = -1;
  /** Bitstream it loads on its FPGAs (-1: none), recorded on the nodes once the load completes. */
  bitstreamId = -1;
  /** Actual run time of this run (never shown to policies) and its setup. */
  runtime = 0;
  setup = 0;
  /** Seconds of this run spent restarting from its checkpoint (a resumed run of a class with checkpoint_s), part of `runtime`. */
  restart = 0;
  slot = -1;
  /** Its views as policies see them, made when first needed (sim/view.ts; dropped when the job changes). */
  queuedView: QueuedJobView | undefined = undefined;
  runningView: RunningJobView | undefined = undefined;
  private scaled?: Readonly<Partial<Record<DeviceClass, number>>>;
  constructor(
    readonly spec: JobSpec,
    /** Arrival order: the queue's order. */
    readonly arrival: number,
  ) {}

  get id(): number {
    return this.spec.id;
  }

  /** Run seconds over its earlier runs (JobProgress). */
  get ranSeconds(): number {
    return this.runSeconds;
  }

  /** RunInfo's names for its run. */
  get holdsWholeNodes(): boolean {
    return this.wholeNodes;
  }

  get awaitingInputs(): boolean {
    return this.pendingInputs > 0;
  }

  /** Runtime models of the work left: the job's own until it has run, then scaled by the share left. */
  get runtimes(): Readonly<Partial<Record<DeviceClass, number>>> | undefined {
    const r = this.spec.runtimes;
    if (r === undefined || this.workDone === 0) return r;
    return (this.scaled ??= Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v * (1 - this.workDone)])));
  }

  /** After a suspension the work left changes: drop the cached scaled models. */
  resetScaled(): void {
    this.scaled = undefined;
  }

  /** Wall time it may still use. */
  get timeLeft(): number {
    return this.spec.walltime - this.wallUsed;
  }
}

/** Actual run time of a job on a pool's device: its runtime model (or trace runtime on CPUs), CPU times scaled by speed. */
export function actualRuntime(spec: JobSpec, pool: PoolModel, device: DeviceClass, pstate?: number): number | undefined {
  const base = spec.runtimes?.[device] ?? (device === "cpu" ? spec.runtime : undefined);
  if (base === undefined) return undefined;
  if (device !== "cpu") return base;
  return base / (pool.speed * (pstate === undefined ? 1 : pool.dvfs![pstate].speed));
}

/** Queued jobs (arrival order, indexed by need: planner/orderedQueue.ts) and running jobs (by predicted end, then id). */
export class JobTable {
  readonly queue = new OrderedQueue<SimJob>();
  readonly queued = new Map<number, SimJob>();
  readonly running: SimJob[] = [];
  readonly runningById = new Map<number, SimJob>();
  /** Bumped on every change of the queue or the running list (or of a job in them), so views are rebuilt only then; the second on changes of the running list only. */
  version = 0;
  runningVersion = 0;

  enqueue(job: SimJob): void {
    this.queue.insert(job);
    this.queued.set(job.id, job);
    this.version++;
  }

  /** Back to its place in the queue (arrival order), after a suspension. */
  requeue(job: SimJob): void {
    this.enqueue(job);
  }

  /** Removes a job from the queue. */
  unqueue(job: SimJob): void {
    this.queue.remove(job);
    this.queued.delete(job.id);
    this.version++;
  }

  /** Empties the queue (the run is over). */
  clearQueue(): void {
    this.queue.clear();
    this.queued.clear();
    this.version++;
  }

  private runningIndex(job: SimJob): number {
    let lo = 0;
    let hi = this.running.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const r = this.running[mid];
      if (r.predictedEnd < job.predictedEnd || (r.predictedEnd === job.predictedEnd && r.id < job.id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  addRunning(job: SimJob): void {
    insertAt(this.running, this.runningIndex(job), job);
    this.runningById.set(job.id, job);
    this.version++;
    this.runningVersion++;
  }

  /** @returns false when the job was not in the running list */
  removeRunning(job: SimJob): boolean {
    const i = this.runningIndex(job);
    if (this.running[i] !== job) return false;
    removeAt(this.running, i);
    this.runningById.delete(job.id);
    this.version++;
    this.runningVersion++;
    return true;
  }

  /** A running job's predicted end moves: it moves in the list. */
  movePredictedEnd(job: SimJob, predictedEnd: number): void {
    this.removeRunning(job);
    job.predictedEnd = predictedEnd;
    this.addRunning(job);
  }
}
