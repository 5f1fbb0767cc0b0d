/**
 * Who holds what of each node, and the split of each node's draw among them
 * (DESIGN.md, "Attribution"): the one piece the simulator's cluster
 * (sim/cluster.ts) and the live meter (live/meter.ts) both keep their nodes'
 * tenants in, so a live service charges a job exactly what the simulator
 * charges it for the same placements and times.
 *
 * A node's draw is piecewise constant: before any change on it, the interval
 * since its last change is settled, each tenant's share of the draw over it
 * going to the sink (jobShare), in the order the tenants joined. The split:
 * models/nodePower.ts shareDraw for a shared node; a job holding the node
 * whole pays all of it.
 *
 * State is per node, in typed arrays: allocated and busy totals, the node's
 * draw since its last change, DVFS state. Each node's tenants are kept in
 * arrival order in an array that is never shrunk (the tail past `count` is
 * cleared), so joining and leaving a node allocates nothing once the node has
 * held its most tenants. Busy totals are summed afresh from the tenants at
 * each change: fractional loads added and taken away would drift from 0.
 */
import { cpuCurve, nodeDraw, nodeDrawWith, shareDraw, shareDrawWith, type StaticRule } from "./nodePower.js";
import type { PlatformModel } from "./platform.js";
import type { PowerCurve } from "./power.js";

/** One job's hold on one node: allocated cores and devices, and of those, busy ones (busy counts may be fractions). */
export interface NodeTenant<J> {
  readonly spec: J;
  readonly node: number;
  /** Whole node to itself: it pays the node's whole draw. */
  readonly exclusive: boolean;
  readonly cores: number;
  readonly gpus: number;
  readonly fpgas: number;
  busyCores: number;
  /** Exclusive: the CPU utilisation the node is drawn at. */
  util: number;
  busyGpus: number;
  busyFpgas: number;
  reconfFpgas: number;
}

/** Share of a node (or nodes) a job held over an interval: node-equivalents of each embodied part. */
export interface PartShares {
  node: number;
  gpu: number;
  fpga: number;
}

/** Where shares go (the accountant's jobShare has this signature). The held object is reused. */
export interface JobShareSink<J> {
  jobShare?(job: J, site: number, pool: number, from: number, to: number, watts: number, held: Readonly<PartShares>): void;
}

export class NodeShares<J, T extends NodeTenant<J> = NodeTenant<J>> {
  readonly nodeCount: number;
  /** Per node: pool index. */
  readonly pool: Int32Array;
  /** Per node: its tenants in arrival order, the first `count` entries (undefined past them). */
  readonly tenants: (T | undefined)[][];
  readonly count: Int32Array;
  /** Per node: allocated and busy totals of its tenants; 1 while a job holds it whole; its DVFS state (-1: default). */
  readonly allocCores: Int32Array;
  readonly allocGpus: Int32Array;
  readonly allocFpgas: Int32Array;
  readonly busyCores: Float64Array;
  readonly busyGpus: Float64Array;
  readonly busyFpgas: Float64Array;
  readonly reconfFpgas: Float64Array;
  readonly exclusive: Uint8Array;
  readonly pstate: Int8Array;
  /**
   * Per node holding something: its draw since its last change, W, and the
   * part of it no job pays (the site's overhead): all of it when the node holds
   * nothing; else the idle share of its unallocated cores ("allocated" rule;
   * under the "jobs" rule, the CPU's whole idle draw when its jobs hold
   * devices but no core) and its unallocated devices. Kept in arrays, read where needed (no number
   * boxed per change).
   */
  readonly draw: Float64Array;
  readonly unpaid: Float64Array;
  /**
   * Per node holding something: its CPU's draw at its utilisation, curve(u)
   * (W), read off the curve at each change (changed()): a settlement splits it
   * among the jobs without reading the curve again.
   */
  private readonly cpu: Float64Array;
  /** Per node: when it was last settled. */
  private readonly settled: Float64Array;
  /** The CPU's idle draw, curve(0), per pool and DVFS state: pool p's default at idleAt[p], its DVFS state s at idleAt[p] + 1 + s (one array, one look-up). */
  private readonly idle: Float64Array;
  private readonly idleAt: Int32Array;
  /** Per pool: the draw of a node holding nothing (nodeDraw at rest in the default DVFS state): what a node emptied draws, without the curve. */
  private readonly rest: Float64Array;
  /**
   * The last curve changed() read, at which utilisation, and what it gave: the
   * nodes of one start mostly run at one utilisation, so the curve is read once
   * for them all (curves are pure functions: the same value).
   */
  private lastCurve: PowerCurve | undefined = undefined;
  private lastU = NaN;
  private lastW = 0;
  private readonly parts: PartShares = { node: 0, gpu: 0, fpga: 0 };

