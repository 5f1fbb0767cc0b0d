/**
 * An in-memory scheduler behind the SchedulerBackend interface: batch jobs
 * submitted at their times, started where the world says, ended at their
 * actual run time or killed at their walltime, nodes switched with the
 * platform's switch times, jobs suspended (their work kept) and held. It is
 * what the live world's tests and the contract suite drive in place of Slurm.
 *
 * Its clock is moved by advance(), event by event, in the order a scheduler
 * would report them within one instant: job ends, node switches, grid timers,
 * submissions, then wake-up timers (by job, node or site id, then order of
 * arrival) — the order the simulator documents too, so both worlds give a
 * policy the same events. It runs CPU, GPU and FPGA batch jobs; workflows,
 * file staging and FPGA reconfiguration are the simulator's alone.
 *
 * Driven from outside (`external: true`, the service's mirror of a real
 * scheduler): jobs arrive by submit() at the time they are told, never end on
 * their own, and end when end() says (killed or not); advance() and step()
 * move the clock from event to event, setNow() to a time with nothing
 * pending before it.
 */
import type { DeviceClass, JobSpec } from "../io/index.js";
import type { PlatformModel, PowerStateModel } from "../models/index.js";
import { leastNeeds, OrderedQueue, queuedJobView, runningJobView, type JobProgress, type NodeTake, type QueueItem } from "../planner/index.js";
import { expectedRuntime } from "../planner/index.js";
import { platformPoolFigures, poolView } from "../planner/index.js";
import { NodeState, type PoolView, type QueuedJobView, type RunningJobView } from "../planner/index.js";
import type { BackendEvent, IndexedQueue, SchedulerBackend } from "./backend.js";

const PRIO_END = 0;
const PRIO_SWITCH = 1;
const PRIO_GRID = 2;
const PRIO_SUBMIT = 3;
const PRIO_WAKE = 4;

interface Pending {
  readonly t: number;
  readonly prio: number;
  readonly key: number;
  readonly seq: number;
  readonly daemon: boolean;
  readonly run: () => void;
}

interface FakeJob extends QueueItem {
  readonly spec: JobSpec;
  /** Order of submit() calls: the order of submissions within an instant. */
  readonly submitted: number;
  /** The queue's order: when it first joined the queue (a suspended job goes back to its place, as in the simulator). */
  arrival: number;
  wallUsed: number;
  ranSeconds: number;
  workDone: number;
  deferredUntil?: number;
  lastSuspendedAt?: number;
  /** While running: */
  pool: number;
  device: DeviceClass;
  pstate?: number;
  nodes: number[];
  takes: NodeTake[];
  wholeNodes: boolean;
  start: number;
  firstStart: number;
  predictedEnd: number;
  /** Actual run time of this run, and the key of its end event (a suspension voids it). */
  runtime: number;
  runId: number;
  queuedView?: QueuedJobView;
  runningView?: RunningJobView;
}

/** A run that left its nodes: where it ran, since when, and its run seconds over all its runs (this one included). */
export interface ReleasedRun {
  readonly pool: number;
  readonly takes: readonly NodeTake[];
  readonly wholeNodes: boolean;
  readonly device: DeviceClass;
  readonly start: number;
  readonly firstStart: number;
  readonly runSeconds: number;
}

export interface FakeSchedulerOptions {
  /** Jobs come by submit() and end by end(); their run times are never known here. */
  readonly external?: boolean;
  /** Called when a job starts, after its nodes are taken (the service's meter listens). */
  readonly onStart?: (spec: JobSpec, pool: number, takes: readonly NodeTake[], device: DeviceClass, wholeNodes: boolean, pstate: number | undefined) => void;
  /** Called when a job leaves its nodes (its run ended, or it was suspended: final false). */
  readonly onRelease?: (spec: JobSpec, killed: boolean, final: boolean, run: ReleasedRun) => void;
}

