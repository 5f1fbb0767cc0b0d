/**
 * The live World (planner/world.ts) over a scheduler backend (live/backend.ts):
 * the same view, events, decision checks and policy state as the simulator's,
 * from what a real scheduler reports. Decisions are checked by the shared
 * checker (planner/decisions.ts) against the scheduler's state as the earlier
 * decisions of the pass leave it (kept here, since a real scheduler applies
 * commands later), then sent as commands. Grid intensity changes come from the
 * site series on the world's own timers, as in the simulator.
 *
 * The policy's state lives in a PolicyStateStore: kept in memory by default; a
 * service stores it durably so that a restart goes on where it stopped.
 */
import type { ScoreMethod } from "../core/index.js";
import type { IntensityForecast } from "../models/index.js";
import type { PlatformModel } from "../models/index.js";
import { checkDefer, checkPower, checkReject, checkStart, checkSuspend, checkTime, checkTransfer, type DecisionContext } from "../planner/index.js";
import { devicesRequested } from "../planner/index.js";
import { nodeDraw } from "../models/index.js";
import { platformPoolFigures, poolView, type PoolFigures } from "../planner/index.js";
import { NodeState, type ClusterView, type Decision, type Policy, type PoolView, type QueueIndex, type QueuedJobView, type RunningJobView, type SiteView, type WorkflowView, type WorldEvent } from "../planner/index.js";
import type { Refusal, World } from "../planner/index.js";
import type { IndexedQueue, SchedulerBackend } from "./backend.js";

/** Where a live world keeps its policy's state (JSON data) between passes and across restarts. */
export interface PolicyStateStore {
  load(): unknown;
  save(state: unknown): void;
}

/** A store in memory: the state survives passes, not restarts. */
export function memoryStateStore(initial?: unknown): PolicyStateStore {
  let state = initial;
  return { load: () => state, save: (s) => void (state = s) };
}

export interface LiveWorldOptions {
  readonly platform: PlatformModel;
  /** One per site, in platform order. */
  readonly forecasts: readonly IntensityForecast[];
  readonly scoreMethod?: ScoreMethod;
  /** A time in words for messages (default: seconds). */
  readonly describeTime?: (t: number) => string;
  /** The policy's state store; default: in memory, started from the policy's initialState(). */
  readonly store?: PolicyStateStore;
  /** The policy, for its initial state when the store holds none. */
  readonly policy?: Policy<unknown>;
}

export class LiveWorld implements World {
  private readonly figures: readonly PoolFigures[];
  private readonly nodePool: Int32Array;
  /** Events since the last pass, in the order they happened (the scheduler's, and refusals as decisions were checked). */
  private events: WorldEvent[] = [];
  private readonly store: PolicyStateStore;
  private readonly siteIds: readonly string[];
  /** Forecasts in force (the options', or posted ones) and power budgets set live, per site. */
  private readonly forecasts: IntensityForecast[];
  private readonly budgets = new Map<number, number>();
  private readonly links: ClusterView["links"];
  /** The view's queries, the same functions for every view (they read the backend as it is). */
  private readonly queries: Queries;

  constructor(
    private readonly backend: SchedulerBackend,
    private readonly options: LiveWorldOptions,
  ) {
    const { platform } = options;
    this.figures = platformPoolFigures(platform);
    this.nodePool = new Int32Array(backend.nodeCount);
    for (const f of this.figures) for (let k = 0; k < f.nodes; k++) this.nodePool[f.firstNode + k] = f.index;
    this.siteIds = platform.sites.map((s) => s.id);
    this.store = options.store ?? memoryStateStore(options.policy?.initialState?.());
    this.forecasts = [...options.forecasts];
    this.links = Object.freeze(platform.links ?? []);
    const b = backend;
    const forecasts = this.forecasts;
    const siteIds = this.siteIds;
    this.queries = {
      nodeState: (id) => b.nodeState(id),
      nodeSince: (id) => b.nodeSince(id),
      nodeReadyAt: (id) => b.nodeReadyAt(id),
      nodeJob: (id) => b.nodeJob(id),
      nodeJobs: (id) => b.nodeJobs(id),
      nodeFreeCores: (id) => b.nodeFreeCores(id),
      nodeFreeGpus: (id) => b.nodeFreeGpus(id),
      nodeFreeFpgas: (id) => b.nodeFreeFpgas(id),
      nodeFreeMemoryMb: (id) => b.nodeFreeMemoryMb(id),
      forecast: (site) => {
        const i = siteIds.indexOf(site);
        if (i < 0) throw new RangeError(`ClusterView.forecast: unknown site "${site}"`);
        return forecasts[i];
      },
    };
    // Grid intensity changes wake the policy as they do in the simulator (daemon timers: they keep nobody busy).
    platform.sites.forEach((_, s) => this.nextIntensity(s));
  }

