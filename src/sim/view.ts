/**
 * The simulator's ClusterView: plain frozen data projected from the cluster,
 * the job table and the workflow tracker at each pass, with nothing of the
 * simulator's own objects and nothing a scheduler could not know (no actual
 * run times). Parts that did not change since the previous pass are reused:
 * a job's view is made when it is queued or starts (and again when it changes),
 * the queue and running arrays and the pools when their contents change.
 */
import type { ScoreMethod } from "../core/index.js";
import type { IntensityForecast } from "../models/index.js";
import type { PlatformModel } from "../models/index.js";
import { queuedJobView, runningJobView, type JobProgress } from "../planner/index.js";
import { platformPoolFigures, poolView, type PoolFigures } from "../planner/index.js";
import type { ClusterView, LinkView, NodeState, PoolView, QueuedJobView, RunningJobView, SiteView, WorkflowView } from "../planner/index.js";
import type { Cluster } from "./cluster.js";
import type { JobTable, SimJob } from "./jobs.js";
import type { WorkflowTracker } from "./workflows.js";

/** What the world knows of a job's progress, as planner/jobViews reads it. */
function progressOf(job: SimJob): JobProgress {
  return { wallUsed: job.wallUsed, ranSeconds: job.runSeconds, runtimes: job.runtimes, deferredUntil: job.deferredUntil, lastSuspendedAt: job.lastSuspendedAt };
}

export class ViewProjector {
  readonly figures: readonly PoolFigures[];
  private readonly links: readonly LinkView[];
  private readonly queuedViews = new WeakMap<SimJob, QueuedJobView>();
  private readonly runningViews = new WeakMap<SimJob, RunningJobView>();
  private pools: readonly PoolView[] = [];
  private poolsVersion = -1;
  private queue: readonly QueuedJobView[] = [];
  private running: readonly RunningJobView[] = [];
  private jobsVersion = -1;
  private readonly workflows: WorkflowView[] = [];
  private readonly workflowVersions: number[] = [];
  private readonly workflowIds: number[] = [];
  private workflowsFrozen: readonly WorkflowView[] = Object.freeze([]);
  private readonly siteIndex: Map<string, number>;
  private readonly queries: Pick<ClusterView, "nodeState" | "nodeSince" | "nodeReadyAt" | "nodeJob" | "nodeJobs" | "nodeFreeCores" | "nodeFreeGpus" | "nodeFreeFpgas" | "nodeFreeMemoryMb" | "forecast">;

  constructor(
    private readonly platform: PlatformModel,
    private readonly cluster: Cluster,
    private readonly jobs: JobTable,
    private readonly tracker: WorkflowTracker,
    forecasts: readonly IntensityForecast[],
    private readonly scoreMethod: ScoreMethod | undefined,
    private readonly clock: { readonly now: number },
  ) {
    this.figures = platformPoolFigures(platform);
    this.links = Object.freeze((platform.links ?? []).map((l) => Object.freeze({ from: l.from, to: l.to, bandwidth: l.bandwidth, latency: l.latency, joulesPerByte: Object.freeze({ ...l.joulesPerByte }) })));
    this.siteIndex = new Map(platform.sites.map((s, i) => [s.id, i]));
    const c = cluster;
    this.queries = {
      nodeState: (id) => c.state[id] as NodeState,
      nodeSince: (id) => c.since[id],
      nodeReadyAt: (id) => c.readyAt[id],
      nodeJob: (id) => c.tenants[id]?.[0]?.spec.id ?? -1,
      nodeJobs: (id) => Object.freeze(c.nodeJobs(id)),
      nodeFreeCores: (id) => c.nodeFreeCores(id),
      nodeFreeGpus: (id) => c.nodeFreeGpus(id),
      nodeFreeFpgas: (id) => c.nodeFreeFpgas(id),
      nodeFreeMemoryMb: (id) => c.nodeFreeMemoryMb(id),
      forecast: (site) => {
        const i = this.siteIndex.get(site);
        if (i === undefined) throw new RangeError(`ClusterView.forecast: unknown site "${site}"`);
        return forecasts[i];
      },
    };
  }

