/**
 * The decision checker both worlds share (docs/world-protocol.md): whether a
 * policy's decision can be applied now, and to what. A world applies a pass's
 * decisions in order, checking each against its state as the earlier ones left
 * it, so a start may take nodes only while they are still free. A refused
 * decision changes nothing and comes back as a `decisionRefused` event with one
 * of the RefusalReasons; the simulator and a live world refuse the same
 * decisions for the same reasons because they ask the same questions here.
 */
import type { DeviceClass } from "../io/index.js";
import { place, type NodeReader, type NodeTake } from "./placement.js";
import { defaultDevice, expectedRuntime, holdsWholeNodes, nodesNeeded, poolCanHold } from "./resources.js";
import { NodeState, type Decision, type PoolView, type QueuedJobView, type RefusalReason, type RunningJobView } from "./view.js";

/** What the checker asks of a world: its state now, after the decisions applied earlier in the pass. */
export interface DecisionContext extends NodeReader {
  readonly now: number;
  queued(jobId: number): QueuedJobView | undefined;
  running(jobId: number): RunningJobView | undefined;
  /** The pool's fixed figures (counts may be stale; freeNodes gives the current one). */
  pool(index: number): PoolView | undefined;
  /** Free nodes of a pool now, and its cores free for jobs that share nodes. */
  freeNodes(pool: number): number;
  freeCores(pool: number): number;
  readonly nodeCount: number;
  nodeState(id: number): NodeState;
  /** Index of the pool holding node `id`. */
  nodePool(id: number): number;
  /** Workflows known to the world (0 where it runs none). */
  readonly workflowCount: number;
  /** Files of workflow `w`; whether one exists (has been written) and is at a site; the link index to bring it there (< 0: none). */
  workflowFiles(w: number): number;
  fileExists(w: number, file: number): boolean;
  fileAt(w: number, file: number, site: number): boolean;
  route(w: number, file: number, site: number): number;
  /** Input files of a task missing at a site. */
  missingInputs(w: number, task: number, site: number): readonly number[];
  readonly siteCount: number;
}

/** A start the world may apply: the job, where, on what, and the inputs still to bring. */
export interface Placement {
  readonly job: QueuedJobView;
  readonly pool: PoolView;
  readonly device: DeviceClass;
  /** Whole nodes to itself (it asked, or the pool is an exclusive partition). */
  readonly wholeNodes: boolean;
  /** Nodes it takes, and what it takes of each (planner/placement.ts). */
  readonly nodes: readonly number[];
  readonly takes: readonly NodeTake[];
  readonly missing: readonly number[];
}

type Start = Extract<Decision, { kind: "start" }>;

/** The missing inputs of a job outside workflows (shared: no array per start). */
const NO_FILES: readonly number[] = Object.freeze([]);

/**
 * Checks a start decision.
 * @returns the placement to apply, or the reason it is refused
 */
export function checkStart(d: Start, w: DecisionContext): Placement | RefusalReason {
  const job = w.queued(d.jobId);
  if (!job) return "unknown_job";
  const pool = w.pool(d.pool);
  if (!pool) return "unknown_pool";
  // Plain batch jobs (no runtime models) run on CPUs: no device search on the hot path.
  const plain = job.runtimes === undefined && d.device === undefined;
  const device = plain ? "cpu" : (d.device ?? defaultDevice(job, pool));
  // No model for the device, or a device the pool does not offer; else a request the pool can never hold.
  const offered = device === "cpu" || (device === "gpu" ? pool.gpusPerNode > 0 : device === "fpga" && pool.fpgasPerNode > 0);
  if (device === undefined || !offered || (!plain && expectedRuntime(job, pool, device) === undefined)) return "no_runtime_model";
  if (!poolCanHold(job, pool, device)) return "pool_cannot_hold";
  if (d.pstate !== undefined && (device !== "cpu" || !Number.isInteger(d.pstate) || d.pstate < 0 || d.pstate >= pool.dvfsSpeeds.length)) return "invalid_pstate";
  // A DVFS state is the node's: a start that sets one takes whole nodes.
  const wholeNodes = holdsWholeNodes(job, pool) || d.pstate !== undefined;
  if (wholeNodes ? (job.exactNodes ?? nodesNeeded(job, pool, device)) > w.freeNodes(pool.index) : job.cores > w.freeCores(pool.index)) return "not_enough_free_nodes";
  const wf = job.workflow;
  const missing = wf === undefined ? NO_FILES : w.missingInputs(wf, job.task!, pool.siteIndex);
  for (let i = 0; i < missing.length; i++) if (w.route(wf!, missing[i], pool.siteIndex) < 0) return "no_route";
  if (d.nodes) {
    if (wholeNodes && d.nodes.length !== (job.exactNodes ?? nodesNeeded(job, pool, device))) return "wrong_node_count";
    for (const n of d.nodes) {
      if (!Number.isInteger(n) || n < pool.firstNode || n >= pool.firstNode + pool.nodes) return "node_not_free";
      const state = w.nodeState(n);
      if (wholeNodes ? state !== NodeState.Idle : w.nodeFreeCores(n) === 0) return "node_not_free";
    }
    if (repeats(d.nodes)) return "node_not_free";
  }
  // Only a DVFS state makes a job that would share hold whole nodes: placement is told so by a copy of its view.
  const takes = place(wholeNodes && !job.exclusive && !holdsWholeNodes(job, pool) ? { ...job, exclusive: true } : job, pool, device, w, d.nodes);
  if (!takes) return "not_enough_free_nodes";
  const nodes = takes.map((t) => t.node);
  return { job, pool, device, wholeNodes, nodes, takes, missing };
}