  private nextIntensity(s: number): void {
    const next = this.options.platform.sites[s].intensity.series.nextChange(this.backend.now);
    if (next !== Infinity && next > this.backend.now) this.backend.timer(next, `grid:${s}`, true);
  }

  /**
   * A forecast or a power budget given live (a service's update): a forecast of
   * climate-change intensity as points (time, kg CO2e per joule), each holding
   * until the next and the last one on (before the first, and for the other
   * categories, the forecast it replaces); a power budget in watts (undefined:
   * the platform's again). The policy hears of it at the next pass
   * (intensityChanged, budgetChanged), which runs now.
   */
  override(o: { readonly site: string; readonly forecast?: readonly { readonly t: number; readonly perJoule: number }[]; readonly powerBudgetW?: number }): void {
    const s = this.siteIds.indexOf(o.site);
    if (s < 0) throw new RangeError(`LiveWorld.override: unknown site "${o.site}"`);
    if (o.forecast !== undefined) {
      this.forecasts[s] = pointForecast(this.options.forecasts[s], o.forecast);
      this.backend.timer(this.backend.now, `grid:${s}`, true);
    } else {
      if (o.powerBudgetW === undefined) this.budgets.delete(s);
      else this.budgets.set(s, o.powerBudgetW);
      this.events.push({ kind: "budgetChanged", site: o.site });
      this.backend.timer(this.backend.now, "wake");
    }
  }

  get policyState(): unknown {
    return this.store.load();
  }
  set policyState(s: unknown) {
    this.store.save(s);
  }

  describeTime(t: number): string {
    return this.options.describeTime?.(t) ?? `${t} s`;
  }

  takeEvents(): WorldEvent[] {
    this.pull();
    const out = this.events;
    this.events = [];
    return out;
  }

  /** Moves the scheduler's events into this world's list, as world events. */
  private pull(): void {
    const out = this.events;
    for (const e of this.backend.drain()) {
      switch (e.kind) {
        case "submitted":
          out.push({ kind: "jobSubmitted", jobId: e.jobId });
          break;
        case "ended":
          out.push(e.killed ? { kind: "jobKilled", jobId: e.jobId, reason: "walltime" } : { kind: "jobEnded", jobId: e.jobId });
          break;
        case "switched":
          out.push({ kind: "nodesSwitched", nodes: [e.node], state: e.state });
          break;
        case "suspended":
          out.push({ kind: "jobSuspended", jobId: e.jobId });
          break;
        case "timer": {
          const grid = /^grid:(\d+)$/.exec(e.tag);
          if (grid) {
            const s = Number(grid[1]);
            out.push({ kind: "intensityChanged", site: this.siteIds[s] });
            this.nextIntensity(s);
          } else out.push({ kind: "wokeUp" });
          break;
        }
      }
    }
  }

