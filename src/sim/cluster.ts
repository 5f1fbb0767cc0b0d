/**
 * The simulated cluster's state and power: every node's state, draw, job and
 * since-when in flat typed arrays, each pool's counts, and each site's IT
 * power, overhead and busy nodes. Power is piecewise constant; every change is
 * preceded by a flush that reports the interval just ended to the observer
 * (siteInterval, poolIdle), so accounting integrates exactly, never on a tick.
 */
import type { PlatformModel, PowerStateModel } from "../models/index.js";
import { NodeState } from "../planner/index.js";
import type { SimObserver } from "./observer.js";

export class Cluster {
  readonly nodeCount: number;
  /** Per node: NodeState, pool index, draw (W), since when in its state, when a switch completes (NaN otherwise), job id holding it (-1). */
  readonly state: Uint8Array;
  readonly pool: Int32Array;
  readonly watts: Float64Array;
  readonly since: Float64Array;
  readonly readyAt: Float64Array;
  readonly job: Float64Array;
  /** Power-state model a sleeping/switching node is in or moving to/from, and which (NodeState.Off or Sleep). */
  readonly lowState: (PowerStateModel | undefined)[];
  readonly lowKind: Uint8Array;
  /** Bitstream loaded on each node's FPGAs (-1: none known). */
  readonly bitstream: Int32Array;
  /** Per pool: first node id, free (on and idle), sleeping (off, asleep or switching off), waking, and busy nodes. */
  readonly firstNode: Int32Array;
  readonly free: Int32Array;
  readonly sleeping: Int32Array;
  readonly waking: Int32Array;
  readonly busy: Int32Array;
  private readonly poolLast: Float64Array;
  /** Per site: IT draw, draw of nodes running nothing (overhead), busy nodes, budget in force, seconds over budget. */
  readonly siteIt: Float64Array;
  readonly siteOverhead: Float64Array;
  readonly siteBusy: Int32Array;
  readonly budgets: Float64Array;
  readonly overBudget: Float64Array;
  private readonly siteLast: Float64Array;
  /** Bumped whenever a pool's counts change, so views are rebuilt only then. */
  version = 0;

  constructor(
    readonly platform: PlatformModel,
    private readonly observer: SimObserver,
    private readonly clock: { readonly now: number },
  ) {
    const nPools = platform.pools.length;
    const nSites = platform.sites.length;
    this.firstNode = new Int32Array(nPools);
    let n = 0;
    platform.pools.forEach((m, i) => {
      this.firstNode[i] = n;
      n += m.count;
    });
    this.nodeCount = n;
    this.state = new Uint8Array(n);
    this.pool = new Int32Array(n);
    this.watts = new Float64Array(n);
    this.since = new Float64Array(n);
    this.readyAt = new Float64Array(n).fill(NaN);
    this.job = new Float64Array(n).fill(-1);
    this.lowState = new Array(n);
    this.lowKind = new Uint8Array(n);
    this.bitstream = new Int32Array(n).fill(-1);
    this.free = new Int32Array(nPools);
    this.sleeping = new Int32Array(nPools);
    this.waking = new Int32Array(nPools);
    this.busy = new Int32Array(nPools);
    this.poolLast = new Float64Array(nPools);
    this.siteIt = new Float64Array(nSites);
    this.siteOverhead = new Float64Array(nSites);
    this.siteBusy = new Int32Array(nSites);
    this.siteLast = new Float64Array(nSites);
    this.overBudget = new Float64Array(nSites);
    // Budgets in force now; a time-varying budget moves by events, so it is constant between flushes.
    this.budgets = Float64Array.from(platform.sites, (site) => (site.powerBudget ? site.powerBudget.valueAt(0) : (site.powerBudgetW ?? Infinity)));
    platform.pools.forEach((m, p) => {
      this.free[p] = m.count;
      for (let k = 0; k < m.count; k++) {
        const id = this.firstNode[p] + k;
        this.pool[id] = p;
        this.state[id] = NodeState.Idle;
        this.watts[id] = m.idleWatts;
        this.siteIt[m.site] += m.idleWatts;
        this.siteOverhead[m.site] += m.idleWatts;
      }
    });
  }

  /** Reports the site's power since its last change, up to now. */
  flushSite(s: number): void {
    const now = this.clock.now;
    const from = this.siteLast[s];
    if (now > from) {
      if (this.siteIt[s] > this.budgets[s]) this.overBudget[s] += now - from;
      this.observer.siteInterval?.(s, from, now, this.siteIt[s], this.siteOverhead[s], this.siteBusy[s]);
      this.siteLast[s] = now;
    }
  }

