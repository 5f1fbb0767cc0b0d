/**
 * What a live world needs of a scheduler (docs/world-protocol.md, "The live
 * world"): its state as it reports it (jobs queued and running, nodes and their
 * power states), what happened since the last poll, and the few commands a
 * policy's decisions become. A bridge to a real scheduler implements it (Slurm:
 * squeue/sinfo for the state, scontrol and sbatch for the commands); so does
 * the in-memory FakeScheduler the tests drive (live/fakeScheduler.ts).
 *
 * Times are seconds on the world's clock (the platform's epoch is time 0).
 */
import type { DeviceClass } from "../io/index.js";
import type { NodeState, NodeTake, QueuedJobView, RunningJobView } from "../planner/index.js";

/** Something that happened at the scheduler, in the order it happened. */
export type BackendEvent =
  | { readonly kind: "submitted"; readonly jobId: number }
  | { readonly kind: "ended"; readonly jobId: number; readonly killed: boolean }
  | { readonly kind: "switched"; readonly node: number; readonly state: NodeState }
  | { readonly kind: "suspended"; readonly jobId: number }
  /** A timer set with timer() fired. */
  | { readonly kind: "timer"; readonly tag: string };

/** A backend's queue by need and by id (planner/view.ts QueueIndex, for whichever view the world makes). */
export interface IndexedQueue {
  queuedCount(): number;
  /** The waiting job with this id, or undefined. */
  queuedJob(id: number): QueuedJobView | undefined;
  /** QueueIndex.next over the backend's queue. @throws RangeError when `after` is not queued */
  nextQueued(after: QueuedJobView | undefined, cores: number, shortCores: number, shortSeconds: number): QueuedJobView | undefined;
}

export interface SchedulerBackend {
  /** The scheduler's clock, s. */
  readonly now: number;
  /** Events since the last call, oldest first; the backend forgets them. */
  drain(): BackendEvent[];
  /** Waiting jobs in queue order, as the scheduler knows them (no actual run times). */
  queued(): readonly QueuedJobView[];
  /**
   * The queue indexed by need, for a backend that keeps one (FakeScheduler):
   * the live view then offers ClusterView.queueIndex and makes the queue's
   * list only when a policy reads it, so a pass costs what can start.
   */
  readonly queueIndex?: IndexedQueue;
  /** Running jobs, by predicted end, then id. */
  running(): readonly RunningJobView[];
  /** Nodes: how many, and each one's state, since when, when a switch completes (NaN when none), and the jobs on it. */
  readonly nodeCount: number;
  nodeState(id: number): NodeState;
  nodeSince(id: number): number;
  nodeReadyAt(id: number): number;
  nodeJob(id: number): number;
  nodeJobs(id: number): readonly number[];
  /** What a job that shares nodes may still take of node `id` (0 when off, switching or held whole; memory Infinity where not modelled). */
  nodeFreeCores(id: number): number;
  nodeFreeGpus(id: number): number;
  nodeFreeFpgas(id: number): number;
  nodeFreeMemoryMb(id: number): number;
  /** Starts a queued job with what it takes of each node (Slurm: the allocation; whole nodes for an exclusive job). */
  start(jobId: number, takes: readonly NodeTake[], device: DeviceClass, wholeNodes: boolean, pstate?: number): void;
  /** Removes a queued job (a policy rejected it). */
  cancel(jobId: number, reason: string): void;
  /** Suspends a running job (it goes back to the queue, its work kept). */
  suspend(jobId: number): void;
  /** Switches nodes on, off or to sleep. */
  power(nodes: readonly number[], state: "on" | "off" | "sleep"): void;
  /** Keeps a queued job waiting until `until` (Slurm: its begin time). */
  hold(jobId: number, until: number): void;
  /**
   * Asks for a "timer" event at time t with `tag`. A daemon timer (grid
   * intensity changes) does not keep the scheduler busy: when nothing else is
   * left to happen, the world is done.
   */
  timer(t: number, tag: string, daemon?: boolean): void;
}