  view(): ClusterView {
    const b = this.backend;
    const { platform } = this.options;
    const free = new Int32Array(this.figures.length);
    const freeCores = new Int32Array(this.figures.length);
    const sleeping = new Int32Array(this.figures.length);
    const waking = new Int32Array(this.figures.length);
    const watts = new Float64Array(platform.sites.length);
    for (let n = 0; n < b.nodeCount; n++) {
      freeCores[this.nodePool[n]] += b.nodeFreeCores(n);
      const p = this.nodePool[n];
      const f = this.figures[p];
      const model = platform.pools[p];
      const state = b.nodeState(n);
      const low = state === NodeState.Idle || state === NodeState.Busy ? undefined : (model.off ?? model.sleep);
      if (state === NodeState.Idle) free[p]++;
      else if (state === NodeState.SwitchingOn) waking[p]++;
      else if (state !== NodeState.Busy) sleeping[p]++;
      // Busy nodes draw their job's figure, added below; the others their state's.
      if (state === NodeState.Idle) watts[f.siteIndex] += f.idleWatts;
      else if (state === NodeState.SwitchingOn) watts[f.siteIndex] += low?.switchOnWatts ?? f.idleWatts;
      else if (state === NodeState.SwitchingOff) watts[f.siteIndex] += low?.switchOffWatts ?? f.idleWatts;
      else if (state !== NodeState.Busy) watts[f.siteIndex] += low?.watts ?? f.idleWatts;
    }
    const pools = this.figures.map((f, p) => poolView(f, free[p], sleeping[p], waking[p], freeCores[p]));
    const running = b.running();
    // Busy nodes draw what their jobs keep busy (models/nodePower nodeDraw), as the simulator's nodes.
    const busy = new Map<number, { cores: number; gpus: number; fpgas: number }>();
    for (const r of running) {
      const pool = pools[r.pool];
      const model = platform.pools[r.pool];
      if (r.holdsWholeNodes) {
        const u = Math.min(1, r.cores / (r.nodeCount * pool.coresPerNode));
        const d = r.device === "cpu" ? 0 : devicesRequested(r, r.device) / r.nodeCount;
        const w = nodeDraw(model, u, r.device === "gpu" ? d : 0, r.device === "fpga" ? d : 0, 0, r.pstate ?? -1);
        watts[pool.siteIndex] += r.nodeCount * w;
        continue;
      }
      // A shared job keeps busy what it holds of each node.
      for (const a of r.allocation) {
        const b = busy.get(a.node) ?? { cores: 0, gpus: 0, fpgas: 0 };
        busy.set(a.node, { cores: b.cores + a.cores, gpus: b.gpus + a.gpus, fpgas: b.fpgas + a.fpgas });
      }
    }
    for (const [n, b] of busy) {
      const p = this.nodePool[n];
      const model = platform.pools[p];
      watts[this.figures[p].siteIndex] += nodeDraw(model, Math.min(1, b.cores / model.coresPerNode), b.gpus, b.fpgas, 0);
    }
    const sites: SiteView[] = platform.sites.map((site, index) =>
      Object.freeze({ index, id: site.id, pue: site.pue, powerW: watts[index], powerBudgetW: this.budgets.get(index) ?? (site.powerBudget ? site.powerBudget.valueAt(b.now) : (site.powerBudgetW ?? Infinity)) }),
    );
    const index = b.queueIndex !== undefined ? new LiveQueueIndex(b.queueIndex) : undefined;
    // The queue's list is made only when a policy reads it (a getter; a spread copy of the view calls it):
    // a policy walking the queue index never makes it, so a pass over a long queue costs what can start.
    const view: ClusterView = Object.freeze({
      now: b.now,
      workflows: NO_WORKFLOWS,
      links: this.links,
      sites: Object.freeze(sites),
      pools: Object.freeze(pools),
      running: frozenList(running),
      scoreMethod: this.options.scoreMethod,
      ...this.queries,
      ...(index !== undefined ? { queueIndex: index } : {}),
      get queue() {
        return frozenList(b.queued());
      },
    });
    if (index !== undefined) index.view = view;
    return view;
  }

