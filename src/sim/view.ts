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
import { queuedJobView, runningJobView } from "../planner/index.js";
import { platformPoolFigures, poolView, type PoolFigures } from "../planner/index.js";
import type { ClusterView, LinkView, NodeState, PoolView, QueueIndex, QueuedJobView, RunningIndex, RunningJobView, SiteView, WorkflowView } from "../planner/index.js";
import type { Cluster } from "./cluster.js";
import type { JobTable, SimJob } from "./jobs.js";
import type { WorkflowTracker } from "./workflows.js";

type Queries = Required<Pick<ClusterView, "nodeState" | "nextIdle" | "nodeSince" | "nodeReadyAt" | "nodeJob" | "nodeJobs" | "nodeFreeCores" | "nodeFreeGpus" | "nodeFreeFpgas" | "nodeFreeMemoryMb" | "forecast">>;

export class ViewProjector {
  readonly figures: readonly PoolFigures[];
  private readonly links: readonly LinkView[];
  private pools: readonly PoolView[] = [];
  private sites: readonly SiteView[] = [];
  private poolsVersion = -1;
  private queue: readonly QueuedJobView[] = [];
  private running: readonly RunningJobView[] = [];
  private queueVersion = -1;
  private runningVersion = -1;
  private readonly workflows: WorkflowView[] = [];
  private readonly workflowVersions: number[] = [];
  private readonly workflowIds: number[] = [];
  private workflowsFrozen: readonly WorkflowView[] = Object.freeze([]);
  private readonly siteIndex: Map<string, number>;
  private readonly queries: Queries;
  /** The job the queue index's last search found, and the one it began after (see nextQueued). */
  private lastFound: SimJob | undefined = undefined;
  private lastFrom: SimJob | undefined = undefined;

