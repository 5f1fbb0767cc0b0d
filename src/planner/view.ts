/**
 * The boundary between the world (simulator or live cluster) and policies
 * (docs/world-protocol.md). A ClusterView is plain, frozen data plus
 * side-effect-free queries, projected from the world's state: no object of the
 * world's own, and nothing a scheduler could not know on a real cluster (no
 * actual run times). A policy returns Decisions as data; the world checks them
 * (planner/decisions.ts), applies them in order and reports refusals and
 * outcomes as WorldEvents on the next call. Nothing here knows which world it
 * runs in.
 *
 * A view is a snapshot of one instant: the world builds a new one for each
 * call (reusing the frozen parts that did not change), so a policy may keep
 * nothing from it across calls but what it puts in its state.
 */
import type { Seconds } from "../core/index.js";
import type { EmbodiedClock, IntensityForecast } from "../models/index.js";
import type { DeviceClass, JobSpec } from "../io/index.js";
import type { ScoreMethod } from "../core/index.js";
import type { WorkflowSpec } from "../io/index.js";

export type { IntensityForecast };

/** A group of identical nodes at one site (plain data; counts as of the view's instant). */
export interface PoolView {
  /** Index in view.pools; decisions name pools by it. */
  readonly index: number;
  readonly site: string;
  readonly nodeType: string;
  readonly coresPerNode: number;
  /** Global id of the pool's first node; the pool holds ids [firstNode, firstNode + nodes). */
  readonly firstNode: number;
  readonly nodes: number;
  /** Nodes on and running nothing. */
  readonly freeNodes: number;
  /** Cores free for jobs that share nodes: on nodes that are on and not held by an exclusive job. */
  readonly freeCores: number;
  /** Every job gets whole nodes here (an exclusive partition). */
  readonly exclusive: boolean;
  /** Jobs share nodes here: a job asking for whole nodes cannot run in this pool. */
  readonly sharedOnly: boolean;
  /** Nodes off or asleep (including those switching off). */
  readonly sleepingNodes: number;
  /** Nodes currently switching on (available at the end of their switch-on). */
  readonly wakingNodes: number;
  /** Index of the pool's site in view.sites. */
  readonly siteIndex: number;
  /** CPU speed relative to the reference machine of runtime models. */
  readonly speed: number;
  readonly gpusPerNode: number;
  readonly fpgasPerNode: number;
  /** Relative speed of each DVFS state (empty without DVFS). */
  readonly dvfsSpeeds: readonly number[];
  /** Draw of an idle node, W. */
  readonly idleWatts: number;
  /**
   * Draw of a node running a job, W (side-effect free).
   * @param cpuUtilisation busy cores / cores, (0, 1]
   * @param devicesPerNode accelerators of `device` class the job uses on the node
   */
  busyWatts(device: DeviceClass, cpuUtilisation: number, devicesPerNode: number, pstate?: number): number;
  /**
   * Draw charged to a job that shares one node, alone there, W (the default
   * attribution rule, models/nodePower.ts shareDraw): `cores` cores kept busy
   * `load` of the time (0: held idle) and `devices` accelerators of `device`
   * class, busy while load > 0, else idle.
   */
  shareWatts(device: DeviceClass, cores: number, devices: number, load: number, pstate?: number): number;
  /** Embodied impacts per node-second, per phase and coordinate (N_PHASES x N_COORDS, phase-major; read-only). */
  readonly embodiedPerNodeSecond: Float64Array;
  /** The same by part (the node, its GPUs, its FPGAs) where the platform gives parts: what a shared job's devices are charged by (models/charge.ts embodiedRate). */
  readonly embodiedParts?: readonly { readonly kind: "node" | "gpu" | "fpga"; readonly perNodeSecond: Float64Array }[];
  /** How time past the parts' lifetimes is charged embodied impacts (models/embodied.ts; absent: linear). */
  readonly embodiedClock?: EmbodiedClock;
  /** Memory per node, MB, where the platform gives it (absent: no constraint). */
  readonly memoryMb?: number;
  /** The pool's low-power states, when it has them: draw and switch times and draws. */
  readonly off?: PowerStateView;
  readonly sleep?: PowerStateView;
}

export interface PowerStateView {
  readonly watts: number;
  readonly switchOnSeconds: Seconds;
  readonly switchOnWatts: number;
  readonly switchOffSeconds: Seconds;
  readonly switchOffWatts: number;
}

