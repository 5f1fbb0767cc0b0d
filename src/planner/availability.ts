/**
 * Free capacity of every pool over time, as a step function built from what a
 * ClusterView shows: free cores and idle nodes now; the cores of running jobs
 * at their predicted ends, and their nodes once the last job on each ends;
 * sleeping or waking nodes after the pool's longest switch-on; and,
 * optionally, the jobs queued ahead placed in queue order where each would
 * start earliest (conservative backfilling). A new job is then fitted into the
 * holes left: its start is what a conservative backfilling scheduler would
 * promise, and a bound for EASY when no later job jumps ahead of it.
 *
 * Capacity is counted as queue policies count it (policies/common.ts
 * Capacity): a job that shares nodes needs free cores (its cores fill nodes in
 * use first, then idle ones); a job holding whole nodes needs idle nodes. How
 * free cores lie across nodes, memory and devices are left to placement.
 *
 * Other jobs' durations are scaled by a ratio of their requested time (1: they
 * run to their walltime, as a scheduler assumes; a trace's history shows most
 * end sooner), so the same profile gives the earliest, expected and latest
 * waits. Running jobs whose predicted end comes from a runtime model (workflow
 * tasks) are scaled too: the view does not say which is which, so a ratio
 * below 1 gives a looser, still valid, early bound.
 */
import { defaultDevice, expectedRuntime, poolNeed, type PoolNeed } from "./resources.js";
import type { ClusterView, QueuedJobView } from "./view.js";

export interface AvailabilityOptions {
  /** Other jobs run for this fraction of their requested (or predicted) time, in [0, 1] (default 1). */
  readonly ratio?: number;
  /** Place the jobs queued ahead (default true). */
  readonly queue?: boolean;
  /** Place only the jobs queued before this one (the job being estimated, when it is already queued); default all. */
  readonly before?: number;
}

/** Per pool: change times (ascending, the first is now) and the free cores and idle nodes from each until the next. */
interface Steps {
  readonly coresPerNode: number;
  readonly t: number[];
  readonly cores: number[];
  readonly nodes: number[];
}

export class Availability {
  private constructor(
    private readonly now: number,
    private readonly steps: Steps[],
  ) {}

