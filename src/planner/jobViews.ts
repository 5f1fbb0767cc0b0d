/**
 * Job views as every world makes them from a job's spec and what the world
 * knows of its progress: frozen plain data, with only the needs the job has,
 * and never its actual run time. Shared so that the simulator and a live
 * world show a job alike.
 */
import type { DeviceClass, JobSpec } from "../io/index.js";
import type { NodeTake } from "./placement.js";
import type { QueuedJobView, RunningJobView } from "./view.js";

type Writable<T> = { -readonly [K in keyof T]?: T[K] };

/** What a world knows of a job's progress beyond its spec. */
export interface JobProgress {
  /** Wall time used in earlier runs, and run seconds over them (equal unless a run held nodes before it began). */
  readonly wallUsed: number;
  readonly ranSeconds: number;
  /** Runtime models of the work left (the spec's until the job has run). */
  readonly runtimes?: Readonly<Partial<Record<DeviceClass, number>>>;
  readonly deferredUntil?: number;
  readonly lastSuspendedAt?: number;
}

/** A run as the world knows it. */
export interface RunInfo {
  readonly pool: number;
  readonly device: DeviceClass;
  readonly pstate?: number;
  readonly nodes: readonly number[];
  /** What it holds of each node (placement), and whole nodes to itself. */
  readonly allocation: readonly { readonly node: number; readonly cores: number; readonly gpus: number; readonly fpgas: number; readonly memMb: number }[];
  readonly holdsWholeNodes: boolean;
  readonly start: number;
  readonly firstStart: number;
  readonly setupEnd: number;
  readonly awaitingInputs: boolean;
  readonly predictedEnd: number;
}

type Allocation = RunInfo["allocation"];

/**
 * Freezes placement takes (planner/placement.ts: the five fields a view
 * shows) in place, so that runningJobView shares them rather than copying
 * every node's entry at every start: it takes a frozen allocation array as
 * already in the view's shape. One placement's takes are all the world's own
 * (NodeReader.take: frozen already) or all fresh, so the first says which.
 */
export function sharedAllocation(takes: readonly NodeTake[]): Allocation {
  if (takes.length > 0 && !Object.isFrozen(takes[0])) for (let i = 0; i < takes.length; i++) Object.freeze(takes[i]);
  return Object.freeze(takes);
}

function frozen<T extends object>(x: T | undefined): T | undefined {
  return x === undefined || Object.isFrozen(x) ? x : Object.freeze(x);
}

/** The needs of a job a policy may read, without the fields it lacks. */
function needsOf(spec: JobSpec, out: Writable<QueuedJobView>): void {
  if (spec.gpus !== undefined) out.gpus = spec.gpus;
  if (spec.fpgas !== undefined) out.fpgas = spec.fpgas;
  if (spec.bitstream !== undefined) out.bitstream = spec.bitstream;
  if (spec.workflow !== undefined) out.workflow = spec.workflow;
  if (spec.task !== undefined) out.task = spec.task;
  if (spec.qos !== undefined) out.qos = frozen(spec.qos);
  if (spec.exclusive !== undefined) out.exclusive = spec.exclusive;
  if (spec.exactNodes !== undefined) out.exactNodes = spec.exactNodes;
  if (spec.memPerCoreMb !== undefined) out.memPerCoreMb = spec.memPerCoreMb;
  if (spec.memPerNodeMb !== undefined) out.memPerNodeMb = spec.memPerNodeMb;
  if (spec.cpuUsage !== undefined) out.cpuUsage = spec.cpuUsage;
}

/**
 * Views are made by constructors called with `new` whose prototype is
 * Object's, not by a literal grown field by field: V8 gives a constructor's
 * objects room for every field it assigns, where a literal of six fields
 * grown to twenty made its property store again about five times (about 550
 * bytes allocated per running view against 210). They are plain objects as
 * before: the same fields in the same order, Object's prototype, frozen.
 */
type ViewConstructor<A extends unknown[], V> = new (...args: A) => V;

/** The constructor `make` (which sets the fields of `this`) with Object's prototype. */
function plainConstructor<A extends unknown[], V>(make: (this: Writable<V>, ...args: A) => void): ViewConstructor<A, V> {
  make.prototype = Object.prototype;
  return make as unknown as ViewConstructor<A, V>;
}

const QueuedView = plainConstructor(function (this: Writable<QueuedJobView>, spec: JobSpec, p: JobProgress): void {
  this.id = spec.id;
  this.submit = spec.submit;
  this.cores = spec.cores;
  this.walltime = spec.walltime;
  this.timeLeft = spec.walltime - p.wallUsed;
  this.ranSeconds = p.ranSeconds;
  this.user = spec.user;
  this.project = spec.project;
  frozen(spec.runtimes);
  if (p.runtimes !== undefined) this.runtimes = frozen(p.runtimes);
  needsOf(spec, this);
  if (p.deferredUntil !== undefined) this.deferredUntil = p.deferredUntil;
  if (p.lastSuspendedAt !== undefined) this.lastSuspendedAt = p.lastSuspendedAt;
});

const RunningView = plainConstructor(function (this: Writable<RunningJobView>, spec: JobSpec, p: JobProgress, run: RunInfo): void {
  this.id = spec.id;
  this.submit = spec.submit;
  this.cores = spec.cores;
  this.walltime = spec.walltime;
  this.user = spec.user;
  this.project = spec.project;
  if (spec.runtimes !== undefined) this.runtimes = frozen(spec.runtimes);
  needsOf(spec, this as Writable<QueuedJobView>);
  this.pool = run.pool;
  this.device = run.device;
  if (run.pstate !== undefined) this.pstate = run.pstate;
  this.nodeCount = run.nodes.length;
  // A frozen list of ids cannot change under the view: shared, not copied.
  this.nodes = Object.isFrozen(run.nodes) ? run.nodes : Object.freeze([...run.nodes]);
  let cores = 0;
  const allocation = run.allocation;
  for (let i = 0; i < allocation.length; i++) cores += allocation[i].cores;
  this.allocCores = cores;
  this.allocation = Object.isFrozen(run.allocation) ? run.allocation : Object.freeze(run.allocation.map((a) => Object.freeze({ node: a.node, cores: a.cores, gpus: a.gpus, fpgas: a.fpgas, memMb: a.memMb })));
  this.holdsWholeNodes = run.holdsWholeNodes;
  this.start = run.start;
  this.firstStart = run.firstStart;
  this.ranSeconds = p.ranSeconds;
  this.setupEnd = run.setupEnd;
  this.awaitingInputs = run.awaitingInputs;
  this.predictedEnd = run.predictedEnd;
  if (p.lastSuspendedAt !== undefined) this.lastSuspendedAt = p.lastSuspendedAt;
});

/** A queued job's view. */
export function queuedJobView(spec: JobSpec, p: JobProgress): QueuedJobView {
  return Object.freeze(new QueuedView(spec, p));
}

/** A running job's view. */
export function runningJobView(spec: JobSpec, p: JobProgress, run: RunInfo): RunningJobView {
  return Object.freeze(new RunningView(spec, p, run));
}
