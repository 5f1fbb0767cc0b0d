/**
 * The simulated cluster's state and power. Nodes are shared: each holds the
 * allocations of the jobs on it (tenants: cores, GPUs, FPGAs, memory), unless
 * one job holds it exclusively. The tenants, their busy totals and the split
 * of each node's draw among them are kept by models/nodeShares.ts, the piece the
 * live meter uses too. A node draws its CPU load curve at
 * u = busy cores / cores plus its devices (busy ones at full draw, the others
 * idle), so its power follows the busy cores and devices of all its jobs.
 *
 * Power is piecewise constant. Before any change on a node, the interval since
 * its last change is settled: each tenant's share of the node's draw over that
 * interval goes to the observer (jobShare), and every site's power since its
 * last change too (siteInterval), so accounting integrates exactly at change
 * points, never on a tick. The split of a node's draw among its jobs (the
 * attribution rule, DESIGN.md) is:
 *
 * - dynamic CPU power, curve(u) - curve(0), by each job's busy cores;
 * - static CPU power, curve(0), by each job's allocated cores out of the node's
 *   ("allocated" rule, the default), the rest to the site's overhead; or among
 *   the jobs on the node by allocated cores, none to overhead ("jobs" rule);
 * - each device to the job it is allocated to (busy at full draw, held idle or
 *   reconfiguring at that draw); unallocated devices idle, to the overhead.
 *
 * A job holding a node exclusively is charged the node's whole draw, as it was
 * before nodes were shared. Jobs plus overhead equal the site meter.
 */
import type { JobSpec } from "../io/index.js";
import type { PlatformModel, PowerStateModel, StaticRule } from "../models/index.js";
import { NodeState, type NodeTake } from "../planner/index.js";
import { NodeShares, type NodeTenant, type PartShares } from "../models/index.js";
import type { SimObserver } from "./observer.js";

export type { PartShares, StaticRule };

/**
 * One job's hold on one node: allocated cores, GPUs, FPGAs and memory (MB),
 * and of those, busy ones (FPGAs reconfiguring apart). An exclusive job's busy
 * cores and devices are its own spread evenly over its nodes (possibly
 * fractions), as a whole-node job's utilisation always was; its util is the
 * CPU utilisation of each of its nodes (its cores over its nodes' cores).
 */
export interface Tenant extends NodeTenant<JobSpec> {
  readonly memMb: number;
  /** Exclusive: its devices per node (the job's spread evenly over its nodes). */
  readonly devicesPerNode: number;
}

/** A tenant record the cluster hands out and takes back (Cluster.tenant, release): reused, so a start allocates none once as many have been held at once. */
type TenantRecord = { -readonly [K in keyof Tenant]: Tenant[K] };