export interface SiteView {
  readonly index: number;
  readonly id: string;
  readonly pue: number;
  /** Current IT power of the site, W. */
  readonly powerW: number;
  /** Its IT power budget now, W (Infinity without one). */
  readonly powerBudgetW: number;
}

/** What a job says of its needs beyond cores: runtime models per device class on a reference node (s; see resources expectedRuntime), accelerators, FPGA bitstream, workflow and task index, QoS. */
type JobNeeds = Pick<JobSpec, "runtimes" | "gpus" | "fpgas" | "bitstream" | "workflow" | "task" | "qos" | "exclusive" | "exactNodes" | "memPerCoreMb" | "memPerNodeMb" | "cpuUsage">;

/**
 * A job as the scheduler knows it. `runtimes` are the runtime models of the
 * work left (the whole job until it has run; a resumed job's rest).
 */
export interface QueuedJobView extends JobNeeds {
  readonly id: number;
  readonly submit: Seconds;
  readonly cores: number;
  /** Requested time as submitted, s (Infinity for workflow tasks, which use runtime models). It never changes. */
  readonly walltime: Seconds;
  /** Wall time the job may still use: walltime minus the seconds it already ran (equal to walltime until it has run). */
  readonly timeLeft: Seconds;
  /** Seconds it already ran, over its earlier runs (0 until suspended once). */
  readonly ranSeconds: Seconds;
  readonly user: number;
  readonly project: string;
  /** Time it was last deferred to by a `defer` decision the world applied (absent: never deferred). */
  readonly deferredUntil?: Seconds;
  /** Time of its last suspension (absent: never suspended). */
  readonly lastSuspendedAt?: Seconds;
}

/** A running job as the scheduler knows it: the job, where it runs, since when, and its predicted end. */
export interface RunningJobView extends JobNeeds {
  readonly id: number;
  readonly submit: Seconds;
  readonly cores: number;
  /** Requested time as submitted, s. */
  readonly walltime: Seconds;
  readonly user: number;
  readonly project: string;
  readonly pool: number;
  readonly device: DeviceClass;
  /** DVFS state it runs in (absent: the default). */
  readonly pstate?: number;
  /** Number of nodes held, and their ids. */
  readonly nodeCount: number;
  readonly nodes: readonly number[];
  /** Cores it was allocated on its nodes, in all (whole nodes' cores when it holds them exclusively): what its end frees. */
  readonly allocCores: number;
  /** What it holds of each of its nodes: cores, GPUs, FPGAs, memory (MB). */
  readonly allocation: readonly { readonly node: number; readonly cores: number; readonly gpus: number; readonly fpgas: number; readonly memMb: number }[];
  /** True when it holds its nodes exclusively. */
  readonly holdsWholeNodes: boolean;
  /** Start of this run, and of its first run (they differ for a resumed job). */
  readonly start: Seconds;
  readonly firstStart: Seconds;
  /** Seconds it ran in earlier runs (before `start`); it has run ranSeconds + (now - start) in all. */
  readonly ranSeconds: Seconds;
  /** End of its setup (FPGA reconfiguration) once its inputs are in; `start` without one. */
  readonly setupEnd: Seconds;
  /** True while its input files are still being transferred (workflow tasks): its nodes are held, it has not begun. */
  readonly awaitingInputs: boolean;
  /** start + setup + the expected run time (walltime for batch jobs): what a scheduler can know about its end. */
  readonly predictedEnd: Seconds;
  /** Time of its last suspension (absent: never suspended). */
  readonly lastSuspendedAt?: Seconds;
}

/** Per-node state as a policy may see it (view.nodeState; since when: view.nodeSince). */
export const NodeState = { Idle: 0, Busy: 1, Off: 2, Sleep: 3, SwitchingOn: 4, SwitchingOff: 5 } as const;
export type NodeState = (typeof NodeState)[keyof typeof NodeState];

/** A workflow as a policy sees it: its DAG and where its tasks and files are. */
export interface WorkflowView {
  readonly index: number;
  readonly spec: WorkflowSpec;
  readonly project: string;
  readonly submit: Seconds;
  /** Site index where its initial files live. */
  readonly site: number;
  /** Job id of task i is firstJobId + i. */
  readonly firstJobId: number;
  /** Per task: runtime models per device class on a reference node, s. */
  readonly taskRuntimes: readonly Readonly<Partial<Record<DeviceClass, number>>>[];
  /** Per task: 0 waiting, 1 ready, 2 running, 3 done (a copy of the instant's state). */
  readonly taskState: Uint8Array;
  /** Per task: site index it ran or runs on, -1 before (a copy). */
  readonly taskSite: Int32Array;
  /** Per file: bit s set when the file is at site s (a copy). */
  readonly fileSites: Uint32Array;
}

