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
import { RunningReader } from "./runningReader.js";
import type { ClusterView, PoolView, QueuedJobView, RunningJobView } from "./view.js";

export interface AvailabilityOptions {
  /** Other jobs run for this fraction of their requested (or predicted) time, in [0, 1] (default 1). */
  readonly ratio?: number;
  /** Place the jobs queued ahead (default true). */
  readonly queue?: boolean;
  /** Place only the jobs queued before this one (the job being estimated, when it is already queued); default all. */
  readonly before?: number;
}

/** Bounds of the jobs that could start now (Availability.nowBounds): in QueueIndex.next's terms. */
export interface NowBounds {
  cores: number;
  shortCores: number;
  shortSeconds: number;
}

/**
 * One pool's step function: change times (ascending, the first is now) and the
 * free cores and idle nodes from each until the next. The first `n` entries
 * of typed arrays kept from one profile to the next (grown by doubling): a
 * reservation's new change point moves memory rather than splicing arrays.
 */
class Steps {
  coresPerNode = 1;
  n = 0;
  t = new Float64Array(16);
  cores = new Float64Array(16);
  nodes = new Float64Array(16);

  /** One step from `now`. */
  clear(coresPerNode: number, now: number, cores: number, nodes: number): void {
    this.coresPerNode = coresPerNode;
    this.n = 1;
    this.t[0] = now;
    this.cores[0] = cores;
    this.nodes[0] = nodes;
  }

  /** Room for one step more. */
  private room(): void {
    if (this.n < this.t.length) return;
    const grow = (a: Float64Array) => {
      const b = new Float64Array(2 * a.length);
      b.set(a);
      return b;
    };
    this.t = grow(this.t);
    this.cores = grow(this.cores);
    this.nodes = grow(this.nodes);
  }

  /** A change at time x, no earlier than the last step's: `dc` cores and `dn` idle nodes more from x on. */
  add(x: number, dc: number, dn: number): void {
    const last = this.n - 1;
    if (x === this.t[last]) {
      this.cores[last] += dc;
      this.nodes[last] += dn;
      return;
    }
    this.room();
    this.t[this.n] = x;
    this.cores[this.n] = this.cores[last] + dc;
    this.nodes[this.n] = this.nodes[last] + dn;
    this.n++;
  }

  /** A change point at x inserted at index i, its counts those of the step before. */
  insert(i: number, x: number): void {
    this.room();
    const n = this.n;
    this.t.copyWithin(i + 1, i, n);
    this.cores.copyWithin(i + 1, i, n);
    this.nodes.copyWithin(i + 1, i, n);
    this.t[i] = x;
    this.cores[i] = this.cores[i - 1];
    this.nodes[i] = this.nodes[i - 1];
    this.n = n + 1;
  }

  /** What the step may hold for jobs of either kind, in cores: its free cores, or its idle nodes' cores when more. */
  room0(k: number): number {
    return Math.max(this.cores[k], this.nodes[k] * this.coresPerNode);
  }
}

/** The running jobs a profile's making and roomNow read (bound at each, released after). */
const runningJobs = new RunningReader();

/**
 * Scratch of a profile's making (one at a time: nothing it calls makes
 * another): per running job its end, cores and pool; per node a stamp of the
 * making that last saw it and its last job's end; a pool's node changes.
 * Kept from one making to the next, so that a pass allocates nothing.
 */
const scratch = {
  ends: new Float64Array(64),
  cores: new Float64Array(64),
  pool: new Int32Array(64),
  /** Nodes each holds. */
  nodes: new Float64Array(64),
  /** Per pool: 1 when a running job there shares its nodes (holds them neither whole nor fills them). */
  shared: new Int32Array(8),
  /** Running jobs grouped by pool, each group in running order. */
  order: new Int32Array(64),
  from: new Int32Array(8),
  jobs: [] as RunningJobView[],
  seen: new Int32Array(64),
  lastEnd: new Float64Array(64),
  making: 0,
  nodeT: new Float64Array(64),
  /** Per pool: cores and nodes of running jobs ended by now (roomNow). */
  roomCores: new Float64Array(8),
  roomNodes: new Float64Array(8),
};

/** Node stamps and last ends for node ids below n (grown, kept: stamps of earlier makings stay below the next). */
function seenUpTo(n: number): void {
  if (scratch.seen.length >= n) return;
  const seen = new Int32Array(Math.max(n, 2 * scratch.seen.length));
  seen.set(scratch.seen);
  scratch.seen = seen;
  scratch.lastEnd = new Float64Array(seen.length);
}

