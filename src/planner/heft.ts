/**
 * HEFT, Heterogeneous Earliest Finish Time (Topcuoglu, Hariri and Wu, "Performance-
 * effective and low-complexity task scheduling for heterogeneous computing", IEEE
 * TPDS 13(3):260-274, 2002), and a weighted multi-objective variant. Pure functions
 * over plain data: no clock, no randomness, no I/O.
 *
 * 1. Prioritise: upward rank rank_u(i) = meanExec(i) + max over children c of
 *    (meanComm(i, c) + rank_u(c)), meanExec over the resources where i can run.
 *    Tasks are taken by decreasing rank (compared to the microsecond), ties by
 *    index; with non-negative costs this order puts every parent before its children.
 * 2. Select: for each task, on every resource r where it can run,
 *    EST(i, r) = the earliest start >= max(ready(r), max over parents p of
 *    finish(p) + comm(p, i, res(p), r)) where r is idle for exec(i, r) seconds,
 *    either in the earliest idle gap between tasks already placed on r (insertion,
 *    the paper's policy) or after the last one; EFT = EST + exec(i, r). The task goes
 *    to the resource with the least EFT (ties: lowest index). With a `cost` function
 *    and costWeight > 0 it goes instead to the resource with the least
 *    finishWeight * EFT / F + costWeight * cost / C, where F is the task's least EFT
 *    over resources and C its least cost over resources (1 when that is not a
 *    positive finite number); ties: earlier finish, then lowest index.
 *
 * Per resource the placed tasks are kept sorted, so the first candidate gap is found
 * by binary search; 10,000 tasks with ~30,000 edges on 48 resources take tens of ms.
 */

/** A DAG to schedule. Tasks are 0..n-1 in topological order (parents before children). */
export interface HeftDag {
  readonly n: number;
  /** parents[i] = indices of i's parents; children likewise. */
  readonly parents: readonly (readonly number[])[];
  readonly children: readonly (readonly number[])[];
}

/** What HEFT needs to know about the world; all times in seconds. */
export interface HeftCosts {
  /** Number of resources (e.g. nodes, or slots), 0..m-1. */
  readonly m: number;
  /** Execution time of task i on resource r; Infinity where it cannot run. */
  exec(i: number, r: number): number;
  /**
   * Time to move the data of edge parent->child from resource a to resource b (0 when
   * a === b or no data). Not called when a === b. Infinity where the data cannot go.
   */
  comm(parent: number, child: number, a: number, b: number): number;
  /** Mean communication time of an edge over resource pairs (for the upward rank). */
  meanComm(parent: number, child: number): number;
  /** Earliest time resource r is available (e.g. now, or when a running job ends); default 0. */
  ready?(r: number): number;
  /** Earliest time task i may start on resource r whatever its parents (e.g. when its initial inputs can arrive there); default 0. */
  release?(i: number, r: number): number;
  /**
   * Optional extra cost of running task i on r over [start, finish] (e.g. impact in
   * normalised units); when given, the resource minimising
   * finishWeight * finish/scale + costWeight * cost/costScale is chosen instead of the earliest finish.
   */
  cost?(i: number, r: number, start: number, finish: number, resourceOf: Int32Array): number; // resourceOf: resources of the tasks placed so far (-1 elsewhere), e.g. to cost transfers from parents
}

export interface HeftOptions {
  /** Insertion-based slot search (the paper's policy); default true. */
  readonly insertion?: boolean;
  readonly finishWeight?: number; // default 1
  readonly costWeight?: number; // default 0
  /**
   * Normalisers for the weighted choice (fixed, not options): the task's earliest
   * finish over resources, and its least cost over resources.
   */
}

export interface HeftPlan {
  /** Per task: resource, start and finish time. */
  readonly resource: Int32Array;
  readonly start: Float64Array;
  readonly finish: Float64Array;
  /** Upward rank per task and the scheduling order (decreasing rank, ties by index). */
  readonly rank: Float64Array;
  readonly order: Int32Array;
  readonly makespan: number;
}

/**
 * Upward rank of every task: meanExec(i) + max over children (meanComm + rank_u(child)),
 * meanExec over the resources where exec is finite.
 * @throws RangeError when the DAG is malformed (a parent not before its child), a cost
 *   is negative or NaN, or a task can run nowhere (message names the task)
 */
export function heftUpwardRank(dag: HeftDag, costs: HeftCosts): Float64Array {
  checkDag(dag);
  checkResourceCount(costs.m);
  return upwardRank(dag, costs);
}

/**
 * A HEFT schedule of `dag` on the resources of `costs`.
 * @throws RangeError as heftUpwardRank, and when a task can start nowhere (its data
 *   never arrives), a ready time is not finite, or a weight is negative or not finite
 */