/** One direction of a link between two sites. */
export interface LinkView {
  readonly from: number;
  readonly to: number;
  /** Bytes per second (shared by concurrent transfers). */
  readonly bandwidth: number;
  readonly latency: Seconds;
  readonly joulesPerByte: { readonly source: number; readonly destination: number; readonly network: number };
}

export interface ClusterView {
  readonly now: Seconds;
  /** Workflows submitted so far (index = workflow id). */
  readonly workflows: readonly WorkflowView[];
  readonly links: readonly LinkView[];
  readonly sites: readonly SiteView[];
  readonly pools: readonly PoolView[];
  /** Waiting jobs in queue order (submit time, then arrival order). */
  readonly queue: readonly QueuedJobView[];
  /** Running jobs, ordered by predicted end, then job id. */
  readonly running: readonly RunningJobView[];
  /** State of node `id` (global id). */
  nodeState(id: number): NodeState;
  /** Optional: the first node in [from, to) whose state is Idle, or `to`. A world that indexes its idle nodes offers it, so a policy need not ask every node. */
  nextIdle?(from: number, to: number): number;
  /** Since when node `id` has been in its state, s (0 for a node in its first state since the world began). */
  nodeSince(id: number): Seconds;
  /** When a switching node reaches its next state (on, or off/asleep), s; NaN for a node that is not switching. */
  nodeReadyAt(id: number): Seconds;
  /** Id of a job holding node `id` (the first, when several share it), or -1 when none does. */
  nodeJob(id: number): number;
  /** Ids of the jobs on node `id` (empty when none). */
  nodeJobs(id: number): readonly number[];
  /** Free cores, GPUs, FPGAs and memory (MB; Infinity where not modelled) of node `id` for a job that shares it (0 when it is off, switching or held exclusively). */
  nodeFreeCores(id: number): number;
  nodeFreeGpus(id: number): number;
  nodeFreeFpgas(id: number): number;
  nodeFreeMemoryMb(id: number): number;
  /** The EF 3.1 normalisation and weighting in force, for policies that weigh impacts as a single score. */
  readonly scoreMethod?: ScoreMethod;
  /** Forecast of a site's impact intensity; never the actual series. */
  forecast(site: string): IntensityForecast;
  /**
   * The queue indexed by need, offered by worlds whose queues grow long (the
   * simulator), so that a pass costs what can start, not the whole queue.
   * Optional: policies fall back to walking `queue` (common.ts QueueWalk).
   */
  readonly queueIndex?: QueueIndex;
  /**
   * The running jobs (`running`'s order) read one by one, offered by the
   * simulator, so that a policy that reads the first few (EASY's shadow time)
   * does not make the whole array at every pass. Optional: policies fall back
   * to `running`.
   */
  readonly runningIndex?: RunningIndex;
  /**
   * Whether the world keeps the reasons of decisions (`why`). False in a run
   * that writes only its summary: a policy may then leave an optional `why`
   * out and skip building it (for some policies, describing every
   * alternative is a large part of a pass). Absent or true: give them. A
   * `defer` carries its reason either way.
   */
  readonly explain?: boolean;
}

/**
 * The running jobs of a view by predicted end, then id, one at a time. Valid
 * only for the view it came with (`view`): a copy of the view with another
 * running list must not use it. (Its members are named apart from
 * QueueIndex's, so that one object of a world may be both.)
 */
export interface RunningIndex {
  readonly view: ClusterView;
  /** Jobs running (= view.running.length, without making the array). */
  readonly runningCount: number;
  /** The k-th running job (view.running[k]). */
  runningAt(k: number): RunningJobView;
}

/**
 * Walks a view's queue in order, passing over jobs that cannot start under
 * bounds the policy gives. Valid only for the view it came with (`view`): a
 * copy of the view with another queue (e.g. restrictView) must not use it.
 */
