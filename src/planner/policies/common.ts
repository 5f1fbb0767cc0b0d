/** Small pieces shared by the queue policies. */
import type { ClusterView, PoolView, QueueIndex, QueuedJobView, RunningJobView, WorldEvent } from "../view.js";
import { coresFor, defaultDevice, holdsWholeNodes, poolCanHold, poolNeed, type PoolNeed } from "../resources.js";
import { RunningReader, type RunningList } from "../runningReader.js";

/**
 * What queue policies count a pool's capacity in: cores. A job that shares
 * nodes takes its cores (they may span nodes: placement fills nodes in id
 * order); a job that holds nodes whole takes their cores and needs that many
 * idle nodes. On a pool where every job holds whole nodes this counts exactly
 * as whole nodes did (times the cores per node). It counts a pool as one heap
 * of cores: memory, devices and how the free cores lie across nodes are for
 * the world's placement to decide, which may refuse a start the count allowed.
 */
export class Capacity {
  /** Free cores and idle nodes of each pool, as this pass's starts leave them. */
  readonly cores: number[] = [];
  readonly nodes: number[] = [];
  /** Idle nodes the last take() used. */
  lastIdle = 0;

  /** Reset to the view's free capacity. */
  from(pools: readonly PoolView[]): this {
    if (this.cores.length !== pools.length) this.cores.length = this.nodes.length = pools.length;
    for (let p = 0; p < pools.length; p++) {
      this.cores[p] = pools[p].freeCores;
      this.nodes[p] = pools[p].freeNodes;
    }
    return this;
  }

  /** Copy of another capacity's counts. */
  copy(other: Capacity): this {
    this.cores.length = this.nodes.length = other.cores.length;
    for (let p = 0; p < other.cores.length; p++) {
      this.cores[p] = other.cores[p];
      this.nodes[p] = other.nodes[p];
    }
    return this;
  }

  /** True when the job fits pool `p` now. */
  fits(job: QueuedJobView, pool: PoolView): boolean {
    return fitsIn(job, pool, this.cores[pool.index], this.nodes[pool.index]);
  }

  /** Takes the job's share of pool `p`: its cores, and the idle nodes its placement will use (those of its whole nodes; for a shared job, what the pool's partly used nodes cannot hold); returns those idle nodes. */
  take(job: QueuedJobView, pool: PoolView): number {
    const p = pool.index;
    const cores = coresFor(job, pool);
    const partial = this.cores[p] - this.nodes[p] * pool.coresPerNode;
    const idle = holdsWholeNodes(job, pool) ? cores / pool.coresPerNode : Math.max(0, Math.ceil((cores - partial) / pool.coresPerNode));
    const before = this.nodes[p];
    this.cores[p] -= cores;
    this.nodes[p] = Math.max(0, before - idle);
    return (this.lastIdle = before - this.nodes[p]);
  }

  /** True when some pool has a free core left. */
  any(): boolean {
    for (const c of this.cores) if (c > 0) return true;
    return false;
  }
}

/**
 * Walks a view's queue in order: with the world's index (ClusterView.queueIndex)
 * passing over jobs that cannot start under the bounds given, so a pass costs
 * what can start; without one (or on a copy of the view it does not belong
 * to), every job in turn. One walk at a time; start() begins another.
 */
export class QueueWalk {
  private view: ClusterView | undefined;
  private index: QueueIndex | undefined;
  private pos = -1;
  private job: QueuedJobView | undefined;

  start(view: ClusterView): this {
    const index = view.queueIndex;
    this.view = view;
    this.index = index !== undefined && index.view === view ? index : undefined;
    this.pos = -1;
    this.job = undefined;
    return this;
  }

  /**
   * The next job after the current one, passing over (with an index) those
   * that need more than `cores` cores in every pool and either more than
   * `shortCores` or a run time over `shortSeconds` (QueueIndex.next); undefined at the end.
   */
  next(cores = Infinity, shortCores = 0, shortSeconds = -Infinity): QueuedJobView | undefined {
    if (this.index !== undefined) return (this.job = this.index.next(this.job, cores, shortCores, shortSeconds));
    const queue = this.view!.queue;
    if (this.pos < queue.length) this.pos++;
    return (this.job = queue[this.pos]);
  }

  /** True when no job follows the current one. */
  atLast(): boolean {
    if (this.index !== undefined) return this.index.next(this.job, Infinity, 0, -Infinity) === undefined;
    return this.pos >= this.view!.queue.length - 1;
  }
}

/**
 * The next job that might start now while a reservation is held in pool
 * `resPool` (< 0: none), EASY's backfill rule: anywhere within the free cores
 * (in the reserved pool, within `resExtra` of them), or in the reserved pool
 * within its free cores when its run time is within `shortSeconds` (the time
 * left to the shadow time, with a slack for rounding). Jobs passed over could
 * start nowhere under that rule.
 */