export class Cluster {
  readonly nodeCount: number;
  /** Per node: NodeState, pool index, draw (W), since when in its state, when a switch completes (NaN otherwise). */
  readonly state: Uint8Array;
  readonly pool: Int32Array;
  readonly watts: Float64Array;
  readonly since: Float64Array;
  readonly readyAt: Float64Array;
  /** Per node: the part of its draw charged to no job (overhead), W. */
  private readonly overhead: Float64Array;
  /** Per node: its tenants, their totals and the split of its draw (the arrays below are the shares'). */
  readonly shares: NodeShares<JobSpec, Tenant>;
  /** Per node: allocated and busy totals of its tenants; 1 when a job holds it exclusively; its DVFS state (-1: default). */
  readonly allocCores: Int32Array;
  readonly busyCores: Float64Array;
  readonly allocGpus: Int32Array;
  readonly busyGpus: Float64Array;
  readonly allocFpgas: Int32Array;
  readonly busyFpgas: Float64Array;
  readonly reconfFpgas: Float64Array;
  readonly allocMem: Float64Array;
  readonly exclusive: Uint8Array;
  readonly pstate: Int8Array;
  /** Per node: its tenants in arrival order (undefined past the last). */
  readonly tenants: (Tenant | undefined)[][];
  /** Power-state model a sleeping/switching node is in or moving to/from, and which (NodeState.Off or Sleep). */
  readonly lowState: (PowerStateModel | undefined)[];
  readonly lowKind: Uint8Array;
  /** Bitstream loaded on each node's FPGAs (-1: none known). */
  readonly bitstream: Int32Array;
  /** Per pool: first node id; free (on, nothing allocated), sleeping (off, asleep or switching off), waking, busy (something allocated) nodes. */
  readonly firstNode: Int32Array;
  readonly free: Int32Array;
  readonly sleeping: Int32Array;
  readonly waking: Int32Array;
  readonly busy: Int32Array;
  /** Per pool: cores free for shared jobs (on nodes that are on and not held exclusively), and allocated cores, GPUs, FPGAs. */
  readonly freeCores: Int32Array;
  readonly poolAllocCores: Int32Array;
  readonly poolAllocGpus: Int32Array;
  readonly poolAllocFpgas: Int32Array;
  private readonly poolLast: Float64Array;
  /** Per site: IT draw, draw charged to no job (overhead), nodes with something allocated, budget in force, seconds over budget. */
  readonly siteIt: Float64Array;
  readonly siteOverhead: Float64Array;
  readonly siteBusy: Int32Array;
  readonly budgets: Float64Array;
  readonly overBudget: Float64Array;
  private readonly siteLast: Float64Array;
  /** Per node, when someone listens for node intervals: since when in its state, when last integrated, and the integrals over the stay (J, busy and allocated core-seconds). */
  private readonly timeline?: { from: Float64Array; at: Float64Array; joules: Float64Array; busy: Float64Array; alloc: Float64Array };
  /** Bumped whenever a pool's counts change, so views are rebuilt only then. */
  version = 0;
  private readonly parts: PartShares = { node: 0, gpu: 0, fpga: 0 };
  /** addTenant's and removeTenant's list of one. */
  private readonly one: Tenant[] = [];
  /**
   * Tenant records given back (release), for the next starts: the first
   * `spareCount` entries. Counted apart rather than pushed and popped, so the
   * list never shrinks (pop trims a list's room when it falls under half, and
   * a start after an end grew it again).
   */
  private readonly spare: TenantRecord[] = [];
  private spareCount = 0;
  /**
   * Per node: the last take handed out (take()). A node's take is usually the
   * same as last time (a one-core node, a whole node), so it is given again
   * rather than made at every start: takes are frozen, so sharing one is safe.
   */
  private readonly lastTake: (NodeTake | undefined)[];
  /** One bit per node, set while it is idle (on, nothing allocated): placement finds idle nodes by it (nextIdle) rather than asking every node. */
  private readonly idleBits: Int32Array;

