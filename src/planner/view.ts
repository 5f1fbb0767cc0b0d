/**
 * The boundary between the world (simulator or live cluster) and policies.
 * A ClusterView is read-only data plus side-effect-free queries; a policy
 * returns Decisions as data; the world applies them and reports outcomes as
 * WorldEvents on the next call. Nothing here knows which world it runs in.
 *
 * Views are valid only during one decide() call: the world may reuse and
 * update the same objects between calls instead of copying them.
 */
import type { Seconds } from "../core/units.js";
import type { IntensityForecast } from "../models/forecast.js";
import type { DeviceClass, JobSpec } from "../io/spec.js";
import type { ScoreMethod } from "../core/score.js";
import type { WorkflowSpec } from "../io/wfformat.js";

export type { IntensityForecast };

/** A group of identical nodes at one site. */
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
  /** Embodied impacts per node-second, per phase and coordinate (N_PHASES x N_COORDS, phase-major). */
  readonly embodiedPerNodeSecond: Float64Array;
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
type JobNeeds = Pick<JobSpec, "runtimes" | "gpus" | "fpgas" | "bitstream" | "workflow" | "task" | "qos">;

export interface QueuedJobView extends JobNeeds {
  readonly id: number;
  readonly submit: Seconds;
  readonly cores: number;
  /** Requested time: the scheduler's estimate of the run time, s (Infinity for workflow tasks, which use runtime models). */
  readonly walltime: Seconds;
  readonly user: number;
  readonly project: string;
}

export interface RunningJobView {
  readonly id: number;
  readonly pool: number;
  readonly device: DeviceClass;
  /** Number of nodes held, and their ids. */
  readonly nodeCount: number;
  readonly nodes: readonly number[];
  readonly start: Seconds;
  /** start + setup + the expected run time (walltime for batch jobs): what a scheduler can know about its end. */
  readonly predictedEnd: Seconds;
}

/** Per-node state as a policy may see it. */
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
  /** Per task: 0 waiting, 1 ready, 2 running, 3 done. */
  readonly taskState: Uint8Array;
  /** Per task: site index it ran or runs on, -1 before. */
  readonly taskSite: Int32Array;
  /** Per file: bit s set when the file is at site s. */
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
  /** The EF 3.1 normalisation and weighting in force, for policies that weigh impacts as a single score. */
  readonly scoreMethod?: ScoreMethod;
  /** Forecast of a site's impact intensity; never the actual series. */
  forecast(site: string): IntensityForecast;
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

export interface Policy {
  readonly name: string;
  readonly version: string;
  readonly params: Readonly<Record<string, unknown>>;
  decide(view: ClusterView, happened: readonly WorldEvent[]): readonly Decision[];
}