  /** A queued job as policies see it (made once, and again after it changes: forget()). */
  queued(job: SimJob): QueuedJobView {
    let v = this.queuedViews.get(job);
    if (v === undefined) this.queuedViews.set(job, (v = queuedJobView(job.spec, progressOf(job))));
    return v;
  }

  /** A running job as policies see it (made at its start, and again after it changes: forget()). */
  runningView(job: SimJob): RunningJobView {
    let v = this.runningViews.get(job);
    if (v === undefined) {
      const run = { pool: job.pool, device: job.device, pstate: job.pstate, nodes: job.nodes, allocation: job.tenants, holdsWholeNodes: job.wholeNodes, start: job.start, firstStart: job.firstStart, setupEnd: job.setupEnd, awaitingInputs: job.pendingInputs > 0, predictedEnd: job.predictedEnd };
      this.runningViews.set(job, (v = runningJobView(job.spec, progressOf(job), run)));
    }
    return v;
  }

  /** The job changed (deferred, suspended, its inputs arrived): its views are made again. */
  forget(job: SimJob): void {
    this.queuedViews.delete(job);
    this.runningViews.delete(job);
  }

  /** Pool `p` with its counts now. */
  pool(p: number): PoolView {
    if (this.poolsVersion === this.cluster.version) return this.pools[p];
    const c = this.cluster;
    return poolView(this.figures[p], c.free[p], c.sleeping[p], c.waking[p], c.freeCores[p]);
  }

  /** The view of now. */
  view(): ClusterView {
    const c = this.cluster;
    if (this.poolsVersion !== c.version) {
      this.pools = Object.freeze(this.figures.map((f, p) => poolView(f, c.free[p], c.sleeping[p], c.waking[p], c.freeCores[p])));
      this.poolsVersion = c.version;
    }
    if (this.jobsVersion !== this.jobs.version) {
      const q: QueuedJobView[] = [];
      for (const job of this.jobs.queue) if (this.jobs.queued.has(job.id)) q.push(this.queued(job));
      this.queue = Object.freeze(q);
      this.running = Object.freeze(this.jobs.running.map((j) => this.runningView(j)));
      this.jobsVersion = this.jobs.version;
    }
    const sites: SiteView[] = this.platform.sites.map((site, index) => Object.freeze({ index, id: site.id, pue: site.pue, powerW: c.siteIt[index], powerBudgetW: c.budgets[index] }));
    return Object.freeze({
      now: this.clock.now,
      workflows: this.workflowViews(),
      links: this.links,
      sites: Object.freeze(sites),
      pools: this.pools,
      queue: this.queue,
      running: this.running,
      scoreMethod: this.scoreMethod,
      ...this.queries,
    });
  }

  /** Workflows submitted so far, each copied again only when it changed. */
  private workflowViews(): readonly WorkflowView[] {
    let changed = this.workflowsFrozen.length !== this.workflows.length;
    for (let k = 0; k < this.workflows.length; k++) {
      const w = this.workflowIds[k];
      const f = this.tracker.flow(w);
      if (this.workflowVersions[k] !== f.version) {
        this.workflows[k] = this.workflowOf(w);
        this.workflowVersions[k] = f.version;
        changed = true;
      }
    }
    if (changed) this.workflowsFrozen = Object.freeze([...this.workflows]);
    return this.workflowsFrozen;
  }

  /** A workflow arrives: it appears in views from now on, in arrival order. */
  addWorkflow(w: number): void {
    this.workflowIds.push(w);
    this.workflows.push(this.workflowOf(w));
    this.workflowVersions.push(this.tracker.flow(w).version);
  }

  /** Workflows arrived so far. */
  get workflowCount(): number {
    return this.workflows.length;
  }

  private workflowOf(w: number): WorkflowView {
    const f = this.tracker.flow(w);
    return Object.freeze({
      index: w,
      spec: f.sub.spec,
      project: f.sub.project,
      submit: f.sub.submit,
      site: f.sub.site,
      firstJobId: f.sub.firstJobId,
      taskRuntimes: f.runtimes,
      taskState: Uint8Array.from(f.state),
      taskSite: Int32Array.from(f.siteOf),
      fileSites: Uint32Array.from(f.fileSites),
    });
  }
}