  apply(decisions: readonly Decision[]): readonly Refusal[] {
    // Most passes over a long, blocked queue decide nothing: no state to check against.
    if (decisions.length === 0) {
      this.pull();
      return [];
    }
    const b = this.backend;
    // The scheduler's queue as this pass's decisions leave it, for the checks of the later ones: the scheduler's
    // (by its index; without one, a map made at the first question) less the jobs started or rejected, plus the suspended.
    const index = b.queueIndex;
    let queuedMap: Map<number, QueuedJobView> | undefined;
    const reported = (id: number) => (index !== undefined ? index.queuedJob(id) : (queuedMap ??= new Map(b.queued().map((j) => [j.id, j]))).get(id));
    const gone = new Set<number>();
    const back = new Map<number, QueuedJobView>();
    const queued = {
      get: (id: number) => back.get(id) ?? (gone.has(id) ? undefined : reported(id)),
      delete: (id: number) => (gone.add(id), back.delete(id)),
      set: (id: number, v: QueuedJobView) => (back.set(id, v), gone.delete(id)),
    };
    const running = new Map<number, RunningJobView>(b.running().map((r) => [r.id, r]));
    // The nodes as the scheduler reported them before this pass's commands (a real scheduler applies them later;
    // an in-memory one at once), and what this pass's starts took of each since, for the checks of the later ones.
    const n0 = b.nodeCount;
    const state0 = Uint8Array.from({ length: n0 }, (_, n) => b.nodeState(n));
    const cores0 = Int32Array.from({ length: n0 }, (_, n) => b.nodeFreeCores(n));
    const gpus0 = Int32Array.from({ length: n0 }, (_, n) => b.nodeFreeGpus(n));
    const fpgas0 = Int32Array.from({ length: n0 }, (_, n) => b.nodeFreeFpgas(n));
    const mem0 = Float64Array.from({ length: n0 }, (_, n) => b.nodeFreeMemoryMb(n));
    const states = new Map<number, NodeState>();
    const freeDelta = new Int32Array(this.figures.length);
    const freeCoresDelta = new Int32Array(this.figures.length);
    const took = new Map<number, { cores: number; gpus: number; fpgas: number; memMb: number; whole: boolean }>();
    const tookOf = (n: number) => took.get(n) ?? { cores: 0, gpus: 0, fpgas: 0, memMb: 0, whole: false };
    const fixed: PoolView[] = this.figures.map((f) => poolView(f, f.nodes, 0, 0));
    const nodeState = (id: number) => (states.get(id) ?? state0[id]) as NodeState;
    let freeNow: Int32Array | undefined;
    const context: DecisionContext = {
      now: b.now,
      queued: (id) => queued.get(id),
      running: (id) => running.get(id),
      pool: (i) => fixed[i],
      freeNodes: (p) => {
        if (!freeNow) {
          freeNow = new Int32Array(this.figures.length);
          for (let n = 0; n < n0; n++) if (state0[n] === NodeState.Idle) freeNow[this.nodePool[n]]++;
        }
        return freeNow[p] + freeDelta[p];
      },
      freeCores: (p) => {
        let cores = 0;
        const f = this.figures[p];
        for (let n = f.firstNode; n < f.firstNode + f.nodes; n++) cores += cores0[n];
        return cores + freeCoresDelta[p];
      },
      // A node switched this pass is free of nothing; one a start took from has that much less.
      nodeFreeCores: (n) => (tookOf(n).whole || states.get(n) === NodeState.SwitchingOff ? 0 : cores0[n] - tookOf(n).cores),
      nodeFreeGpus: (n) => (tookOf(n).whole || states.get(n) === NodeState.SwitchingOff ? 0 : gpus0[n] - tookOf(n).gpus),
      nodeFreeFpgas: (n) => (tookOf(n).whole || states.get(n) === NodeState.SwitchingOff ? 0 : fpgas0[n] - tookOf(n).fpgas),
      nodeFreeMemoryMb: (n) => (tookOf(n).whole || states.get(n) === NodeState.SwitchingOff ? 0 : mem0[n] - tookOf(n).memMb),
      nodeCount: b.nodeCount,
      nodeState,
      nodePool: (id) => this.nodePool[id],
      // No workflows run in a live world yet: transfers name none.
      workflowCount: 0,
      workflowFiles: () => 0,
      fileExists: () => false,
      fileAt: () => false,
      route: () => -1,
      missingInputs: () => [],
      siteCount: this.siteIds.length,
    };
    const refusals: Refusal[] = [];
    const refuse = (decision: Decision, reason: Refusal["reason"]) => {
      refusals.push({ decision, reason });
      this.events.push({ kind: "decisionRefused", decision, reason });
    };
    for (const d of decisions) {
      // What the scheduler reported for the commands so far comes before this decision's outcome.
      this.pull();
      switch (d.kind) {
        case "start": {
          const at = checkStart(d, context);
          if (typeof at === "string") {
            refuse(d, at);
            break;
          }
          b.start(d.jobId, at.takes, at.device, at.wholeNodes, d.pstate);
          queued.delete(d.jobId);
          const p = at.pool.index;
          for (const t of at.takes) {
            const was = tookOf(t.node);
            if (nodeState(t.node) === NodeState.Idle) freeDelta[p]--;
            states.set(t.node, NodeState.Busy);
            took.set(t.node, { cores: was.cores + t.cores, gpus: was.gpus + t.gpus, fpgas: was.fpgas + t.fpgas, memMb: was.memMb + t.memMb, whole: was.whole || at.wholeNodes });
            freeCoresDelta[p] -= at.wholeNodes ? this.figures[p].coresPerNode : t.cores;
          }
          break;
        }
        case "reject": {
          const why = checkReject(d, context);
          if (why) refuse(d, why);
          else {
            b.cancel(d.jobId, d.reason);
            queued.delete(d.jobId);
          }
          break;
        }
        case "setPowerState": {
          const why = checkPower(d, context);
          if (why) {
            refuse(d, why);
            break;
          }
          b.power(d.nodes, d.state);
          for (const n of d.nodes) {
            states.set(n, d.state === "on" ? NodeState.SwitchingOn : NodeState.SwitchingOff);
            if (d.state !== "on") {
              freeDelta[this.nodePool[n]]--;
              freeCoresDelta[this.nodePool[n]] -= this.figures[this.nodePool[n]].coresPerNode;
            }
          }
          break;
        }
        case "suspend": {
          const run = checkSuspend(d, context);
          if (typeof run === "string") {
            refuse(d, run);
            break;
          }
          b.suspend(d.jobId);
          running.delete(d.jobId);
          // The freed nodes count again only from the next pass (a scheduler frees them when the job has stopped).
          const back = index !== undefined ? index.queuedJob(d.jobId) : b.queued().find((j) => j.id === d.jobId);
          if (back) queued.set(d.jobId, back);
          break;
        }
        case "defer": {
          const why = checkDefer(d, context);
          if (why) {
            refuse(d, why);
            break;
          }
          b.hold(d.jobId, d.until);
          if (d.until > b.now) b.timer(d.until, "wake");
          break;
        }
        case "wakeAt": {
          const why = checkTime(d.time, context);
          if (why) refuse(d, why);
          else b.timer(d.time, "wake");
          break;
        }
        case "transfer": {
          const why = checkTransfer(d, context);
          if (why && why !== "noop") refuse(d, why);
          break;
        }
      }
    }
    this.pull();
    return refusals;
  }
}