  /** The free-capacity profile of the view's pools. */
  static fromView(view: ClusterView, options: AvailabilityOptions = {}): Availability {
    const ratio = options.ratio ?? 1;
    if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`Availability: expected a ratio in [0, 1], got ${ratio}`);
    const now = view.now;
    const changes: { t: number; cores: number; nodes: number }[][] = view.pools.map(() => []);
    // A node is idle again when the last job on it ends.
    const lastEnd = new Map<number, number>();
    for (const r of view.running) {
      const end = Math.max(now, r.start + ratio * (r.predictedEnd - r.start));
      changes[r.pool].push({ t: end, cores: r.allocCores, nodes: 0 });
      for (const n of r.nodes) lastEnd.set(n, Math.max(lastEnd.get(n) ?? -Infinity, end));
    }
    for (const r of view.running) {
      for (const n of r.nodes) {
        const end = lastEnd.get(n);
        if (end === undefined) continue;
        lastEnd.delete(n);
        changes[r.pool].push({ t: end, cores: 0, nodes: 1 });
      }
    }
    for (const pool of view.pools) {
      const waking = pool.sleepingNodes + pool.wakingNodes;
      if (waking > 0) changes[pool.index].push({ t: now + Math.max(pool.off?.switchOnSeconds ?? 0, pool.sleep?.switchOnSeconds ?? 0), cores: waking * pool.coresPerNode, nodes: waking });
    }
    const steps = view.pools.map((pool, p): Steps => {
      const list = changes[p].sort((a, b) => a.t - b.t);
      const t = [now];
      const cores = [pool.freeCores];
      const nodes = [pool.freeNodes];
      for (const c of list) {
        const last = t.length - 1;
        if (c.t === t[last]) {
          cores[last] += c.cores;
          nodes[last] += c.nodes;
        } else {
          t.push(c.t);
          cores.push(cores[last] + c.cores);
          nodes.push(nodes[last] + c.nodes);
        }
      }
      return { coresPerNode: pool.coresPerNode, t, cores, nodes };
    });
    const out = new Availability(now, steps);
    if (options.queue ?? true) {
      for (const job of view.queue) {
        if (job.id === options.before) break;
        out.placeQueued(view, job, ratio);
      }
    }
    return out;
  }

  /** Places a queued job where it would start earliest (ties: lowest pool); jobs no pool can hold are left out. */
  private placeQueued(view: ClusterView, job: QueuedJobView, ratio: number): void {
    let best = -1;
    let bestStart = Infinity;
    let bestNeed: PoolNeed = { cores: 0, wholeNodes: 0 };
    let bestDuration = 0;
    for (const pool of view.pools) {
      const device = defaultDevice(job, pool);
      if (device === undefined) continue;
      const need = poolNeed(job, pool, device);
      const duration = ratio * (Number.isFinite(job.timeLeft) ? job.timeLeft : (expectedRuntime(job, pool, device) ?? Infinity));
      const start = this.earliest(pool.index, need, duration);
      if (start < bestStart) {
        best = pool.index;
        bestStart = start;
        bestNeed = need;
        bestDuration = duration;
      }
    }
    if (best >= 0) this.reserve(best, bestStart, bestDuration, bestNeed);
  }

  /** True when step k of the pool holds `need`. */
  private holds(s: Steps, k: number, need: PoolNeed): boolean {
    return need.wholeNodes > 0 ? s.nodes[k] >= need.wholeNodes : s.cores[k] >= need.cores;
  }

  /**
   * Earliest time >= notBefore (default now) when the pool holds `need` for
   * `duration` seconds; Infinity when never.
   */
  earliest(pool: number, need: PoolNeed, duration: number, notBefore = this.now): number {
    const s = this.steps[pool];
    const t = s.t;
    const k = t.length;
    // Start at the step holding notBefore; a failing step moves the candidate past it.
    let i = 0;
    while (i + 1 < k && t[i + 1] <= notBefore) i++;
    while (i < k) {
      const start = Math.max(t[i], notBefore);
      const end = start + duration;
      let j = i;
      while (j < k && (j === i || t[j] < end) && this.holds(s, j, need)) j++;
      if (j === k || (j > i && t[j] >= end)) return start;
      i = j + 1;
    }
    return Infinity;
  }

  /**
   * Takes `need` of the pool over [start, start + duration): its cores, and
   * idle nodes: its whole nodes, or those its cores need at its start beyond
   * the free cores of nodes in use then. Those nodes stay its own to the end,
   * however many others become idle meanwhile.
   */
  reserve(pool: number, start: number, duration: number, need: PoolNeed): void {
    const s = this.steps[pool];
    const a = this.split(s, start);
    const end = start + duration;
    const b = Number.isFinite(end) ? this.split(s, end) : s.t.length;
    const K = s.coresPerNode;
    const idle = need.wholeNodes > 0 ? need.wholeNodes : Math.ceil(Math.max(0, need.cores - (s.cores[a] - s.nodes[a] * K)) / K);
    for (let k = a; k < b; k++) {
      s.nodes[k] = Math.max(0, s.nodes[k] - idle);
      s.cores[k] -= need.cores;
    }
  }

  /** Index of the step starting at time x, adding a change point there if needed. */
  private split(s: Steps, x: number): number {
    let lo = 0;
    let hi = s.t.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s.t[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    if (lo < s.t.length && s.t[lo] === x) return lo;
    s.t.splice(lo, 0, x);
    s.cores.splice(lo, 0, s.cores[lo - 1]);
    s.nodes.splice(lo, 0, s.nodes[lo - 1]);
    return lo;
  }
}