export function nextBackfill(queue: QueueWalk, free: Capacity, resPool: number, resExtra: number, shortSeconds: number): QueuedJobView | undefined {
  let any = 0;
  let short = 0;
  for (let p = 0; p < free.cores.length; p++) {
    const c = free.cores[p];
    if (p === resPool) {
      any = Math.max(any, Math.min(c, resExtra));
      short = c;
    } else any = Math.max(any, c);
  }
  return queue.next(any, short, shortSeconds);
}

/** The run time within which a job ends by `shadow` from `now`, with a slack for rounding (nextBackfill's `shortSeconds`). */
export function secondsTo(shadow: number, now: number): number {
  return shadow - now + 1e-9 * Math.max(1, Math.abs(shadow));
}

/** True when the job fits `pool` with `cores` free cores and `idle` idle nodes (see Capacity). */
function fitsIn(job: QueuedJobView, pool: PoolView, cores: number, idle: number): boolean {
  const need = coresFor(job, pool);
  if (need > cores) return false;
  return !holdsWholeNodes(job, pool) || need / pool.coresPerNode <= idle;
}

/** True when the job fits the pool as the view shows it (Capacity's rule, for a single job). */
export function fitsNow(job: QueuedJobView, pool: PoolView): boolean {
  return fitsIn(job, pool, pool.freeCores, pool.freeNodes);
}

/** True when the pool could ever hold the job (enough cores, a device and a runtime model for it). */
export function canHold(job: QueuedJobView, pool: PoolView): boolean {
  return coresFor(job, pool) !== Infinity;
}

/**
 * Index of the first pool (platform order) where the job fits now, taking its
 * share from `free`; -1 when none has room.
 */
export function firstFit(job: QueuedJobView, pools: readonly PoolView[], free: Capacity): number {
  for (let p = 0; p < pools.length; p++) {
    if (free.fits(job, pools[p])) {
      free.take(job, pools[p]);
      return p;
    }
  }
  return -1;
}

export { coresFor, runtimeFor } from "../resources.js";

/**
 * True when nothing but intensity changes happened: a queue policy that ignores
 * intensity would decide exactly as in its previous pass, so it can skip.
 */
export function onlyIntensityChanged(happened: readonly WorldEvent[]): boolean {
  if (happened.length === 0) return false;
  for (const e of happened) if (e.kind !== "intensityChanged") return false;
  return true;
}

/**
 * Jobs started earlier in the same pass, as parallel arrays (pool, cores
 * taken, idle nodes taken, predicted end): the first `n` entries. A policy
 * keeps one across passes; clear() forgets the starts without shortening the
 * arrays (an array emptied drops its store, which the next start made again:
 * four stores at every pass that started a job).
 */
export class PassStarts {
  n = 0;
  readonly pool: number[] = [];
  readonly cores: number[] = [];
  readonly idle: number[] = [];
  readonly end: number[] = [];

  clear(): void {
    this.n = 0;
  }

  add(pool: number, cores: number, idle: number, end: number): void {
    const k = this.n++;
    this.pool[k] = pool;
    this.cores[k] = cores;
    this.idle[k] = idle;
    this.end[k] = end;
  }
}

/** The job's need in a pool on its default device (resources.poolNeed); undefined where it cannot run. */
export function needFor(job: QueuedJobView, pool: PoolView): PoolNeed | undefined {
  const device = job.runtimes === undefined ? (poolCanHold(job, pool, "cpu") ? "cpu" : undefined) : defaultDevice(job, pool);
  return device === undefined ? undefined : poolNeed(job, pool, device);
}

/** shadowTime's scratch: this pass's starts in the pool, by predicted end (reused: shadowTime runs once per pool per pass). */
const passOrder: number[] = [];

/** shadowTime's reader of the running jobs (kept: bound at each call, released after). */
const runningJobs = new RunningReader();

/**
 * idleNodesAt's count of the running jobs sharing each node (by node id),
 * valid where `sharersStamp` holds the call's stamp: kept from call to call
 * and never cleared (a Map of every node's last end, its values copied out
 * and sorted, was most of what a run of whole-node jobs allocated).
 */
let sharers = new Int32Array(0);
let sharersStamp = new Int32Array(0);
let stamp = 0;

/** Counts the node as shared by one more running job. */
function addSharer(n: number): void {
  if (n >= sharers.length) {
    const size = Math.max(n + 1, 2 * sharers.length);
    const grown = new Int32Array(size);
    grown.set(sharers);
    sharers = grown;
    const stamps = new Int32Array(size);
    stamps.set(sharersStamp);
    sharersStamp = stamps;
  }
  if (sharersStamp[n] !== stamp) {
    sharersStamp[n] = stamp;
    sharers[n] = 0;
  }
  sharers[n]++;
}

/**
 * The time when `short` more nodes of pool p are idle: the short-th earliest
 * of each busy node's last job's predicted end and, for this pass's starts
 * (passOrder's first m, by end), the idle nodes each took, at its end;
 * Infinity when fewer are ever freed. Running jobs come by predicted end, so
 * walking them beside the pass's starts meets those ends in order: a job
 * holding whole nodes is alone on them and frees them all at its end; a node
 * of jobs that share it is freed by the last of them, counted first.
 */