  constructor(
    readonly platform: PlatformModel,
    private readonly observer: SimObserver,
    private readonly clock: { readonly now: number },
    staticRule: StaticRule = "allocated",
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
    this.overhead = new Float64Array(n);
    const shares = (this.shares = new NodeShares<JobSpec, Tenant>(platform, observer, staticRule));
    this.allocCores = shares.allocCores;
    this.busyCores = shares.busyCores;
    this.allocGpus = shares.allocGpus;
    this.busyGpus = shares.busyGpus;
    this.allocFpgas = shares.allocFpgas;
    this.busyFpgas = shares.busyFpgas;
    this.reconfFpgas = shares.reconfFpgas;
    this.allocMem = new Float64Array(n);
    this.exclusive = shares.exclusive;
    this.pstate = shares.pstate;
    this.tenants = shares.tenants;
    this.lowState = new Array(n);
    this.lastTake = new Array(n);
    this.idleBits = new Int32Array((n + 31) >>> 5);
    this.lowKind = new Uint8Array(n);
    if (observer.nodeInterval) this.timeline = { from: new Float64Array(n), at: new Float64Array(n), joules: new Float64Array(n), busy: new Float64Array(n), alloc: new Float64Array(n) };
    this.bitstream = new Int32Array(n).fill(-1);
    this.free = new Int32Array(nPools);
    this.sleeping = new Int32Array(nPools);
    this.waking = new Int32Array(nPools);
    this.busy = new Int32Array(nPools);
    this.freeCores = new Int32Array(nPools);
    this.poolAllocCores = new Int32Array(nPools);
    this.poolAllocGpus = new Int32Array(nPools);
    this.poolAllocFpgas = new Int32Array(nPools);
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
      this.freeCores[p] = m.count * m.coresPerNode;
      for (let k = 0; k < m.count; k++) {
        const id = this.firstNode[p] + k;
        this.pool[id] = p;
        this.state[id] = NodeState.Idle;
        this.idleBits[id >>> 5] |= 1 << (id & 31);
        this.watts[id] = m.idleWatts;
        this.overhead[id] = m.idleWatts;
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

  /** Reports the pool's unallocated node-equivalents since its last change, up to now. */
  flushPool(p: number): void {
    const now = this.clock.now;
    const from = this.poolLast[p];
    if (now > from) {
      const m = this.platform.pools[p];
      const parts = this.parts;
      parts.node = m.count - this.poolAllocCores[p] / m.coresPerNode;
      parts.gpu = m.gpus ? m.count - this.poolAllocGpus[p] / m.gpus.count : 0;
      parts.fpga = m.fpgas ? m.count - this.poolAllocFpgas[p] / m.fpgas.count : 0;
      this.observer.poolIdle?.(p, from, now, parts);
      this.poolLast[p] = now;
    }
  }

  siteOf(node: number): number {
    return this.platform.pools[this.pool[node]].site;
  }

  /** Sets the draw and overhead part of a node that holds no job; the site must have been flushed at now, the node's state set (its integrals accrued). */
  private setIdleDraw(node: number, w: number): void {
    this.setDraw(node, this.siteOf(node), w, w);
  }

  /** Integrates a node's draw and cores since its last change, up to now (no-op without a listener). */
  private accrue(node: number, now: number): void {
    const tl = this.timeline;
    if (!tl) return;
    const dt = now - tl.at[node];
    if (dt > 0) {
      tl.joules[node] += this.watts[node] * dt;
      tl.busy[node] += this.busyCores[node] * dt;
      tl.alloc[node] += this.allocCores[node] * dt;
      tl.at[node] = now;
    }
  }

  /** Reports a node's stay in its state up to now and starts the next (no-op without a listener); its integrals accrued up to now already. */
  private endStay(node: number, now: number): void {
    const tl = this.timeline;
    if (!tl) return;
    if (now > tl.from[node]) this.observer.nodeInterval!(node, this.state[node], tl.from[node], now, tl.joules[node], tl.busy[node], tl.alloc[node]);
    tl.from[node] = now;
    tl.joules[node] = tl.busy[node] = tl.alloc[node] = 0;
  }

  /** A node's new draw and overhead part, from now: its site flushed and its integrals accrued up to now first (every caller does). */
  private setDraw(node: number, s: number, w: number, overhead: number): void {
    this.siteIt[s] += w - this.watts[node];
    this.siteOverhead[s] += overhead - this.overhead[node];
    this.watts[node] = w;
    this.overhead[node] = overhead;
  }

  /** Moves a node to a state from now on. */
  setState(node: number, state: NodeState, readyAt = NaN): void {
    const now = this.clock.now;
    if (state !== this.state[node]) {
      this.accrue(node, now);
      this.endStay(node, now);
    }
    this.moveTo(node, state, now, readyAt);
  }

  /** Sets a node's state from now on (the caller has reported its last stay when the state changes). */
  private moveTo(node: number, state: NodeState, now: number, readyAt: number): void {
    this.state[node] = state;
    if (state === NodeState.Idle) this.idleBits[node >>> 5] |= 1 << (node & 31);
    else this.idleBits[node >>> 5] &= ~(1 << (node & 31));
    this.since[node] = now;
    this.readyAt[node] = readyAt;
  }

  /** The first idle node in [from, to), or `to` when none is (planner/placement.ts NodeReader.nextIdle). */
  nextIdle(from: number, to: number): number {
    if (from >= to) return to;
    let w = from >>> 5;
    let word = this.idleBits[w] & (-1 << (from & 31));
    for (;;) {
      if (word !== 0) {
        const id = (w << 5) + 31 - Math.clz32(word & -word);
        return id < to ? id : to;
      }
      if (++w << 5 >= to) return to;
      word = this.idleBits[w];
    }
  }

  /** Free cores of a node for a shared job (0 when it is not on, or held exclusively). */
  nodeFreeCores(node: number): number {
    return this.shareable(node) ? this.platform.pools[this.pool[node]].coresPerNode - this.allocCores[node] : 0;
  }

  /** True when a shared job may take something of the node: it is on and no job holds it whole. */
  private shareable(node: number): boolean {
    const s = this.state[node];
    return (s === NodeState.Idle || s === NodeState.Busy) && this.exclusive[node] !== 1;
  }

  nodeFreeGpus(node: number): number {
    const g = this.platform.pools[this.pool[node]].gpus;
    return g && this.shareable(node) ? g.count - this.allocGpus[node] : 0;
  }

  nodeFreeFpgas(node: number): number {
    const f = this.platform.pools[this.pool[node]].fpgas;
    return f && this.shareable(node) ? f.count - this.allocFpgas[node] : 0;
  }

  /** Free memory of a node for a shared job, MB (Infinity where memory is not modelled). */
  nodeFreeMemoryMb(node: number): number {
    const mem = this.platform.pools[this.pool[node]].memoryMb;
    if (!this.shareable(node)) return 0;
    return mem === undefined ? Infinity : mem - this.allocMem[node];
  }

  /** Ids of the jobs on a node. */
  nodeJobs(node: number): number[] {
    const list = this.tenants[node];
    return Array.from({ length: this.shares.count[node] }, (_, i) => list[i]!.spec.id);
  }

  /** What a job takes of a node (planner/placement.ts NodeReader.take): frozen, the node's last one when equal. */
  take(node: number, cores: number, gpus: number, fpgas: number, memMb: number): NodeTake {
    const last = this.lastTake[node];
    if (last !== undefined && last.cores === cores && last.gpus === gpus && last.fpgas === fpgas && last.memMb === memMb) return last;
    return (this.lastTake[node] = Object.freeze({ node, cores, gpus, fpgas, memMb }));
  }

  /** A tenant record for a job's take of a node, idle (its load is set before it joins, or by setBusy). */
  tenant(spec: JobSpec, take: NodeTake, exclusive: boolean, devicesPerNode: number): Tenant {
    if (this.spareCount === 0) {
      return { spec, node: take.node, exclusive, cores: take.cores, gpus: take.gpus, fpgas: take.fpgas, memMb: take.memMb, busyCores: 0, util: 0, busyGpus: 0, busyFpgas: 0, reconfFpgas: 0, devicesPerNode };
    }
    const t = this.spare[--this.spareCount];
    t.spec = spec;
    t.node = take.node;
    t.exclusive = exclusive;
    t.cores = take.cores;
    t.gpus = take.gpus;
    t.fpgas = take.fpgas;
    t.memMb = take.memMb;
    t.busyCores = t.util = t.busyGpus = t.busyFpgas = t.reconfFpgas = 0;
    t.devicesPerNode = devicesPerNode;
    return t;
  }

  /**
   * A job takes part of (or, exclusive, all of) nodes from now: the first
   * `count` tenants of one start, all in one pool (see move).
   */
  addTenants(tenants: readonly Tenant[], count: number, pstate: number | undefined): void {
    this.move(tenants, count, true, pstate);
  }

  /** A job takes part of (or, exclusive, all of) one node from now (addTenants for one). */
  addTenant(t: Tenant, pstate: number | undefined): void {
    this.one[0] = t;
    this.addTenants(this.one, 1, pstate);
  }

  /**
   * A job leaves its nodes now (its run ended or was suspended): the first
   * `count` tenants of its start, in order (see move). Their records are taken
   * back, to be reused: drop them.
   */
  removeTenants(tenants: readonly Tenant[], count: number): void {
    this.move(tenants, count, false, undefined);
  }

  /** A job leaves one node now (removeTenants for one); its record is taken back, to be reused: drop it. */
  removeTenant(t: Tenant): void {
    this.one[0] = t;
    this.removeTenants(this.one, 1);
  }

  /**
   * The first `count` tenants of one start join (or leave) their nodes now,
   * all in one pool. The site's and the pool's intervals are settled once for
   * them all (at the same instant, a second settlement reports nothing); then
   * each node in turn: its integrals accrued, its jobs' shares settled and its
   * tenants changed (NodeShares), its stay ended when it turns busy (or idle),
   * its new draw added to the site's in the same order as one node at a time
   * (the same bits). The pool's and the site's counts move once for them all
   * (integers: the same totals). Leaving tenants' records go back to the spares.
   */
  private move(tenants: readonly Tenant[], count: number, joining: boolean, pstate: number | undefined): void {
    if (count === 0) return;
    const p = this.pool[tenants[0].node];
    const m = this.platform.pools[p];
    const site = m.site;
    this.flushSite(site);
    this.flushPool(p);
    const now = this.clock.now;
    const shares = this.shares;
    const { watts, overhead, allocMem } = this;
    const to = joining ? NodeState.Busy : NodeState.Idle;
    let it = this.siteIt[site];
    let unpaid = this.siteOverhead[site];
    let cores = 0;
    let gpus = 0;
    let fpgas = 0;
    let taken = 0;
    let turned = 0;
    for (let i = 0; i < count; i++) {
      const t = tenants[i];
      const node = t.node;
      this.accrue(node, now);
      // Joining a node that held nothing turns it busy; the last one leaving turns it idle.
      let turns: boolean;
      if (joining) {
        turns = shares.empty(node);
        shares.join(t, pstate, now);
        allocMem[node] += t.memMb;
      } else {
        shares.leave(t, now);
        allocMem[node] -= t.memMb; // as `+= -1 * memMb` was: the same bits
        turns = shares.count[node] === 0;
      }
      cores += t.cores;
      gpus += t.gpus;
      fpgas += t.fpgas;
      taken += t.exclusive ? m.coresPerNode : t.cores;
      if (turns) {
        if (this.state[node] !== to) this.endStay(node, now);
        this.moveTo(node, to, now, NaN);
        turned++;
      }
      const w = shares.draw[node];
      const o = shares.unpaid[node];
      it += w - watts[node];
      unpaid += o - overhead[node];
      watts[node] = w;
      overhead[node] = o;
      if (!joining) this.spare[this.spareCount++] = t as TenantRecord;
    }
    this.siteIt[site] = it;
    this.siteOverhead[site] = unpaid;
    const sign = joining ? 1 : -1;
    this.poolAllocCores[p] += sign * cores;
    this.poolAllocGpus[p] += sign * gpus;
    this.poolAllocFpgas[p] += sign * fpgas;
    this.freeCores[p] -= sign * taken;
    this.free[p] -= sign * turned;
    this.busy[p] += sign * turned;
    this.siteBusy[site] += sign * turned;
    this.version++;
  }

  /** A tenant's busy cores and devices change (its setup or its run begins): settled, then redrawn. */
  setBusy(t: Tenant, busyCores: number, util: number, busyGpus: number, busyFpgas: number, reconfFpgas: number): void {
    const node = t.node;
    const site = this.siteOf(node);
    this.flushSite(site);
    const now = this.clock.now;
    this.accrue(node, now);
    this.shares.setBusy(t, busyCores, util, busyGpus, busyFpgas, reconfFpgas, now);
    this.setDraw(node, site, this.shares.draw[node], this.shares.unpaid[node]);
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
      this.setIdleDraw(node, model.switchOnWatts);
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
    this.setIdleDraw(node, model.switchOffWatts);
    this.free[p]--;
    this.freeCores[p] -= m.coresPerNode;
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
      this.setIdleDraw(node, this.lowState[node]!.watts);
    } else {
      this.setState(node, NodeState.Idle);
      this.setIdleDraw(node, m.idleWatts);
      this.waking[p]--;
      this.free[p]++;
      this.freeCores[p] += m.coresPerNode;
      this.version++;
    }
    return this.state[node] as NodeState;
  }

  /** Reports every site's and pool's last interval, up to now. */
  flushAll(): void {
    this.platform.sites.forEach((_, s) => this.flushSite(s));
    this.platform.pools.forEach((_, p) => this.flushPool(p));
    const now = this.clock.now;
    if (this.timeline)
      for (let n = 0; n < this.nodeCount; n++) {
        this.accrue(n, now);
        this.endStay(n, now);
      }
  }
}
