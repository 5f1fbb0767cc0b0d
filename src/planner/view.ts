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
}

export interface QueuedJobView {
  readonly id: number;
  readonly submit: Seconds;
  readonly cores: number;
  /** Requested time: the scheduler's estimate of the run time, s. */
  readonly walltime: Seconds;
  readonly user: number;
  readonly project: string;
}

export interface RunningJobView {
  readonly id: number;
  readonly pool: number;
  /** Number of nodes held. */
  readonly nodeCount: number;
  readonly start: Seconds;
  /** start + walltime: what a scheduler can know about its end. */
  readonly predictedEnd: Seconds;
}

/** Per-node state as a policy may see it. */
export const NodeState = { Idle: 0, Busy: 1, Off: 2, Sleep: 3, SwitchingOn: 4, SwitchingOff: 5 } as const;
export type NodeState = (typeof NodeState)[keyof typeof NodeState];

export interface ClusterView {
  readonly now: Seconds;
  readonly pools: readonly PoolView[];
  /** Waiting jobs in queue order (submit time, then arrival order). */
  readonly queue: readonly QueuedJobView[];
  /** Running jobs, ordered by predicted end, then job id. */
  readonly running: readonly RunningJobView[];
  /** State of node `id` (global id). */
  nodeState(id: number): NodeState;
  /** Forecast of a site's impact intensity; never the actual series. */
  forecast(site: string): IntensityForecast;
}

export type Decision =
  | { readonly kind: "start"; readonly jobId: number; readonly pool: number; readonly nodes?: readonly number[] }
  | { readonly kind: "reject"; readonly jobId: number; readonly reason: string }
  | { readonly kind: "setPowerState"; readonly nodes: readonly number[]; readonly state: "on" | "off" | "sleep" }
  | { readonly kind: "wakeAt"; readonly time: Seconds };

export type RefusalReason =
  | "not_enough_free_nodes"
  | "wrong_node_count"
  | "unknown_job"
  | "unknown_pool"
  | "node_not_free"
  | "invalid_power_state"
  | "in_the_past"
  | "invalid_time";

export type WorldEvent =
  | { readonly kind: "jobSubmitted"; readonly jobId: number }
  | { readonly kind: "jobEnded"; readonly jobId: number }
  | { readonly kind: "jobKilled"; readonly jobId: number; readonly reason: "walltime" }
  | { readonly kind: "nodesSwitched"; readonly nodes: readonly number[]; readonly state: NodeState }
  | { readonly kind: "intensityChanged"; readonly site: string }
  | { readonly kind: "wokeUp" }
  | { readonly kind: "decisionRefused"; readonly decision: Decision; readonly reason: RefusalReason };

export interface Policy {
  readonly name: string;
  readonly version: string;
  readonly params: Readonly<Record<string, unknown>>;
  decide(view: ClusterView, happened: readonly WorldEvent[]): readonly Decision[];
}

/** Nodes of `pool` a job of `cores` cores needs (whole nodes, exclusive allocation). */
export function nodesNeeded(cores: number, pool: PoolView): number {
  return Math.ceil(cores / pool.coresPerNode);
}
