/**
 * Jobs in the simulator: the record of each job (what it asked for, where and
 * how it runs, its actual run time, which policies never see), the queue in
 * arrival order and the running list ordered by predicted end. The frozen views
 * policies see (planner/view.ts) are made from these records by sim/view.ts.
 */
import { SimulationError } from "../core/index.js";
import type { DeviceClass, JobSpec } from "../io/index.js";
import type { Tenant } from "./cluster.js";
import { IdTable } from "./idTable.js";
import type { PoolModel } from "../models/index.js";
import { insertAt, OrderedQueue, removeAt, type JobProgress, type NodeTake, type QueueItem, type QueuedJobView, type RunInfo, type RunningJobView } from "../planner/index.js";

/** The nodes and allocation of a job not running (shared: no arrays per job until it starts). */
const NO_NODES: readonly number[] = Object.freeze([]);
const NO_TAKES: readonly NodeTake[] = Object.freeze([]);
/** The spec of a spare record (JobTable.recycle): it holds on to no job's. */
const NO_SPEC: JobSpec = Object.freeze({ id: -1, submit: 0, runtime: 0, walltime: 0, cores: 0, user: -1, group: -1, project: "", queue: -1, partition: -1, avgCpuTime: -1 });
/**
 * Spare records kept at most (about 2 MB): enough for the ends and arrivals
 * of a long run to meet (KTH x8 reuses all but its first few thousand), not
 * so many that a drained burst of 20,000 jobs keeps them all for a major
 * collection to mark at every cycle.
 */
const SPARE_RECORDS = 4096;

/**
 * A job's record. It is also what views are made from (planner/jobViews.ts
 * JobProgress and RunInfo, read through the getters below), so a view costs
 * no record of its own. Records are reused (JobTable.record, recycle): a job's
 * record goes back once it has ended or left the queue for good, as nothing
 * keeps records past that (views, facts and events copy what they show), and
 * the next job to arrive takes it, so a long run allocates records for the
 * most jobs held at once rather than for every job (with its boxed numbers,
 * about 550 bytes a job). Its fields are initialised where they are
 * declared, and reset() sets them to those values again for the next job
 * (test/unit/sim/records.test.ts checks that a reset record equals a fresh
 * one): set only by a method the constructor called, they were kept by V8 in a
 * property store beside the object but for the first nine, and a burst of
 * 20,000 jobs spent about a tenth of its CPU in reset, record and recycle.
 */
export class SimJob implements QueueItem, JobProgress, RunInfo {
  spec: JobSpec;
  /** Arrival order: the queue's order. */
  arrival: number;
  /** Lower bounds of what queue policies count for it (set when it is queued; 0 passes over nothing). */
  leastCores = 0;
  leastSeconds = 0;
  pool = -1;
  /** Its nodes on this run (frozen: its running view shares them). */
  nodes: readonly number[] = NO_NODES;
  /** What it holds of each node as placement gave it (frozen, planner/jobViews.ts sharedAllocation: its running view shares it). */
  allocation: readonly NodeTake[] = NO_TAKES;
  /**
   * Its hold on each of its nodes on this run (cores, devices, memory; busy
   * parts by phase): the first `tenantCount` entries. The record's own array,
   * kept across runs and jobs (emptying it would give its storage back, and
   * the next start would allocate it again).
   */
  readonly tenants: Tenant[] = [];
  tenantCount = 0;
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
  private scaled: Readonly<Partial<Record<DeviceClass, number>>> | undefined = undefined;

  constructor(spec: JobSpec, arrival: number) {
    this.spec = spec;
    this.arrival = arrival;
  }

  /** A spare record lets go of what its last job held (spec, views, nodes), so that a spare keeps nothing else alive; reset() sets the rest. */
  release(): void {
    this.spec = NO_SPEC;
    this.nodes = NO_NODES;
    this.allocation = NO_TAKES;
    this.queuedView = undefined;
    this.runningView = undefined;
    this.scaled = undefined;
  }