  constructor(
    readonly platform: PlatformModel,
    private readonly sink: JobShareSink<J>,
    readonly staticRule: StaticRule = "allocated",
  ) {
    const n = platform.pools.reduce((a, p) => a + p.count, 0);
    this.nodeCount = n;
    this.pool = new Int32Array(n);
    let id = 0;
    platform.pools.forEach((m, p) => {
      for (let k = 0; k < m.count; k++) this.pool[id++] = p;
    });
    this.tenants = Array.from({ length: n }, () => []);
    this.count = new Int32Array(n);
    this.allocCores = new Int32Array(n);
    this.allocGpus = new Int32Array(n);
    this.allocFpgas = new Int32Array(n);
    this.busyCores = new Float64Array(n);
    this.busyGpus = new Float64Array(n);
    this.busyFpgas = new Float64Array(n);
    this.reconfFpgas = new Float64Array(n);
    this.exclusive = new Uint8Array(n);
    this.pstate = new Int8Array(n).fill(-1);
    this.draw = new Float64Array(n);
    this.unpaid = new Float64Array(n);
    this.cpu = new Float64Array(n);
    this.settled = new Float64Array(n);
    const curves = platform.pools.map((m) => [m.curve, ...(m.dvfs ?? []).map((d) => d.curve)]);
    this.idle = Float64Array.from(curves.flat(), (c) => c(0));
    this.idleAt = new Int32Array(curves.length);
    for (let p = 1; p < curves.length; p++) this.idleAt[p] = this.idleAt[p - 1] + curves[p - 1].length;
    this.rest = Float64Array.from(platform.pools, (m) => nodeDraw(m, 0, 0, 0, 0, -1));
  }

  /** The CPU's idle draw of a node in its DVFS state, W. */
  idleCpu(node: number): number {
    return this.idle[this.idleAt[this.pool[node]] + this.pstate[node] + 1];
  }

  /** True when the node holds nothing (no cores, GPUs or FPGAs allocated). */
  empty(node: number): boolean {
    return this.allocCores[node] === 0 && this.allocGpus[node] === 0 && this.allocFpgas[node] === 0;
  }

  /** The first tenant's job of a node, or undefined. */
  firstJob(node: number): J | undefined {
    return this.tenants[node][0]?.spec;
  }

  /** Reports each tenant's share of the node's draw since its last settlement, up to now. */
  settle(node: number, now: number): void {
    const from = this.settled[node];
    this.settled[node] = now;
    const k = this.count[node];
    if (!(now > from) || k === 0 || !this.sink.jobShare) return;
    const p = this.pool[node];
    const m = this.platform.pools[p];
    const list = this.tenants[node];
    const parts = this.parts;
    const whole = this.exclusive[node] === 1;
    // A shared node's CPU draw and idle draw, as changed() read them off the curve.
    const cpu = this.cpu[node];
    const idle = this.idle[this.idleAt[p] + this.pstate[node] + 1];
    for (let i = 0; i < k; i++) {
      const t = list[i]!;
      parts.node = t.cores / m.coresPerNode;
      parts.gpu = m.gpus ? t.gpus / m.gpus.count : 0;
      parts.fpga = m.fpgas ? t.fpgas / m.fpgas.count : 0;
      const watts = t.exclusive
        ? this.draw[node]
        : whole // (no shared job is ever on a node held whole; were one, its share would be read off the curve)
          ? shareDraw(m, this.pstate[node], this.busyCores[node], this.allocCores[node], t, this.staticRule)
          : shareDrawWith(m, idle, cpu, this.busyCores[node], this.allocCores[node], t, this.staticRule);
      this.sink.jobShare(t.spec, m.site, p, from, now, watts, parts);
    }
  }