export class FakeScheduler implements SchedulerBackend {
  now = 0;
  readonly nodeCount: number;
  private readonly pools: readonly PoolView[];
  private readonly state: Uint8Array;
  private readonly since: Float64Array;
  private readonly readyAt: Float64Array;
  /** Per node: the jobs on it and what each took; allocated totals; 1 when held whole. */
  private readonly onNode: { jobId: number; take: NodeTake }[][];
  private readonly allocCores: Int32Array;
  private readonly allocGpus: Int32Array;
  private readonly allocFpgas: Int32Array;
  private readonly allocMem: Float64Array;
  private readonly whole: Uint8Array;
  private readonly nodePool: Int32Array;
  private readonly low: (PowerStateModel | undefined)[];
  private readonly lowKind: Uint8Array;
  private pending: Pending[] = [];
  private seq = 0;
  private events: BackendEvent[] = [];
  /** Waiting jobs in queue order, indexed by need (planner/orderedQueue.ts, as the simulator's queue): a pass costs what can start. */
  private readonly queue = new OrderedQueue<FakeJob>();
  /** queued()'s answer until the queue changes. */
  private queuedList?: readonly QueuedJobView[];
  private readonly runningJobs: FakeJob[] = [];
  private readonly byId = new Map<number, FakeJob>();
  private readonly timers = new Set<string>();
  private runIds = 0;
  private submissions = 0;
  private arrivals = 0;

  /**
   * @param jobs batch jobs in submit order; their actual run times are the scheduler's, never shown in a view
   */
  constructor(
    private readonly platform: PlatformModel,
    jobs: readonly JobSpec[],
    private readonly options: FakeSchedulerOptions = {},
  ) {
    this.pools = platformPoolFigures(platform).map((f) => poolView(f, f.nodes, 0, 0));
    const n = platform.pools.reduce((a, p) => a + p.count, 0);
    this.nodeCount = n;
    this.state = new Uint8Array(n).fill(NodeState.Idle);
    this.since = new Float64Array(n);
    this.readyAt = new Float64Array(n).fill(NaN);
    this.onNode = Array.from({ length: n }, () => []);
    this.allocCores = new Int32Array(n);
    this.allocGpus = new Int32Array(n);
    this.allocFpgas = new Int32Array(n);
    this.allocMem = new Float64Array(n);
    this.whole = new Uint8Array(n);
    this.nodePool = new Int32Array(n);
    this.low = new Array(n);
    this.lowKind = new Uint8Array(n);
    for (const p of this.pools) for (let k = 0; k < p.nodes; k++) this.nodePool[p.firstNode + k] = p.index;
    for (const spec of jobs) this.submit(spec, spec.submit);
  }

  /**
   * A job arrives at time `t` (default now), after the jobs submitted before it at that time.
   * @throws RangeError for a time before now or a job id already known
   */
  submit(spec: JobSpec, t = this.now): void {
    if (!(t >= this.now)) throw new RangeError(`FakeScheduler.submit: job ${spec.id} at ${t}, before now (${this.now})`);
    const submitted = this.submissions++;
    const job: FakeJob = { spec, submitted, arrival: -1, leastCores: 0, leastSeconds: 0, wallUsed: 0, ranSeconds: 0, workDone: 0, pool: -1, device: "cpu", nodes: [], takes: [], wholeNodes: false, start: -1, firstStart: -1, predictedEnd: Infinity, runtime: 0, runId: -1 };
    this.at(t, PRIO_SUBMIT, submitted, false, () => {
      job.arrival = this.arrivals++;
      this.enqueue(job);
      this.byId.set(spec.id, job);
      this.events.push({ kind: "submitted", jobId: spec.id });
    });
  }

  /**
   * A running job ends at time `t` (default now): external mode only.
   * @throws RangeError when the job is not running or the time is before now
   */
  end(jobId: number, killed: boolean, t = this.now): void {
    const job = this.byId.get(jobId);
    if (!job || job.pool < 0) throw new RangeError(`FakeScheduler.end: job ${jobId} is not running`);
    if (!(t >= this.now)) throw new RangeError(`FakeScheduler.end: job ${jobId} at ${t}, before now (${this.now})`);
    const runId = job.runId;
    this.at(t, PRIO_END, jobId, false, () => {
      if (job.runId !== runId) return;
      this.finish(job, killed);
    });
  }

  private finish(job: FakeJob, killed: boolean): void {
    this.release(job);
    this.byId.delete(job.spec.id);
    this.options.onRelease?.(job.spec, killed, true, this.released(job));
    // The run is over: an end reported twice for it (a retried request) finds no run to end.
    job.runId = -1;
    this.events.push({ kind: "ended", jobId: job.spec.id, killed });
  }

  /** Whether a job is waiting, running (and where), or unknown (never submitted, or ended). */
  jobState(jobId: number): "queued" | "running" | undefined {
    const job = this.byId.get(jobId);
    return !job ? undefined : job.pool >= 0 ? "running" : "queued";
  }