export function heftSchedule(dag: HeftDag, costs: HeftCosts, options: HeftOptions = {}): HeftPlan {
  checkDag(dag);
  const m = costs.m;
  checkResourceCount(m);
  const insertion = options.insertion ?? true;
  const finishWeight = weight("finishWeight", options.finishWeight ?? 1);
  const costWeight = weight("costWeight", options.costWeight ?? 0);
  const costOf = costs.cost;
  const weighted = costOf !== undefined && costWeight !== 0;

  const n = dag.n;
  const rank = upwardRank(dag, costs);
  const order = orderByRank(rank);

  const readyAt = new Float64Array(m);
  for (let r = 0; r < m; r++) {
    const t = costs.ready ? costs.ready(r) : 0;
    if (!Number.isFinite(t)) throw new RangeError(`heft: resource ${r}: expected a finite ready time, got ${t}`);
    readyAt[r] = t;
  }
  const lastFinish = Float64Array.from(readyAt);
  const lines = insertion ? Array.from({ length: m }, () => new Timeline()) : [];

  const resource = new Int32Array(n).fill(-1);
  const start = new Float64Array(n);
  const finish = new Float64Array(n);
  const estAll = new Float64Array(m);
  const eftAll = new Float64Array(m);
  const costAll = new Float64Array(m);
  let makespan = 0;

  for (let k = 0; k < n; k++) {
    const i = order[k];
    const ps = dag.parents[i];
    for (let q = 0; q < ps.length; q++) {
      if (resource[ps[q]] < 0) throw new RangeError(`heft: task ${i}: expected parent ${ps[q]} scheduled first, got rank ${rank[ps[q]]} < ${rank[i]}`);
    }
    let best = -1;
    let bestStart = Infinity;
    let bestFinish = Infinity;
    for (let r = 0; r < m; r++) {
      eftAll[r] = Infinity;
      const e = costs.exec(i, r);
      if (e === Infinity) continue;
      let drt = readyAt[r];
      if (costs.release) {
        const t = costs.release(i, r);
        if (!(t >= 0)) throw new RangeError(`heft: task ${i} on resource ${r}: expected a release time >= 0, got ${t}`);
        if (t > drt) drt = t;
      }
      for (let q = 0; q < ps.length; q++) {
        const p = ps[q];
        const rp = resource[p];
        if (rp === r) {
          if (finish[p] > drt) drt = finish[p];
          continue;
        }
        const c = costs.comm(p, i, rp, r);
        if (!(c >= 0)) throw new RangeError(`heft: edge ${p}->${i} from resource ${rp} to ${r}: expected comm >= 0, got ${c}`);
        const t = finish[p] + c;
        if (t > drt) drt = t;
      }
      if (drt === Infinity) continue;
      const s = insertion ? lines[r].earliest(drt, e) : drt > lastFinish[r] ? drt : lastFinish[r];
      const f = s + e;
      if (weighted) {
        estAll[r] = s;
        eftAll[r] = f;
      } else if (f < bestFinish) {
        best = r;
        bestStart = s;
        bestFinish = f;
      }
    }
    if (weighted) best = weightedChoice(i, m, estAll, eftAll, costAll, costOf, finishWeight, costWeight, resource);
    if (best < 0) throw new RangeError(`heft: task ${i}: expected a resource where its parents' data can arrive, got none of ${m}`);
    if (weighted) {
      bestStart = estAll[best];
      bestFinish = eftAll[best];
    }
    resource[i] = best;
    start[i] = bestStart;
    finish[i] = bestFinish;
    if (insertion) lines[best].insert(bestStart, bestFinish);
    if (bestFinish > lastFinish[best]) lastFinish[best] = bestFinish;
    if (bestFinish > makespan) makespan = bestFinish;
  }
  return { resource, start, finish, rank, order, makespan };
}

/** Index of the resource with the least weighted score, or -1 when none is feasible. */
function weightedChoice(
  i: number,
  m: number,
  est: Float64Array,
  eft: Float64Array,
  cost: Float64Array,
  costOf: NonNullable<HeftCosts["cost"]>,
  finishWeight: number,
  costWeight: number,
  resource: Int32Array,
): number {
  let minFinish = Infinity;
  for (let r = 0; r < m; r++) if (eft[r] < minFinish) minFinish = eft[r];
  if (minFinish === Infinity) return -1;
  const scale = minFinish > 0 ? minFinish : 1;
  let minCost = Infinity;
  for (let r = 0; r < m; r++) {
    if (eft[r] === Infinity) continue;
    const c = costOf(i, r, est[r], eft[r], resource);
    if (Number.isNaN(c) || c === -Infinity) throw new RangeError(`heft: task ${i} on resource ${r}: expected a cost that is a number or Infinity, got ${c}`);
    cost[r] = c;
    if (c < minCost) minCost = c;
  }
  const costScale = minCost > 0 && minCost < Infinity ? minCost : 1;
  let best = -1;
  let bestScore = Infinity;
  for (let r = 0; r < m; r++) {
    if (eft[r] === Infinity) continue;
    const score = (finishWeight * eft[r]) / scale + (costWeight * cost[r]) / costScale;
    if (best < 0 || score < bestScore || (score === bestScore && eft[r] < eft[best])) {
      best = r;
      bestScore = score;
    }
  }
  return best;
}