export interface QueueIndex {
  readonly view: ClusterView;
  /** Jobs queued (= view.queue.length, without making the array). */
  readonly length: number;
  /**
   * The first job after `after` (from the head when undefined) whose fewest
   * cores in any pool (resources.coresFor) are within `cores`, or within
   * `shortCores` with a shortest priced run time in any pool
   * (resources.runtimeFor) within `shortSeconds`; undefined when none is left.
   * Every job passed over fails both, so it could take neither.
   */
  next(after: QueuedJobView | undefined, cores: number, shortCores: number, shortSeconds: number): QueuedJobView | undefined;
  /** The queued job with this id, or undefined. */
  byId(id: number): QueuedJobView | undefined;
  /** The same index for another view of the same queue (a policy's copy of `view` with other running jobs, say). */
  rebind(view: ClusterView): QueueIndex;
}

/**
 * Why a policy decided something, as data: the reason, what it relied on (e.g.
 * the forecast mean over a window), and the alternatives it compared with their
 * expected costs. Recorded in the run's decisions.jsonl for audit.
 */
export interface Explanation {
  readonly reason: string;
  readonly expected?: Readonly<Record<string, number>>;
  readonly alternatives?: readonly { readonly option: string; readonly expected: Readonly<Record<string, number>> }[];
}

export type Decision =
  | {
      readonly kind: "start";
      readonly jobId: number;
      readonly pool: number;
      readonly nodes?: readonly number[];
      /** Device class to run on (default: planner/resources defaultDevice). */
      readonly device?: DeviceClass;
      /** DVFS state index (default: the node's default state). */
      readonly pstate?: number;
      readonly why?: Explanation;
    }
  /** Suspend a running job whose QoS class allows it; it keeps its work done and returns to the queue. */
  | { readonly kind: "suspend"; readonly jobId: number; readonly why?: Explanation }
  /** Keep a job waiting until `until` on purpose (the world wakes the policy then); recorded with its reason. */
  | { readonly kind: "defer"; readonly jobId: number; readonly until: Seconds; readonly why: Explanation }
  | { readonly kind: "reject"; readonly jobId: number; readonly reason: string }
  | { readonly kind: "setPowerState"; readonly nodes: readonly number[]; readonly state: "on" | "off" | "sleep"; readonly why?: Explanation }
  | { readonly kind: "wakeAt"; readonly time: Seconds }
  /** Move (copy) a workflow file to a site ahead of need. */
  | { readonly kind: "transfer"; readonly workflow: number; readonly file: number; readonly to: number; readonly why?: Explanation };

export type RefusalReason =
  | "not_enough_free_nodes"
  | "wrong_node_count"
  | "unknown_job"
  | "unknown_pool"
  | "node_not_free"
  | "invalid_power_state"
  | "in_the_past"
  | "invalid_time"
  | "no_runtime_model"
  | "pool_cannot_hold"
  | "invalid_pstate"
  | "no_route"
  | "unknown_workflow"
  | "unknown_file"
  | "file_not_ready"
  | "not_suspendable";

export type WorldEvent =
  | { readonly kind: "jobSubmitted"; readonly jobId: number }
  | { readonly kind: "jobEnded"; readonly jobId: number }
  | { readonly kind: "jobKilled"; readonly jobId: number; readonly reason: "walltime" }
  | { readonly kind: "nodesSwitched"; readonly nodes: readonly number[]; readonly state: NodeState }
  | { readonly kind: "intensityChanged"; readonly site: string }
  | { readonly kind: "budgetChanged"; readonly site: string }
  | { readonly kind: "jobSuspended"; readonly jobId: number }
  | { readonly kind: "wokeUp" }
  | { readonly kind: "workflowSubmitted"; readonly workflow: number }
  | { readonly kind: "workflowEnded"; readonly workflow: number }
  | { readonly kind: "transferEnded"; readonly workflow: number; readonly file: number; readonly to: number }
  | { readonly kind: "decisionRefused"; readonly decision: Decision; readonly reason: RefusalReason };

/**
 * A policy: decisions as a function of the view, the events since its last
 * call and its state. It keeps nothing else across calls: what it must
 * remember goes into `state`, a plain JSON-serialisable object that the world
 * creates with initialState(), hands to every call, and stores (a live world
 * persists it, so a restarted service goes on where it stopped). The policy
 * may change `state` in place. A stateless policy is a `Policy` (its state
 * type is void, so callers may leave the argument out); code that runs any
 * policy takes a `Policy<unknown>`.
 */
export interface Policy<S = void> {
  readonly name: string;
  readonly version: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** The state a world starts the policy with: plain JSON data (objects, arrays, numbers, strings, booleans, null). */
  initialState?(): S;
  decide(view: ClusterView, happened: readonly WorldEvent[], state: S): readonly Decision[];
}