  constructor(
    private readonly platform: PlatformModel,
    private readonly cluster: Cluster,
    private readonly jobs: JobTable,
    private readonly tracker: WorkflowTracker,
    forecasts: readonly IntensityForecast[],
    private readonly scoreMethod: ScoreMethod | undefined,
    private readonly clock: { readonly now: number },
    private readonly explain = true,
  ) {
    this.figures = platformPoolFigures(platform);
    this.links = Object.freeze((platform.links ?? []).map((l) => Object.freeze({ from: l.from, to: l.to, bandwidth: l.bandwidth, latency: l.latency, joulesPerByte: Object.freeze({ ...l.joulesPerByte }) })));
    this.siteIndex = new Map(platform.sites.map((s, i) => [s.id, i]));
    const c = cluster;
    this.queries = {
      nodeState: (id) => c.state[id] as NodeState,
      nextIdle: (from, to) => c.nextIdle(from, to),
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
    return (job.queuedView ??= queuedJobView(job.spec, job));
  }

  /** A running job as policies see it (made at its start, and again after it changes: forget()). */
  runningView(job: SimJob): RunningJobView {
    return (job.runningView ??= runningJobView(job.spec, job, job));
  }

  /** The job changed (deferred, suspended, its inputs arrived): its views are made again. */
  forget(job: SimJob): void {
    job.queuedView = undefined;
    job.runningView = undefined;
    this.queueVersion = this.runningVersion = -1;
  }

  /** The view of now (its pools, sites, queue and running jobs are made when a policy reads them). */
  view(): ClusterView {
    const index = new PassIndex(this, this.jobs.queue.length, this.jobs.running.length);
    const view = Object.freeze(new SimView(this, this.clock.now, this.workflowViews(), this.links, index, this.scoreMethod, this.queries, this.explain));
    index.view = view;
    return view;
  }

  /** The k-th running job's view (ClusterView.runningIndex), made when first read. */
  runningAt(k: number): RunningJobView {
    const job = this.jobs.running[k];
    if (job === undefined) throw new RangeError(`ClusterView.runningIndex.runningAt: no running job ${k} (${this.jobs.running.length} running)`);
    return this.runningView(job);
  }

  /** The sites with their power now, each made again only when its power or budget changed. */
  siteArray(): readonly SiteView[] {
    const c = this.cluster;
    const platformSites = this.platform.sites;
    let changed: SiteView[] | undefined;
    for (let i = 0; i < platformSites.length; i++) {
      const v = this.sites[i];
      if (v !== undefined && v.powerW === c.siteIt[i] && v.powerBudgetW === c.budgets[i]) continue;
      changed ??= [...this.sites];
      const site = platformSites[i];
      changed[i] = Object.freeze({ index: i, id: site.id, pue: site.pue, powerW: c.siteIt[i], powerBudgetW: c.budgets[i] });
    }
    if (changed !== undefined) this.sites = Object.freeze(changed);
    return this.sites;
  }

  /**
   * The pools with their counts now: after the cluster changed, each made
   * again only when its own counts did. A pool's view is made afresh, not
   * kept by its counts and given again (less allocation): a kept view is cold
   * by the time its counts come back, and over KTH-SP2 x8 reading one
   * (consolidate: 335,000 asks over some 6,600 views) cost more than making a
   * view, whose fields the policy then reads while they are hot (3.57 s of CPU
   * for the run against 3.76 s with views kept in 4,096 slots by a hash of
   * their counts, least of 6 alternated rounds).
   */
  poolArray(): readonly PoolView[] {
    const c = this.cluster;
    if (this.poolsVersion !== c.version) {
      let changed: PoolView[] | undefined;
      for (let p = 0; p < this.figures.length; p++) {
        const v = this.pools[p];
        if (v !== undefined && v.freeNodes === c.free[p] && v.sleepingNodes === c.sleeping[p] && v.wakingNodes === c.waking[p] && v.freeCores === c.freeCores[p]) continue;
        changed ??= [...this.pools];
        changed[p] = poolView(this.figures[p], c.free[p], c.sleeping[p], c.waking[p], c.freeCores[p]);
      }
      if (changed !== undefined) this.pools = Object.freeze(changed);
      this.poolsVersion = c.version;
    }
    return this.pools;
  }

  /** The queue as an array, made again only after the job table changed. */
  queueArray(): readonly QueuedJobView[] {
    if (this.queueVersion !== this.jobs.version) {
      const q: QueuedJobView[] = [];
      for (const job of this.jobs.queue) q.push(this.queued(job));
      this.queue = Object.freeze(q);
      this.queueVersion = this.jobs.version;
    }
    return this.queue;
  }

  /** The running jobs as an array, made again only after the running list changed. */
  runningArray(): readonly RunningJobView[] {
    if (this.runningVersion !== this.jobs.runningVersion) {
      this.running = Object.freeze(this.jobs.running.map((j) => this.runningView(j)));
      this.runningVersion = this.jobs.runningVersion;
    }
    return this.running;
  }

  /** A queued job's view by id (ClusterView.queueIndex). */
  queuedById(id: number): QueuedJobView | undefined {
    const job = this.jobs.queued(id);
    return job && this.queued(job);
  }

  /** The queue index's search (ClusterView.queueIndex), on the job table's index. */
  nextQueued(after: QueuedJobView | undefined, cores: number, shortCores: number, shortSeconds: number): QueuedJobView | undefined {
    let from: SimJob | undefined;
    if (after !== undefined) {
      // A walk passes the view the last search gave or began after: its job is known without a lookup while the queue is unchanged since.
      const found = this.lastFound;
      const begun = this.lastFrom;
      if (found !== undefined && after === found.queuedView && this.jobs.queue.isFound(found)) from = found;
      else if (begun !== undefined && after === begun.queuedView && this.jobs.queue.knows(begun)) from = begun;
      else from = this.jobs.queued(after.id);
      if (from === undefined) throw new RangeError(`ClusterView.queueIndex.next: job ${after.id} is not queued`);
    }
    this.lastFrom = from;
    const job = this.jobs.queue.next(from, cores, shortCores, shortSeconds);
    if (job === undefined) return undefined;
    this.lastFound = job;
    return this.queued(job);
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

/** One pass's queue index and running index (one object, members named apart): valid for the view it came with only. */
class PassIndex implements QueueIndex, RunningIndex {
  view!: ClusterView;
  constructor(
    private readonly projector: ViewProjector,
    readonly length: number,
    readonly runningCount: number,
  ) {}

  next(after: QueuedJobView | undefined, cores: number, shortCores: number, shortSeconds: number): QueuedJobView | undefined {
    return this.projector.nextQueued(after, cores, shortCores, shortSeconds);
  }

  byId(id: number): QueuedJobView | undefined {
    return this.projector.queuedById(id);
  }

  rebind(view: ClusterView): QueueIndex {
    const index = new PassIndex(this.projector, this.length, this.runningCount);
    index.view = view;
    return index;
  }

  runningAt(k: number): RunningJobView {
    return this.projector.runningAt(k);
  }
}

/**
 * One pass's view: plain data but for the pools, sites, queue and running
 * jobs, made only when a policy reads them (a policy using the queue index
 * never makes the queue, so a pass costs what can start; a pass with nothing
 * queued need not make the pools, one that reserves nothing need not copy the
 * running list). A class, so that a view costs one small object per pass;
 * those four are read through its prototype's getters, so a copy of the view
 * made by spreading it (`{ ...view }`) must set them itself (as restrictView does).
 */
const PROJECTOR = Symbol("projector");

class SimView implements ClusterView {
  /** Symbol-keyed (not a #private field): a policy's view derived from this one by Object.create reads through the getters too. */
  readonly [PROJECTOR]: ViewProjector;
  readonly queueIndex: QueueIndex;
  readonly runningIndex: RunningIndex;
  readonly nodeState: Queries["nodeState"];
  readonly nextIdle: Queries["nextIdle"];
  readonly nodeSince: Queries["nodeSince"];
  readonly nodeReadyAt: Queries["nodeReadyAt"];
  readonly nodeJob: Queries["nodeJob"];
  readonly nodeJobs: Queries["nodeJobs"];
  readonly nodeFreeCores: Queries["nodeFreeCores"];
  readonly nodeFreeGpus: Queries["nodeFreeGpus"];
  readonly nodeFreeFpgas: Queries["nodeFreeFpgas"];
  readonly nodeFreeMemoryMb: Queries["nodeFreeMemoryMb"];
  readonly forecast: Queries["forecast"];

  constructor(
    projector: ViewProjector,
    readonly now: number,
    readonly workflows: readonly WorkflowView[],
    readonly links: readonly LinkView[],
    index: PassIndex,
    readonly scoreMethod: ScoreMethod | undefined,
    q: Queries,
    readonly explain: boolean,
  ) {
    this[PROJECTOR] = projector;
    this.queueIndex = index;
    this.runningIndex = index;
    this.nodeState = q.nodeState;
    this.nextIdle = q.nextIdle;
    this.nodeSince = q.nodeSince;
    this.nodeReadyAt = q.nodeReadyAt;
    this.nodeJob = q.nodeJob;
    this.nodeJobs = q.nodeJobs;
    this.nodeFreeCores = q.nodeFreeCores;
    this.nodeFreeGpus = q.nodeFreeGpus;
    this.nodeFreeFpgas = q.nodeFreeFpgas;
    this.nodeFreeMemoryMb = q.nodeFreeMemoryMb;
    this.forecast = q.forecast;
  }

  get pools(): readonly PoolView[] {
    return this[PROJECTOR].poolArray();
  }

  get queue(): readonly QueuedJobView[] {
    return this[PROJECTOR].queueArray();
  }

  get running(): readonly RunningJobView[] {
    return this[PROJECTOR].runningArray();
  }

  get sites(): readonly SiteView[] {
    return this[PROJECTOR].siteArray();
  }
}