  /** Time of the next pending event (daemon timers included), Infinity when none. */
  nextTime(): number {
    return this.pending.length > 0 ? this.pending[0].t : Infinity;
  }

  /** Runs the next instant's events, daemon timers included. @returns false when nothing is pending */
  step(): boolean {
    if (this.pending.length === 0) return false;
    const t = this.pending[0].t;
    this.now = t;
    while (this.pending.length > 0 && this.pending[0].t === t) this.pending.shift()!.run();
    return true;
  }

  /** Moves the clock to t with nothing pending before it. @throws RangeError otherwise */
  setNow(t: number): void {
    if (t < this.now || this.nextTime() < t) throw new RangeError(`FakeScheduler.setNow: ${t} is before now (${this.now}) or after a pending event (${this.nextTime()})`);
    this.now = t;
  }

  private at(t: number, prio: number, key: number, daemon: boolean, run: () => void): void {
    const p: Pending = { t, prio, key, seq: this.seq++, daemon, run };
    // Few pending events in tests: a sorted insertion is enough.
    let i = this.pending.length;
    while (i > 0 && before(p, this.pending[i - 1])) i--;
    this.pending.splice(i, 0, p);
  }

  /** True while something other than daemon timers is pending. */
  get busy(): boolean {
    return this.pending.some((p) => !p.daemon);
  }

  /**
   * Moves the clock to the next instant with events and runs all of them.
   * @returns false when nothing but daemon timers is left (the scheduler is done)
   */
  advance(): boolean {
    if (!this.busy) return false;
    const t = this.pending[0].t;
    this.now = t;
    while (this.pending.length > 0 && this.pending[0].t === t) this.pending.shift()!.run();
    return true;
  }

  drain(): BackendEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  queued(): readonly QueuedJobView[] {
    // Kept until the queue changes; a live world reads it only when a policy asks for the whole queue (indexed: queueIndex).
    if (this.queuedList === undefined) {
      const list: QueuedJobView[] = [];
      for (const j of this.queue) list.push(viewOf(j));
      this.queuedList = Object.freeze(list);
    }
    return this.queuedList;
  }

  /** The queue by need and by id, without making the list (SchedulerBackend.queueIndex). */
  readonly queueIndex: IndexedQueue = {
    queuedCount: () => this.queue.length,
    queuedJob: (id) => {
      const job = this.byId.get(id);
      return job !== undefined && job.pool < 0 ? viewOf(job) : undefined;
    },
    nextQueued: (after, cores, shortCores, shortSeconds) => {
      let from: FakeJob | undefined;
      if (after !== undefined) {
        from = this.byId.get(after.id);
        if (from === undefined || from.pool >= 0) throw new RangeError(`FakeScheduler.nextQueued: job ${after.id} is not queued`);
      }
      const job = this.queue.next(from, cores, shortCores, shortSeconds);
      return job && viewOf(job);
    },
  };

  /** A job joins the queue at its place, with what its index keeps of it (least cores and run time over pools, as the simulator keys it). */
  private enqueue(job: FakeJob): void {
    const need = leastNeeds(viewOf(job), this.pools);
    job.leastCores = need.cores;
    job.leastSeconds = need.seconds;
    this.queue.insert(job);
    this.queuedList = undefined;
  }

  /** Takes a job out of the queue; undefined when it is not there. */
  private unqueue(jobId: number): FakeJob | undefined {
    const job = this.byId.get(jobId);
    if (job === undefined || job.pool >= 0 || !this.queue.remove(job)) return undefined;
    this.queuedList = undefined;
    return job;
  }

  /** Whether a job has arrived and waits in the queue (not running, not ended, not cancelled). */
  isQueued(jobId: number): boolean {
    const job = this.byId.get(jobId);
    return job !== undefined && job.pool < 0;
  }

  running(): readonly RunningJobView[] {
    return this.runningJobs.map(
      (j) =>
        (j.runningView ??= runningJobView(j.spec, progress(j), {
          pool: j.pool,
          device: j.device,
          pstate: j.pstate,
          nodes: j.nodes,
          allocation: j.takes,
          holdsWholeNodes: j.wholeNodes,
          start: j.start,
          firstStart: j.firstStart,
          setupEnd: j.start,
          awaitingInputs: false,
          predictedEnd: j.predictedEnd,
        })),
    );
  }

