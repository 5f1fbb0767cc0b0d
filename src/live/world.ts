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
import { platformPoolFigures, poolView, type PoolFigures } from "../planner/index.js";
import { NodeState, type ClusterView, type Decision, type Policy, type PoolView, type QueuedJobView, type RunningJobView, type SiteView, type WorldEvent } from "../planner/index.js";
import type { Refusal, World } from "../planner/index.js";
import type { SchedulerBackend } from "./backend.js";

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
    // Grid intensity changes wake the policy as they do in the simulator (daemon timers: they keep nobody busy).
    platform.sites.forEach((_, s) => this.nextIntensity(s));
  }

  private nextIntensity(s: number): void {
    const next = this.options.platform.sites[s].intensity.series.nextChange(this.backend.now);
    if (next !== Infinity && next > this.backend.now) this.backend.timer(next, `grid:${s}`, true);
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
    const sleeping = new Int32Array(this.figures.length);
    const waking = new Int32Array(this.figures.length);
    const watts = new Float64Array(platform.sites.length);
    for (let n = 0; n < b.nodeCount; n++) {
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
    const pools = this.figures.map((f, p) => poolView(f, free[p], sleeping[p], waking[p]));
    const running = b.running();
    for (const r of running) {
      const pool = pools[r.pool];
      const utilisation = Math.min(1, r.cores / (r.nodeCount * pool.coresPerNode));
      watts[pool.siteIndex] += r.nodeCount * pool.busyWatts(r.device, utilisation, devicesRequested(r, r.device) / r.nodeCount, r.pstate);
    }
    const sites: SiteView[] = platform.sites.map((site, index) =>
      Object.freeze({ index, id: site.id, pue: site.pue, powerW: watts[index], powerBudgetW: site.powerBudget ? site.powerBudget.valueAt(b.now) : (site.powerBudgetW ?? Infinity) }),
    );
    const forecasts = this.options.forecasts;
    const siteIds = this.siteIds;
    return Object.freeze({
      now: b.now,
      workflows: Object.freeze([]),
      links: Object.freeze(platform.links ?? []),
      sites: Object.freeze(sites),
      pools: Object.freeze(pools),
      queue: Object.freeze([...b.queued()]),
      running: Object.freeze([...running]),
      scoreMethod: this.options.scoreMethod,
      nodeState: (id: number) => b.nodeState(id),
      nodeSince: (id: number) => b.nodeSince(id),
      nodeReadyAt: (id: number) => b.nodeReadyAt(id),
      nodeJob: (id: number) => b.nodeJob(id),
      forecast: (site: string) => {
        const i = siteIds.indexOf(site);
        if (i < 0) throw new RangeError(`ClusterView.forecast: unknown site "${site}"`);
        return forecasts[i];
      },
    });
  }

  apply(decisions: readonly Decision[]): readonly Refusal[] {
    const b = this.backend;
    // The scheduler's state as this pass's decisions leave it, for the checks of the later ones.
    const queued = new Map<number, QueuedJobView>(b.queued().map((j) => [j.id, j]));
    const running = new Map<number, RunningJobView>(b.running().map((r) => [r.id, r]));
    const states = new Map<number, NodeState>();
    const freeDelta = new Int32Array(this.figures.length);
    const fixed: PoolView[] = this.figures.map((f) => poolView(f, f.nodes, 0, 0));
    const nodeState = (id: number) => states.get(id) ?? b.nodeState(id);
    let freeNow: Int32Array | undefined;
    const context: DecisionContext = {
      now: b.now,
      queued: (id) => queued.get(id),
      running: (id) => running.get(id),
      pool: (i) => fixed[i],
      freeNodes: (p) => {
        if (!freeNow) {
          freeNow = new Int32Array(this.figures.length);
          for (let n = 0; n < b.nodeCount; n++) if (b.nodeState(n) === NodeState.Idle) freeNow[this.nodePool[n]]++;
        }
        return freeNow[p] + freeDelta[p];
      },
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
          b.start(d.jobId, at.nodes, at.device, d.pstate);
          queued.delete(d.jobId);
          for (const n of at.nodes) states.set(n, NodeState.Busy);
          freeDelta[at.pool.index] -= at.nodes.length;
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
            if (d.state !== "on") freeDelta[this.nodePool[n]]--;
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
          for (const n of run.nodes) states.set(n, NodeState.Idle);
          freeDelta[run.pool] += run.nodeCount;
          const back = b.queued().find((j) => j.id === d.jobId);
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