/** Checks every node of a power decision first: a refused decision switches none. */
export function checkPower(d: Extract<Decision, { kind: "setPowerState" }>, w: DecisionContext): RefusalReason | undefined {
  // Ids that are no node, or a node named twice, first: refused as not free before any state is read.
  for (const n of d.nodes) if (!Number.isInteger(n) || n < 0 || n >= w.nodeCount) return "node_not_free";
  if (repeats(d.nodes)) return "node_not_free";
  for (const n of d.nodes) {
    const state = w.nodeState(n);
    if (d.state === "on") {
      if (state !== NodeState.Off && state !== NodeState.Sleep) return "node_not_free";
    } else {
      const pool = w.pool(w.nodePool(n))!;
      if (!(d.state === "off" ? pool.off : pool.sleep)) return "invalid_power_state";
      if (state !== NodeState.Idle) return "node_not_free";
    }
  }
  return undefined;
}

/** Marks of repeats(), by node id (grown as needed; all zero between calls). */
let seen = new Uint8Array(1024);

/**
 * True when some node appears twice. The ids are whole and from 0 (checked
 * first). A mark per id, cleared after, rather than a Set per decision:
 * consolidate names the nodes of every start and power decision.
 */
function repeats(nodes: readonly number[]): boolean {
  let top = 0;
  for (let i = 0; i < nodes.length; i++) if (nodes[i] > top) top = nodes[i];
  if (top >= seen.length) seen = new Uint8Array(Math.max(top + 1, 2 * seen.length));
  let k = 0;
  for (; k < nodes.length && seen[nodes[k]] === 0; k++) seen[nodes[k]] = 1;
  const repeated = k < nodes.length;
  for (let i = 0; i < k; i++) seen[nodes[i]] = 0;
  return repeated;
}

/**
 * Checks a suspension: a running job whose QoS class allows preemption, no
 * workflow task, past its setup and its inputs, and not started this instant
 * (nothing to checkpoint yet).
 */
export function checkSuspend(d: Extract<Decision, { kind: "suspend" }>, w: DecisionContext): RunningJobView | RefusalReason {
  const job = w.running(d.jobId);
  if (!job) return "unknown_job";
  if (!job.qos?.preemptible || job.workflow !== undefined || job.awaitingInputs || w.now < job.setupEnd || w.now === job.start) return "not_suspendable";
  return job;
}

/** Checks a transfer; "noop" when the file is already at the site. */
export function checkTransfer(d: Extract<Decision, { kind: "transfer" }>, w: DecisionContext): RefusalReason | "noop" | undefined {
  const wf = d.workflow;
  if (!(Number.isInteger(wf) && wf >= 0 && wf < w.workflowCount)) return "unknown_workflow";
  if (!(Number.isInteger(d.file) && d.file >= 0 && d.file < w.workflowFiles(wf)) || !(Number.isInteger(d.to) && d.to >= 0 && d.to < w.siteCount)) return "unknown_file";
  if (!w.fileExists(wf, d.file)) return "file_not_ready";
  if (w.fileAt(wf, d.file, d.to)) return "noop";
  if (w.route(wf, d.file, d.to) < 0) return "no_route";
  return undefined;
}

/** Checks a time a policy asks to be woken at (wakeAt, or a defer's end). */
export function checkTime(t: number, w: DecisionContext): RefusalReason | undefined {
  if (Number.isNaN(t)) return "invalid_time";
  if (!(t >= w.now)) return "in_the_past";
  return undefined;
}

/** Checks a deferral: a queued job and a time not in the past. */
export function checkDefer(d: Extract<Decision, { kind: "defer" }>, w: DecisionContext): RefusalReason | undefined {
  if (!w.queued(d.jobId)) return "unknown_job";
  return checkTime(d.until, w);
}

/** Checks a rejection: a queued job. */
export function checkReject(d: Extract<Decision, { kind: "reject" }>, w: DecisionContext): RefusalReason | undefined {
  return w.queued(d.jobId) ? undefined : "unknown_job";
}