  nodeState(id: number): NodeState {
    return this.state[id] as NodeState;
  }
  nodeSince(id: number): number {
    return this.since[id];
  }
  nodeReadyAt(id: number): number {
    return this.readyAt[id];
  }
  nodeJob(id: number): number {
    return this.onNode[id][0]?.jobId ?? -1;
  }
  nodeJobs(id: number): readonly number[] {
    return this.onNode[id].map((x) => x.jobId);
  }
  private shareable(id: number): boolean {
    const s = this.state[id];
    return (s === NodeState.Idle || s === NodeState.Busy) && this.whole[id] === 0;
  }
  nodeFreeCores(id: number): number {
    return this.shareable(id) ? this.pools[this.nodePool[id]].coresPerNode - this.allocCores[id] : 0;
  }
  nodeFreeGpus(id: number): number {
    return this.shareable(id) ? this.pools[this.nodePool[id]].gpusPerNode - this.allocGpus[id] : 0;
  }
  nodeFreeFpgas(id: number): number {
    return this.shareable(id) ? this.pools[this.nodePool[id]].fpgasPerNode - this.allocFpgas[id] : 0;
  }
  nodeFreeMemoryMb(id: number): number {
    if (!this.shareable(id)) return 0;
    const mem = this.pools[this.nodePool[id]].memoryMb;
    return mem === undefined ? Infinity : mem - this.allocMem[id];
  }

  private setState(n: number, s: NodeState, readyAt = NaN): void {
    this.state[n] = s;
    this.since[n] = this.now;
    this.readyAt[n] = readyAt;
  }

  start(jobId: number, takes: readonly NodeTake[], device: DeviceClass, wholeNodes: boolean, pstate?: number): void {
    const nodes = takes.map((t) => t.node);
    const job = this.unqueue(jobId);
    if (job === undefined) throw new RangeError(`FakeScheduler.start: job ${jobId} is not queued`);
    const pool = this.pools[this.nodePool[nodes[0]]];
    const model = this.platform.pools[pool.index];
    const external = this.options.external === true;
    const base = job.spec.runtimes?.[device] ?? (device === "cpu" ? job.spec.runtime : external ? 0 : undefined);
    if (base === undefined) throw new RangeError(`FakeScheduler.start: job ${jobId} has no run time on ${device}`);
    const speed = device === "cpu" ? model.speed * (pstate === undefined ? 1 : model.dvfs![pstate].speed) : 1;
    const timeLeft = job.spec.walltime - job.wallUsed;
    job.pool = pool.index;
    job.device = device;
    job.pstate = pstate;
    job.nodes = nodes;
    job.takes = [...takes];
    job.wholeNodes = wholeNodes;
    job.start = this.now;
    if (job.firstStart < 0) job.firstStart = this.now;
    job.runtime = (base / speed) * (1 - job.workDone);
    const view = queuedJobView(job.spec, progress(job));
    job.predictedEnd = this.now + (Number.isFinite(timeLeft) ? timeLeft : expectedRuntime(view, pool, device, pstate)!);
    job.queuedView = undefined;
    job.runningView = undefined;
    for (const take of takes) {
      const n = take.node;
      if (this.onNode[n].length === 0) this.setState(n, NodeState.Busy);
      this.onNode[n].push({ jobId, take });
      this.allocCores[n] += take.cores;
      this.allocGpus[n] += take.gpus;
      this.allocFpgas[n] += take.fpgas;
      this.allocMem[n] += take.memMb;
      if (wholeNodes) this.whole[n] = 1;
    }
    insertRunning(this.runningJobs, job);
    const runId = (job.runId = this.runIds++);
    this.options.onStart?.(job.spec, pool.index, takes, device, wholeNodes, pstate);
    if (external) return;
    const killed = job.runtime > timeLeft;
    this.at(this.now + Math.min(job.runtime, timeLeft), PRIO_END, jobId, false, () => {
      if (job.runId !== runId) return; // this run was suspended
      this.finish(job, killed);
    });
  }

  private released(job: FakeJob): ReleasedRun {
    return { pool: job.pool, takes: job.takes, wholeNodes: job.wholeNodes, device: job.device, start: job.start, firstStart: job.firstStart, runSeconds: job.ranSeconds + (this.now - job.start) };
  }