/** A forecast of climate change from points (each holds until the next; the last one on), the base forecast before them and for other categories. */
function pointForecast(base: IntensityForecast, points: readonly { readonly t: number; readonly perJoule: number }[]): IntensityForecast {
  const pts = [...points].sort((a, b) => a.t - b.t);
  const first = pts.length > 0 ? pts[0].t : Infinity;
  const at = (t: number, category = 0): number => {
    if (category !== 0 || t < first) return base.at(t, category);
    let i = pts.length - 1;
    while (i > 0 && pts[i].t > t) i--;
    return pts[i].perJoule;
  };
  return {
    at,
    bias: base.bias,
    mean(from, to, category = 0) {
      if (category !== 0 || to <= first) return base.mean(from, to, category);
      if (!(to > from)) return at(from, category);
      let sum = 0;
      let t = from;
      if (t < first) {
        sum += base.mean(t, first, category) * (first - t);
        t = first;
      }
      for (let i = 0; i < pts.length && t < to; i++) {
        const end = i + 1 < pts.length ? Math.min(pts[i + 1].t, to) : to;
        if (end > t) {
          sum += pts[i].perJoule * (end - Math.max(t, pts[i].t));
          t = end;
        }
      }
      return sum / (to - from);
    },
    nextChange(t) {
      const next = pts.find((p) => p.t > t);
      const b = base.nextChange?.(t) ?? Infinity;
      return t < first ? Math.min(first, b) : (next?.t ?? Infinity);
    },
    spread: (from, to, category) => base.spread?.(from, to, category) ?? 0,
  };
}

/** A list as a frozen array: itself when already frozen (FakeScheduler's queue), else a frozen copy. */
function frozenList<T>(xs: readonly T[]): readonly T[] {
  return Object.isFrozen(xs) ? xs : Object.freeze([...xs]);
}

type Queries = Pick<ClusterView, "nodeState" | "nodeSince" | "nodeReadyAt" | "nodeJob" | "nodeJobs" | "nodeFreeCores" | "nodeFreeGpus" | "nodeFreeFpgas" | "nodeFreeMemoryMb" | "forecast">;

const NO_WORKFLOWS: readonly WorkflowView[] = Object.freeze([]);

/** One pass's queue index over the backend's (valid for the view it came with only: QueueIndex.view). */
class LiveQueueIndex implements QueueIndex {
  /** Set once the view that holds it is made. */
  view!: ClusterView;
  constructor(private readonly source: IndexedQueue) {}

  get length(): number {
    return this.source.queuedCount();
  }

  next(after: QueuedJobView | undefined, cores: number, shortCores: number, shortSeconds: number): QueuedJobView | undefined {
    return this.source.nextQueued(after, cores, shortCores, shortSeconds);
  }

  byId(id: number): QueuedJobView | undefined {
    return this.source.queuedJob(id);
  }

  rebind(view: ClusterView): QueueIndex {
    const index = new LiveQueueIndex(this.source);
    index.view = view;
    return index;
  }
}