/** A typed array of at least n entries (the old one when long enough; contents not kept). */
function atLeast<A extends Float64Array | Int32Array>(a: A, n: number, make: (n: number) => A): A {
  return a.length >= n ? a : make(Math.max(n, 2 * a.length));
}

export class Availability {
  private now = 0;
  private steps: Steps[] = [];

  /** The free-capacity profile of the view's pools. */
  static fromView(view: ClusterView, options: AvailabilityOptions = {}): Availability {
    return new Availability().load(view, options);
  }

  /** Makes this profile that of the view's pools (as fromView; its arrays are kept for the next). */
  load(view: ClusterView, options: AvailabilityOptions = {}): this {
    const ratio = options.ratio ?? 1;
    if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`Availability: expected a ratio in [0, 1], got ${ratio}`);
    this.now = view.now;
    const pools = view.pools;
    while (this.steps.length < pools.length) this.steps.push(new Steps());
    if (this.steps.length > pools.length) this.steps.length = pools.length;
    this.changes(view, ratio);
    if (options.queue ?? true) {
      for (const job of view.queue) {
        if (job.id === options.before) break;
        this.placeQueued(view, job, ratio);
      }
    }
    return this;
  }

  /**
   * The steps of every pool from the view now: free cores and idle nodes now;
   * the cores of running jobs at their ends (start + ratio x (predicted end -
   * start), never before now), and their nodes once the last job on each
   * ends; sleeping or waking nodes after the pool's longest switch-on. Changes
   * at the same time make one step. The running list comes by predicted end,
   * so its ends come sorted (with a ratio below 1, or a float rounding apart,
   * they may not: then they are sorted).
   */
  private changes(view: ClusterView, ratio: number): void {
    const now = view.now;
    const pools = view.pools;
    const P = pools.length;
    const running = runningJobs.bind(view);
    const R = running.count;
    const s = scratch;
    s.ends = atLeast(s.ends, R, (n) => new Float64Array(n));
    s.cores = atLeast(s.cores, R, (n) => new Float64Array(n));
    s.pool = atLeast(s.pool, R, (n) => new Int32Array(n));
    s.order = atLeast(s.order, R, (n) => new Int32Array(n));
    s.nodes = atLeast(s.nodes, R, (n) => new Float64Array(n));
    s.from = atLeast(s.from, P + 1, (n) => new Int32Array(n));
    s.shared = atLeast(s.shared, P, (n) => new Int32Array(n));
    const { ends, cores: alloc, nodes: held, pool: poolOf, order, from, jobs, shared } = s;
    from.fill(0, 0, P + 1);
    shared.fill(0, 0, P);
    let sorted = true;
    let prev = -Infinity;
    let maxNode = 0;
    for (const pool of pools) maxNode = Math.max(maxNode, pool.firstNode + pool.nodes);
    for (let k = 0; k < R; k++) {
      const r = running.at(k);
      const end = Math.max(now, r.start + ratio * (r.predictedEnd - r.start));
      if (!(end >= prev)) sorted = false;
      prev = end;
      ends[k] = end;
      alloc[k] = r.allocCores;
      held[k] = r.nodes.length;
      poolOf[k] = r.pool;
      jobs[k] = r;
      from[r.pool + 1]++;
      if (!r.holdsWholeNodes && r.allocCores !== r.nodes.length * pools[r.pool].coresPerNode) shared[r.pool] = 1;
    }
    running.release();
    // Grouped by pool (a counting sort, stable: running order within a pool).
    for (let p = 0; p < P; p++) from[p + 1] += from[p];
    for (let k = 0; k < R; k++) order[from[poolOf[k]]++] = k;
    for (let p = P; p > 0; p--) from[p] = from[p - 1];
    from[0] = 0;
    seenUpTo(maxNode);
    // Stamps stay below 2^31 (Int32Array): started again long before.
    if (s.making >= 0x3fffffff) {
      s.seen.fill(0);
      s.making = 0;
    }
    const making = ++s.making;
    for (let p = 0; p < P; p++) {
      const pool = pools[p];
      const steps = this.steps[p];
      steps.clear(pool.coresPerNode, now, pool.freeCores, pool.freeNodes);
      const a = from[p];
      const b = from[p + 1];
      const waking = pool.sleepingNodes + pool.wakingNodes;
      const wakeAt = waking > 0 ? now + Math.max(pool.off?.switchOnSeconds ?? 0, pool.sleep?.switchOnSeconds ?? 0) : Infinity;
      // A node is idle again when the last job on it ends. Where every job holds its nodes alone (whole, or
      // all their cores: no other can hold a core there), that is its own end. Otherwise, with sorted ends,
      // the last job in running order that holds the node.
      const alone = shared[p] === 0;
      let q = 0;
      if (sorted && !alone) {
        for (let i = b - 1; i >= a; i--) {
          const k = order[i];
          for (const n of jobs[k].nodes) {
            if (n >= s.seen.length) seenUpTo(n + 1);
            if (s.seen[n] === making) continue;
            s.seen[n] = making;
            if (q === s.nodeT.length) {
              const grown = new Float64Array(2 * q);
              grown.set(s.nodeT);
              s.nodeT = grown;
            }
            s.nodeT[q++] = ends[k];
          }
        }
      }
      if (sorted) {
        // Merge: cores by end (ascending), nodes (held descending), the waking nodes.
        const nodeT = s.nodeT;
        let i = a;
        let j = q - 1;
        let woke = waking === 0;
        while (i < b || j >= 0 || !woke) {
          const tc = i < b ? ends[order[i]] : Infinity;
          const tn = j >= 0 ? nodeT[j] : Infinity;
          const tw = woke ? Infinity : wakeAt;
          if (i < b && tc <= tn && tc <= tw) {
            steps.add(tc, alloc[order[i]], alone ? held[order[i]] : 0);
            i++;
          } else if (j >= 0 && tn <= tw) {
            steps.add(tn, 0, 1);
            j--;
          } else {
            steps.add(tw, waking * pool.coresPerNode, waking);
            woke = true;
          }
        }
      } else this.unsorted(steps, a, b, waking, wakeAt, pool, making);
    }
  }

  /** The steps of one pool when its running jobs' ends are not in running order: every change, sorted by time. */
  private unsorted(steps: Steps, a: number, b: number, waking: number, wakeAt: number, pool: PoolView, making: number): void {
    const { ends, cores: alloc, order, jobs } = scratch;
    const list: { t: number; cores: number; nodes: number }[] = [];
    for (let i = a; i < b; i++) {
      const k = order[i];
      list.push({ t: ends[k], cores: alloc[k], nodes: 0 });
      for (const n of jobs[k].nodes) if (n >= scratch.seen.length) seenUpTo(n + 1);
    }
    const { seen, lastEnd } = scratch;
    for (let i = a; i < b; i++) {
      const k = order[i];
      for (const n of jobs[k].nodes) {
        if (seen[n] !== making) {
          seen[n] = making;
          lastEnd[n] = ends[k];
        } else lastEnd[n] = Math.max(lastEnd[n], ends[k]);
      }
    }
    for (let i = a; i < b; i++) {
      for (const n of jobs[order[i]].nodes) {
        if (seen[n] !== making) continue;
        // Counted once: the stamp is cleared.
        seen[n] = making - 1;
        list.push({ t: lastEnd[n], cores: 0, nodes: 1 });
      }
    }
    if (waking > 0) list.push({ t: wakeAt, cores: waking * pool.coresPerNode, nodes: waking });
    list.sort((x, y) => x.t - y.t);
    for (const c of list) steps.add(c.t, c.cores, c.nodes);
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

  /**
   * Earliest time >= notBefore (default now) when the pool holds `need` for
   * `duration` seconds; Infinity when never.
   */
  earliest(pool: number, need: PoolNeed, duration: number, notBefore = this.now): number {
    const s = this.steps[pool];
    const { t, cores, nodes } = s;
    const k = s.n;
    const whole = need.wholeNodes > 0;
    const want = whole ? need.wholeNodes : need.cores;
    const have = whole ? nodes : cores;
    // Start at the step holding notBefore (the last change at or before it; the first when none); a failing step moves the candidate past it.
    let i = 0;
    if (k > 1 && t[1] <= notBefore) {
      let lo = 1;
      let hi = k - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (t[mid] <= notBefore) lo = mid;
        else hi = mid - 1;
      }
      i = lo;
    }
    while (i < k) {
      const start = Math.max(t[i], notBefore);
      const end = start + duration;
      let j = i;
      while (j < k && (j === i || t[j] < end) && have[j] >= want) j++;
      if (j === k || (j > i && t[j] >= end)) return start;
      i = j + 1;
    }
    return Infinity;
  }

  /** True when the pool holds `need` from now for `duration` seconds (earliest() would give now), reading only the steps of that window. */
  fitsNow(pool: number, need: PoolNeed, duration: number): boolean {
    const s = this.steps[pool];
    const { t, n } = s;
    const whole = need.wholeNodes > 0;
    const want = whole ? need.wholeNodes : need.cores;
    const have = whole ? s.nodes : s.cores;
    const end = this.now + duration;
    for (let j = 0; j < n && (j === 0 || t[j] < end); j++) if (!(have[j] >= want)) return false;
    return true;
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
    const b = Number.isFinite(end) ? this.split(s, end) : s.n;
    const K = s.coresPerNode;
    const idle = need.wholeNodes > 0 ? need.wholeNodes : Math.ceil(Math.max(0, need.cores - (s.cores[a] - s.nodes[a] * K)) / K);
    const { cores, nodes } = s;
    for (let k = a; k < b; k++) {
      nodes[k] = Math.max(0, nodes[k] - idle);
      cores[k] -= need.cores;
    }
  }

  /** Index of the step starting at time x, adding a change point there if needed. */
  private split(s: Steps, x: number): number {
    const t = s.t;
    let lo = 0;
    let hi = s.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (t[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    if (lo < s.n && t[lo] === x) return lo;
    s.insert(lo, x);
    return lo;
  }

  /**
   * Bounds, in QueueIndex.next's terms, of the jobs that could start now in
   * some pool: a job that fits a pool now for its whole run time (as
   * earliest() finds it) takes there no more cores than the least room
   * (free cores, or idle nodes' cores) over its run, so its least cores and
   * run time over pools lie under the staircase of the most room over pools
   * from now to each later time. Given as two rectangles over it: `cores`,
   * the least room ever (any run time fits it), and `shortCores`, the room
   * now, within `shortSeconds`, the time before room falls to `cores` (with
   * a slack for rounding). A job outside both cannot start now, nor after
   * more is reserved.
   */
  nowBounds(out: NowBounds): NowBounds {
    let least = 0;
    let first = 0;
    for (const s of this.steps) {
      let m = s.room0(0);
      first = Math.max(first, m);
      for (let k = 1; k < s.n && m > least; k++) m = Math.min(m, s.room0(k));
      least = Math.max(least, m);
    }
    let seconds = -Infinity;
    for (const s of this.steps) {
      if (s.room0(0) <= least) continue;
      let k = 1;
      while (k < s.n && s.room0(k) > least) k++;
      // Room stays above `least` to the last step: that pool sets `least` itself, so it cannot be here.
      const until = k < s.n ? s.t[k] : Infinity;
      seconds = Math.max(seconds, until - this.now + 1e-9 * Math.max(1, Math.abs(until)));
    }
    out.cores = least;
    out.shortCores = first;
    out.shortSeconds = seconds;
    return out;
  }

  /**
   * The most room (cores, or idle nodes' cores) any pool of the view has
   * now, as a profile of it at ratio 1 would count it in its first step, or more: its
   * free cores and idle nodes, with the running jobs predicted to have ended
   * by now and the nodes waking at once. Read from the head of the running
   * list alone: a bound for passing over queues where nothing fits now,
   * before making the profile.
   */
  static roomNow(view: ClusterView): number {
    const pools = view.pools;
    const now = view.now;
    const running = runningJobs.bind(view);
    const R = running.count;
    if (scratch.roomCores.length < pools.length) {
      scratch.roomCores = new Float64Array(pools.length);
      scratch.roomNodes = new Float64Array(pools.length);
    }
    const { roomCores: extraCores, roomNodes: extraNodes } = scratch;
    extraCores.fill(0, 0, pools.length);
    extraNodes.fill(0, 0, pools.length);
    // By predicted end: a job whose end (start + (predicted end - start), as the profile reckons it) is by now comes before any other, but for rounding.
    const slack = 1e-9 * Math.max(1, Math.abs(now));
    for (let k = 0; k < R; k++) {
      const r = running.at(k);
      if (r.predictedEnd > now + slack) break;
      if (r.start + (r.predictedEnd - r.start) > now) continue;
      extraCores[r.pool] += r.allocCores;
      extraNodes[r.pool] += r.nodeCount;
    }
    running.release();
    let room = 0;
    for (let p = 0; p < pools.length; p++) {
      const pool = pools[p];
      const waking = pool.sleepingNodes + pool.wakingNodes;
      const atOnce = waking > 0 && now + Math.max(pool.off?.switchOnSeconds ?? 0, pool.sleep?.switchOnSeconds ?? 0) <= now ? waking : 0;
      const cores = pool.freeCores + extraCores[p] + atOnce * pool.coresPerNode;
      const nodes = pool.freeNodes + extraNodes[p] + atOnce;
      room = Math.max(room, cores, nodes * pool.coresPerNode);
    }
    return room;
  }
}