  /** Reports the pool's idle nodes since its last change, up to now. */
  flushPool(p: number): void {
    const now = this.clock.now;
    const from = this.poolLast[p];
    if (now > from) {
      this.observer.poolIdle?.(p, from, now, this.platform.pools[p].count - this.busy[p]);
      this.poolLast[p] = now;
    }
  }

  siteOf(node: number): number {
    return this.platform.pools[this.pool[node]].site;
  }

  /** Sets a node's draw; the site must have been flushed at now. */
  setWatts(node: number, w: number, busy: boolean, wasBusy: boolean): void {
    const s = this.siteOf(node);
    const old = this.watts[node];
    this.siteIt[s] += w - old;
    if (!wasBusy) this.siteOverhead[s] -= old;
    if (!busy) this.siteOverhead[s] += w;
    this.watts[node] = w;
  }

  /** Moves a node to a state from now on. */
  setState(node: number, state: NodeState, readyAt = NaN): void {
    this.state[node] = state;
    this.since[node] = this.clock.now;
    this.readyAt[node] = readyAt;
  }

  /** Nodes of pool `p` start a job: busy from now at the given draw. */
  occupy(p: number, nodes: readonly number[], jobId: number, watts: number): void {
    const s = this.platform.pools[p].site;
    this.flushSite(s);
    this.flushPool(p);
    for (const n of nodes) {
      this.setState(n, NodeState.Busy);
      this.job[n] = jobId;
      this.setWatts(n, watts, true, false);
    }
    this.free[p] -= nodes.length;
    this.busy[p] += nodes.length;
    this.siteBusy[s] += nodes.length;
    this.version++;
  }

  /** Nodes of pool `p` are freed: idle from now. */
  release(p: number, nodes: readonly number[]): void {
    const m = this.platform.pools[p];
    this.flushSite(m.site);
    this.flushPool(p);
    for (const n of nodes) {
      this.setState(n, NodeState.Idle);
      this.job[n] = -1;
      this.setWatts(n, m.idleWatts, false, true);
    }
    this.free[p] += nodes.length;
    this.busy[p] -= nodes.length;
    this.siteBusy[m.site] -= nodes.length;
    this.version++;
  }

  /** Starts switching a node: on (from off or asleep) or to a low-power state (from idle); returns when it completes. */
  beginSwitch(node: number, to: "on" | "off" | "sleep"): number {
    const p = this.pool[node];
    const m = this.platform.pools[p];
    this.flushSite(m.site);
    const now = this.clock.now;
    if (to === "on") {
      const model = this.lowState[node]!;
      this.setState(node, NodeState.SwitchingOn, now + model.switchOnSeconds);
      this.setWatts(node, model.switchOnWatts, false, false);
      this.sleeping[p]--;
      this.waking[p]++;
      this.version++;
      return now + model.switchOnSeconds;
    }
    const model = (to === "off" ? m.off : m.sleep)!;
    this.setState(node, NodeState.SwitchingOff, now + model.switchOffSeconds);
    this.bitstream[node] = -1; // FPGAs lose their configuration without power
    this.lowState[node] = model;
    this.lowKind[node] = to === "off" ? NodeState.Off : NodeState.Sleep;
    this.setWatts(node, model.switchOffWatts, false, false);
    this.free[p]--;
    this.sleeping[p]++;
    this.version++;
    return now + model.switchOffSeconds;
  }

  /** A switch completes now: the node is off or asleep, or on and idle. */
  endSwitch(node: number): NodeState {
    const p = this.pool[node];
    const m = this.platform.pools[p];
    this.flushSite(m.site);
    if (this.state[node] === NodeState.SwitchingOff) {
      this.setState(node, this.lowKind[node] as NodeState);
      this.setWatts(node, this.lowState[node]!.watts, false, false);
    } else {
      this.setState(node, NodeState.Idle);
      this.setWatts(node, m.idleWatts, false, false);
      this.waking[p]--;
      this.free[p]++;
      this.version++;
    }
    return this.state[node] as NodeState;
  }

  /** Reports every site's and pool's last interval, up to now. */
  flushAll(): void {
    this.platform.sites.forEach((_, s) => this.flushSite(s));
    this.platform.pools.forEach((_, p) => this.flushPool(p));
  }
}