  /** The record as for a job just arrived (the tenants array kept). */
  reset(spec: JobSpec, arrival: number): void {
    this.spec = spec;
    this.arrival = arrival;
    this.leastCores = 0;
    this.leastSeconds = 0;
    this.pool = -1;
    this.nodes = NO_NODES;
    this.allocation = NO_TAKES;
    this.tenantCount = 0;
    this.wholeNodes = false;
    this.device = "cpu";
    this.start = -1;
    this.setupEnd = -1;
    this.predictedEnd = Infinity;
    this.utilisation = 0;
    this.killed = false;
    this.pendingInputs = 0;
    this.pstate = undefined;
    this.firstStart = -1;
    this.workDone = 0;
    this.wallUsed = 0;
    this.runSeconds = 0;
    this.lastSuspendedAt = undefined;
    this.deferredUntil = undefined;
    this.inputsAt = -1;
    this.bitstreamId = -1;
    this.runtime = 0;
    this.setup = 0;
    this.restart = 0;
    this.slot = -1;
    this.queuedView = undefined;
    this.runningView = undefined;
    this.scaled = undefined;
  }

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

/**
 * The record's fields set from the clock are made fields of doubles before the
 * first record of a run exists, by one record given a fraction in each (then
 * dropped). V8 keeps a field that first held a small integer as one, and at
 * the first other number (the clock's times come from the event queue's
 * Float64Array) changes how every record keeps it: each record made before is
 * converted when next touched. A burst queues all its records before its
 * first start, so each of 20,000 queued records was converted at its next
 * look (about 1.4 µs each: 13 % of a 20,000-job FCFS burst's profile, in the
 * queue's search). Only these four: a field of doubles keeps its number in a
 * box of its own in every record, which the collector then copies (all of
 * them, measured: 40-60 ms more collection in that burst).
 */
const probe = new SimJob(NO_SPEC, 0);
probe.start = probe.setupEnd = probe.firstStart = probe.inputsAt = 0.5;

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
  readonly running: SimJob[] = [];
  /**
   * Jobs queued or running, by id: one map for both (a job is in it from its
   * arrival until its record is recycled; its pool says which: -1 while
   * queued), so a start moves nothing between maps.
   */
  private readonly byId = new IdTable<SimJob>();
  /** Records given back (recycle), for the next arrivals. */
  private readonly spare: SimJob[] = [];
  /** Bumped on every change of the queue or the running list (or of a job in them), so views are rebuilt only then; the second on changes of the running list only. */
  version = 0;
  runningVersion = 0;

  /** A record for a job arriving now: a spare one reset, or a new one. */
  record(spec: JobSpec, arrival: number): SimJob {
    const job = this.spare.pop();
    if (job === undefined) return new SimJob(spec, arrival);
    job.reset(spec, arrival);
    return job;
  }

  /**
   * Takes back the record of a job that ended or left the queue for good
   * (neither queued nor running, its nodes released): the caller drops it.
   */
  recycle(job: SimJob): void {
    this.byId.delete(job.id);
    if (this.spare.length >= SPARE_RECORDS) return;
    job.release();
    this.spare.push(job);
  }

  /** The queued job with this id, or undefined. */
  queued(id: number): SimJob | undefined {
    const job = this.byId.get(id);
    return job !== undefined && job.pool < 0 ? job : undefined;
  }

  /** The running job with this id (its inputs arrived or not), or undefined. */
  runningById(id: number): SimJob | undefined {
    const job = this.byId.get(id);
    return job !== undefined && job.pool >= 0 ? job : undefined;
  }

  /** A job arrives in the queue. @throws SimulationError when another job with its id is queued or running (decisions name jobs by id) */
  enqueue(job: SimJob): void {
    const known = this.byId.size;
    this.byId.set(job.id, job);
    if (this.byId.size === known) throw new SimulationError(`job ${job.id} arrived while another job with the same id is queued or running: job ids must be unique`);
    this.requeue(job);
  }

  /** Back to its place in the queue (arrival order), after a suspension (still known by its id). */
  requeue(job: SimJob): void {
    this.queue.insert(job);
    this.version++;
  }

  /** Removes a job from the queue (it starts, or it is dropped and then recycled). */
  unqueue(job: SimJob): void {
    this.queue.remove(job);
    this.version++;
  }

  /** Empties the queue (the run is over). */
  clearQueue(): void {
    this.queue.clear();
    this.byId.clear();
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
    this.version++;
    this.runningVersion++;
  }

  /** @returns false when the job was not in the running list */
  removeRunning(job: SimJob): boolean {
    const i = this.runningIndex(job);
    if (this.running[i] !== job) return false;
    removeAt(this.running, i);
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
