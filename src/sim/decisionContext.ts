/**
 * What the decision checker (planner/decisions.ts) asks of the simulated
 * world: its state now, read from the cluster, the job table and the
 * workflow tracker. A class, not an object of arrow functions made per run:
 * placement calls its node queries at every start, and a function made afresh
 * by each run is a call target V8's optimised code does not know, so each run
 * of a sweep threw that code away and compiled it again.
 */
import type { DecisionContext, NodeState, NodeTake, PoolView, QueuedJobView, RunningJobView } from "../planner/index.js";
import type { Cluster } from "./cluster.js";
import type { JobTable } from "./jobs.js";
import type { ViewProjector } from "./view.js";
import type { WorkflowTracker } from "./workflows.js";

export class SimDecisionContext implements DecisionContext {
  readonly nodeCount: number;

  constructor(
    private readonly clock: { readonly now: number },
    private readonly cluster: Cluster,
    private readonly jobs: JobTable,
    private readonly views: ViewProjector,
    private readonly tracker: WorkflowTracker,
    private readonly fixedPools: readonly PoolView[],
    readonly siteCount: number,
  ) {
    this.nodeCount = cluster.nodeCount;
  }

  get now(): number {
    return this.clock.now;
  }

  queued(id: number): QueuedJobView | undefined {
    const job = this.jobs.queued(id);
    return job && this.views.queued(job);
  }

  running(id: number): RunningJobView | undefined {
    const job = this.jobs.runningById(id);
    return job && this.views.runningView(job);
  }

  pool(i: number): PoolView | undefined {
    return this.fixedPools[i];
  }

  freeNodes(p: number): number {
    return this.cluster.free[p];
  }

  freeCores(p: number): number {
    return this.cluster.freeCores[p];
  }

  nodeFreeCores(n: number): number {
    return this.cluster.nodeFreeCores(n);
  }

  nodeFreeGpus(n: number): number {
    return this.cluster.nodeFreeGpus(n);
  }

  nodeFreeFpgas(n: number): number {
    return this.cluster.nodeFreeFpgas(n);
  }

  nodeFreeMemoryMb(n: number): number {
    return this.cluster.nodeFreeMemoryMb(n);
  }

  take(n: number, cores: number, gpus: number, fpgas: number, memMb: number): NodeTake {
    return this.cluster.take(n, cores, gpus, fpgas, memMb);
  }

  nextIdle(from: number, to: number): number {
    return this.cluster.nextIdle(from, to);
  }

  nodeState(id: number): NodeState {
    return this.cluster.state[id] as NodeState;
  }

  nodePool(id: number): number {
    return this.cluster.pool[id];
  }

  get workflowCount(): number {
    return this.views.workflowCount;
  }

  workflowFiles(w: number): number {
    return this.tracker.flow(w).sub.spec.files.length;
  }

  fileExists(w: number, file: number): boolean {
    return this.tracker.exists(w, file);
  }

  fileAt(w: number, file: number, site: number): boolean {
    return (this.tracker.flow(w).fileSites[file] & (1 << site)) !== 0;
  }

  route(w: number, file: number, site: number): number {
    return this.tracker.route(w, file, site);
  }

  missingInputs(w: number, task: number, site: number): readonly number[] {
    return this.tracker.missingInputs(w, task, site);
  }
}