  /** A job takes part of (or, exclusive, all of) a node now, at the load already set on `t`; the node is settled first. */
  join(t: T, pstate: number | undefined, now: number): void {
    const node = t.node;
    this.settle(node, now);
    const k = this.count[node]++;
    this.tenants[node][k] = t;
    this.allocCores[node] += t.cores;
    this.allocGpus[node] += t.gpus;
    this.allocFpgas[node] += t.fpgas;
    if (t.exclusive) this.exclusive[node] = 1;
    if (pstate !== undefined) this.pstate[node] = pstate;
    this.changed(node);
  }

  /** A job leaves a node now (its run ended or was suspended); the node is settled first. */
  leave(t: T, now: number): void {
    const node = t.node;
    this.settle(node, now);
    const list = this.tenants[node];
    const k = this.count[node];
    let i = 0;
    while (i < k && list[i] !== t) i++;
    if (i === k) throw new RangeError(`NodeShares.leave: the job is not on node ${node}`);
    for (; i < k - 1; i++) list[i] = list[i + 1];
    list[k - 1] = undefined;
    this.count[node] = k - 1;
    this.allocCores[node] -= t.cores;
    this.allocGpus[node] -= t.gpus;
    this.allocFpgas[node] -= t.fpgas;
    if (t.exclusive) this.exclusive[node] = 0;
    if (k === 1) this.pstate[node] = -1;
    this.changed(node);
  }

  /** A tenant's busy cores and devices change now (its setup or its run begins); the node is settled first. */
  setBusy(t: T, busyCores: number, util: number, busyGpus: number, busyFpgas: number, reconfFpgas: number, now: number): void {
    this.settle(t.node, now);
    t.busyCores = busyCores;
    t.util = util;
    t.busyGpus = busyGpus;
    t.busyFpgas = busyFpgas;
    t.reconfFpgas = reconfFpgas;
    this.changed(t.node);
  }

  /** After its tenants changed: the node's busy totals, CPU draw, draw and unpaid part again. */
  private changed(node: number): void {
    const k = this.count[node];
    const p = this.pool[node];
    if (k === 0) {
      // Nothing left on it (and the default DVFS state): at rest, as nodeDraw gives at u = 0 with no device busy.
      // (Its CPU draw is not kept: nothing settles on an empty node, and the next join reads it afresh.)
      this.busyCores[node] = this.busyGpus[node] = this.busyFpgas[node] = this.reconfFpgas[node] = 0;
      this.draw[node] = this.unpaid[node] = this.pstate[node] < 0 ? this.rest[p] : nodeDraw(this.platform.pools[p], 0, 0, 0, 0, this.pstate[node]);
      return;
    }
    const list = this.tenants[node];
    let cores = 0;
    let gpus = 0;
    let fpgas = 0;
    let reconf = 0;
    for (let i = 0; i < k; i++) {
      const t = list[i]!;
      cores += t.busyCores;
      gpus += t.busyGpus;
      fpgas += t.busyFpgas;
      reconf += t.reconfFpgas;
    }
    this.busyCores[node] = cores;
    this.busyGpus[node] = gpus;
    this.busyFpgas[node] = fpgas;
    this.reconfFpgas[node] = reconf;
    const m = this.platform.pools[p];
    // A whole-node job's node is drawn at its utilisation, as whole-node jobs always were.
    const u = this.exclusive[node] === 1 ? list[0]!.util : Math.min(1, cores / m.coresPerNode);
    const curve = cpuCurve(m, this.pstate[node]);
    let cpu: number;
    if (curve === this.lastCurve && u === this.lastU) cpu = this.lastW;
    else {
      cpu = curve(u);
      this.lastCurve = curve;
      this.lastU = u;
      this.lastW = cpu;
    }
    this.cpu[node] = cpu;
    const w = nodeDrawWith(m, cpu, gpus, fpgas, reconf);
    this.draw[node] = w;
    let unpaid = 0;
    if (this.empty(node)) unpaid = w;
    else if (this.exclusive[node] !== 1) {
      if (this.staticRule === "allocated") unpaid += (this.idleCpu(node) * (m.coresPerNode - this.allocCores[node])) / m.coresPerNode;
      // Under the jobs rule static power goes by allocated cores: held by devices alone, no job has a core to pay it by.
      else if (this.allocCores[node] === 0) unpaid += this.idleCpu(node);
      if (m.gpus) unpaid += (m.gpus.count - this.allocGpus[node]) * m.gpus.curve.idle;
      if (m.fpgas) unpaid += (m.fpgas.count - this.allocFpgas[node]) * m.fpgas.curve.idle;
    }
    this.unpaid[node] = unpaid;
  }
}