  private release(job: FakeJob): void {
    for (const take of job.takes) {
      const n = take.node;
      const list = this.onNode[n];
      list.splice(list.findIndex((x) => x.jobId === job.spec.id), 1);
      this.allocCores[n] -= take.cores;
      this.allocGpus[n] -= take.gpus;
      this.allocFpgas[n] -= take.fpgas;
      this.allocMem[n] -= take.memMb;
      this.whole[n] = 0;
      if (list.length === 0) this.setState(n, NodeState.Idle);
    }
    const i = this.runningJobs.indexOf(job);
    if (i >= 0) this.runningJobs.splice(i, 1);
  }

  cancel(jobId: number): void {
    if (this.unqueue(jobId) !== undefined) this.byId.delete(jobId);
  }

  suspend(jobId: number): void {
    const job = this.byId.get(jobId);
    if (!job || job.pool < 0) throw new RangeError(`FakeScheduler.suspend: job ${jobId} is not running`);
    const runtimeHere = job.runtime / (1 - job.workDone);
    job.workDone = runtimeHere > 0 ? Math.min(1, job.workDone + (this.now - job.start) / runtimeHere) : job.workDone;
    this.release(job);
    this.options.onRelease?.(job.spec, false, false, this.released(job));
    job.wallUsed += this.now - job.start;
    job.ranSeconds += this.now - job.start;
    job.lastSuspendedAt = this.now;
    job.runId = -1;
    job.pool = -1;
    job.nodes = [];
    job.takes = [];
    job.predictedEnd = Infinity;
    job.queuedView = undefined;
    job.runningView = undefined;
    this.enqueue(job);
    this.events.push({ kind: "suspended", jobId });
  }

  power(nodes: readonly number[], to: "on" | "off" | "sleep"): void {
    for (const n of nodes) {
      const model = this.platform.pools[this.nodePool[n]];
      let done: number;
      if (to === "on") {
        const low = this.low[n]!;
        done = this.now + low.switchOnSeconds;
        this.setState(n, NodeState.SwitchingOn, done);
      } else {
        const low = (to === "off" ? model.off : model.sleep)!;
        this.low[n] = low;
        this.lowKind[n] = to === "off" ? NodeState.Off : NodeState.Sleep;
        done = this.now + low.switchOffSeconds;
        this.setState(n, NodeState.SwitchingOff, done);
      }
      this.at(done, PRIO_SWITCH, n, false, () => {
        this.setState(n, this.state[n] === NodeState.SwitchingOff ? (this.lowKind[n] as NodeState) : NodeState.Idle);
        this.events.push({ kind: "switched", node: n, state: this.state[n] as NodeState });
      });
    }
  }

  hold(jobId: number, until: number): void {
    const job = this.byId.get(jobId);
    if (!job) return;
    job.deferredUntil = until;
    job.queuedView = undefined;
    this.queuedList = undefined;
  }

  timer(t: number, tag: string, daemon = false): void {
    const key = `${t}/${tag}`;
    if (this.timers.has(key)) return;
    this.timers.add(key);
    const grid = /^grid:(\d+)$/.exec(tag);
    this.at(t, grid ? PRIO_GRID : PRIO_WAKE, grid ? Number(grid[1]) : 0, daemon, () => {
      this.timers.delete(key);
      this.events.push({ kind: "timer", tag });
    });
  }
}

function before(a: Pending, b: Pending): boolean {
  return a.t < b.t || (a.t === b.t && (a.prio < b.prio || (a.prio === b.prio && (a.key < b.key || (a.key === b.key && a.seq < b.seq)))));
}

/** A queued job as policies see it (made once, and again after it changes). */
function viewOf(j: FakeJob): QueuedJobView {
  return (j.queuedView ??= queuedJobView(j.spec, progress(j)));
}

function progress(j: FakeJob): JobProgress {
  const runtimes = j.spec.runtimes === undefined || j.workDone === 0 ? j.spec.runtimes : Object.fromEntries(Object.entries(j.spec.runtimes).map(([k, v]) => [k, v * (1 - j.workDone)]));
  return { wallUsed: j.wallUsed, ranSeconds: j.ranSeconds, runtimes, deferredUntil: j.deferredUntil, lastSuspendedAt: j.lastSuspendedAt };
}

/** Keeps running jobs ordered by predicted end, then id. */
function insertRunning(list: FakeJob[], job: FakeJob): void {
  let i = list.length;
  while (i > 0 && (list[i - 1].predictedEnd > job.predictedEnd || (list[i - 1].predictedEnd === job.predictedEnd && list[i - 1].spec.id > job.spec.id))) i--;
  list.splice(i, 0, job);
}