function idleNodesAt(p: number, short: number, running: RunningReader, pass: PassStarts, m: number): number {
  if (++stamp === 0x7fffffff) {
    sharersStamp.fill(0);
    stamp = 1;
  }
  const count = running.count;
  for (let k = 0; k < count; k++) {
    const r = running.at(k);
    if (r.pool !== p || r.holdsWholeNodes) continue;
    for (let i = 0; i < r.nodes.length; i++) addSharer(r.nodes[i]);
  }
  const order = passOrder;
  let freed = 0;
  let r = 0;
  let s = 0;
  for (;;) {
    let job = r < count ? running.at(r) : undefined;
    while (job !== undefined && job.pool !== p) job = ++r < count ? running.at(r) : undefined;
    const tr = job !== undefined ? job.predictedEnd : Infinity;
    const ts = s < m ? pass.end[order[s]] : Infinity;
    if (tr === Infinity && ts === Infinity) return Infinity;
    if (tr <= ts) {
      const nodes = job!.nodes;
      if (job!.holdsWholeNodes) freed += nodes.length;
      else for (let i = 0; i < nodes.length; i++) if (--sharers[nodes[i]] === 0) freed++;
      r++;
    } else freed += pass.idle[order[s++]];
    if (freed >= short) return Math.min(tr, ts);
  }
}

/** shadowTime's result (reused: read at once). */
const shadowOut = { shadow: 0, extra: 0 };

/**
 * EASY's reservation in one pool: the earliest time the need is met (its
 * cores free; for a job holding whole nodes, that many nodes idle too),
 * walking running jobs and this pass's starts by predicted end, each freeing
 * the cores it holds and the nodes it leaves empty (a node is idle when the
 * last job on it ends; a start of this pass frees the idle nodes it took),
 * from `free` now; and the cores free then beyond the need, counting every job
 * predicted to end exactly at that time. `now` when it is met already;
 * Infinity when never. `running`: a list in the view's running order standing
 * for its running jobs (consolidate's, with waking nodes as jobs, each holding
 * its node whole: an entry frees the nodes it names, so one naming none would
 * free cores but no node for a head that holds whole nodes); by default
 * the view's, read through its running index where it has one (ClusterView.runningIndex),
 * so that only the jobs ending before the shadow time are read. The result is
 * reused by the next call: read it at once.
 */
export function shadowTime(view: ClusterView, p: number, need: PoolNeed, free: { readonly cores: number; readonly nodes: number }, pass: PassStarts, running?: readonly RunningJobView[] | RunningList): { readonly shadow: number; readonly extra: number } {
  const out = shadowWith(view, p, need, free, pass, runningJobs.bind(view, running));
  runningJobs.release();
  return out;
}

function shadowWith(view: ClusterView, p: number, need: PoolNeed, free: { readonly cores: number; readonly nodes: number }, pass: PassStarts, running: RunningReader): { readonly shadow: number; readonly extra: number } {
  const count = running.count;
  // The first `m` entries of `order` (never shortened, as PassStarts).
  const order = passOrder;
  let m = 0;
  // By predicted end, ties in start order: an insertion sort in place (these lists are short; Array.prototype.sort copies into a work array at every call).
  const end = pass.end;
  for (let k = 0; k < pass.n; k++) {
    if (pass.pool[k] !== p) continue;
    let i = m++;
    while (i > 0 && end[order[i - 1]] > end[k]) {
      order[i] = order[i - 1];
      i--;
    }
    order[i] = k;
  }
  // Whole nodes: when enough are idle, from each node's last job's end.
  let nodesAt = view.now;
  if (need.wholeNodes > free.nodes) {
    nodesAt = idleNodesAt(p, need.wholeNodes - free.nodes, running, pass, m);
    if (nodesAt === Infinity) return result(Infinity, 0);
  }
  let avail = free.cores;
  let shadow = avail >= need.cores && nodesAt <= view.now ? view.now : Infinity;
  let r = 0;
  let s = 0;
  let job = count > 0 ? running.at(0) : undefined;
  for (;;) {
    while (job !== undefined && job.pool !== p) job = ++r < count ? running.at(r) : undefined;
    const tr = job !== undefined ? job.predictedEnd : Infinity;
    const ts = s < m ? pass.end[order[s]] : Infinity;
    if (tr === Infinity && ts === Infinity) break;
    const t = Math.min(tr, ts);
    if (shadow !== Infinity && t > shadow) break;
    if (tr <= ts) {
      avail += job!.allocCores;
      job = ++r < count ? running.at(r) : undefined;
    } else avail += pass.cores[order[s++]];
    if (avail >= need.cores && shadow === Infinity && t >= nodesAt) shadow = t;
  }
  if (shadow === Infinity && avail >= need.cores && nodesAt < Infinity) shadow = Math.max(nodesAt, view.now);
  return result(shadow, avail - need.cores);
}

function result(shadow: number, extra: number): { readonly shadow: number; readonly extra: number } {
  shadowOut.shadow = shadow;
  shadowOut.extra = extra;
  return shadowOut;
}