/** Tasks placed on one resource: parallel sorted arrays of starts and finishes. */
class Timeline {
  private s = new Float64Array(16);
  private f = new Float64Array(16);
  private len = 0;

  /** Earliest start >= t of an idle gap of length d (after the last task if no gap fits). */
  earliest(t: number, d: number): number {
    const s = this.s;
    const f = this.f;
    const len = this.len;
    // First task finishing after t: every gap before it ends by t.
    let lo = 0;
    let hi = len;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (f[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    let at = t;
    for (let j = lo; j < len; j++) {
      if (at + d <= s[j]) return at;
      if (f[j] > at) at = f[j];
    }
    return at;
  }

  /** Records a task over [start, finish], found free by `earliest`. */
  insert(start: number, finish: number): void {
    if (this.len === this.s.length) {
      const s = new Float64Array(this.len * 2);
      const f = new Float64Array(this.len * 2);
      s.set(this.s);
      f.set(this.f);
      this.s = s;
      this.f = f;
    }
    // After every task finishing by `start`: keeps both arrays sorted, zero-length tasks included.
    let lo = 0;
    let hi = this.len;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.f[mid] <= start) lo = mid + 1;
      else hi = mid;
    }
    this.s.copyWithin(lo + 1, lo, this.len);
    this.f.copyWithin(lo + 1, lo, this.len);
    this.s[lo] = start;
    this.f[lo] = finish;
    this.len++;
  }
}

function upwardRank(dag: HeftDag, costs: HeftCosts): Float64Array {
  const n = dag.n;
  const m = costs.m;
  const rank = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = 0;
    let count = 0;
    for (let r = 0; r < m; r++) {
      const e = costs.exec(i, r);
      if (e === Infinity) continue;
      if (!(e >= 0)) throw new RangeError(`heft: task ${i} on resource ${r}: expected exec time >= 0 or Infinity, got ${e}`);
      sum += e;
      count++;
    }
    if (count === 0) throw new RangeError(`heft: task ${i}: expected a finite exec time on at least one of ${m} resources, got none`);
    let tail = 0;
    const cs = dag.children[i];
    for (let q = 0; q < cs.length; q++) {
      const c = cs[q];
      const w = costs.meanComm(i, c);
      if (!(w >= 0 && w < Infinity)) throw new RangeError(`heft: edge ${i}->${c}: expected a finite meanComm >= 0, got ${w}`);
      const v = w + rank[c];
      if (v > tail) tail = v;
    }
    rank[i] = sum / count + tail;
  }
  return rank;
}

/**
 * Task indices by decreasing rank, ties by index. Ranks are compared rounded to the
 * microsecond, so sums that are equal on paper but differ in the last bits (80 and
 * 79.99999999999999 in the paper's example) tie. Rounding is monotone, so a parent
 * (rank >= its child's, lower index) still comes first.
 */
function orderByRank(rank: Float64Array): Int32Array {
  const key = rank.map((x) => Math.round(x * 1e6));
  const idx = Array.from({ length: rank.length }, (_, i) => i);
  idx.sort((a, b) => key[b] - key[a] || a - b);
  return Int32Array.from(idx);
}

function checkDag(dag: HeftDag): void {
  const n = dag.n;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`heft: dag.n: expected an integer >= 0, got ${n}`);
  if (dag.parents.length !== n || dag.children.length !== n) {
    throw new RangeError(`heft: dag: expected ${n} parent and child lists, got ${dag.parents.length} and ${dag.children.length}`);
  }
  // Each edge must appear once as a parent and once as a child: compare counts per task.
  const asChild = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const ps = dag.parents[i];
    for (let q = 0; q < ps.length; q++) {
      const p = ps[q];
      if (!Number.isInteger(p) || p < 0 || p >= i) throw new RangeError(`heft: task ${i}: expected parents before it (index < ${i}), got parent ${p}`);
    }
    const cs = dag.children[i];
    for (let q = 0; q < cs.length; q++) {
      const c = cs[q];
      if (!Number.isInteger(c) || c <= i || c >= n) throw new RangeError(`heft: task ${i}: expected children after it (index > ${i} and < ${n}), got child ${c}`);
      asChild[c]++;
    }
  }
  for (let i = 0; i < n; i++) {
    if (asChild[i] !== dag.parents[i].length) {
      throw new RangeError(`heft: task ${i}: expected as many parents as child lists naming it, got ${dag.parents[i].length} and ${asChild[i]}`);
    }
  }
}

function checkResourceCount(m: number): void {
  if (!Number.isInteger(m) || m < 0) throw new RangeError(`heft: costs.m: expected an integer >= 0, got ${m}`);
}

function weight(name: string, w: number): number {
  if (!(w >= 0 && w < Infinity)) throw new RangeError(`heft: options.${name}: expected a finite number >= 0, got ${w}`);
  return w;
}
