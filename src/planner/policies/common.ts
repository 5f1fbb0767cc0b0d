/** Small pieces shared by the queue policies. */
import type { ClusterView, PoolView, QueuedJobView, WorldEvent } from "../view.js";
import { defaultDevice, nodesNeeded, pricedRuntime } from "../resources.js";

/**
 * Index of the first pool (platform order) where the job can run with enough
 * free nodes, and takes them from `free`; -1 when none has.
 */
export function firstFit(job: QueuedJobView, pools: readonly PoolView[], free: number[]): number {
  for (let p = 0; p < pools.length; p++) {
    const need = nodesFor(job, pools[p]);
    if (need <= free[p]) {
      free[p] -= need;
      return p;
    }
  }
  return -1;
}

/** Nodes the job needs in a pool on its default device; Infinity where it cannot run. */
export function nodesFor(job: QueuedJobView, pool: PoolView): number {
  // Plain CPU batch jobs (the common case) skip the device search.
  if (job.runtimes === undefined) return Math.ceil(job.cores / pool.coresPerNode);
  const device = defaultDevice(job, pool);
  return device === undefined ? Infinity : nodesNeeded(job, pool, device);
}

/**
 * Run time a policy prices on a pool's default device (resources.pricedRuntime:
 * the expected run time cut at the wall time left; for plain batch jobs, the
 * wall time left); Infinity where the job cannot run.
 */
export function runtimeFor(job: QueuedJobView, pool: PoolView): number {
  if (job.runtimes === undefined) return job.timeLeft;
  const device = defaultDevice(job, pool);
  return device === undefined ? Infinity : (pricedRuntime(job, pool, device) ?? Infinity);
}

/**
 * True when nothing but intensity changes happened: a queue policy that ignores
 * intensity would decide exactly as in its previous pass, so it can skip.
 */
export function onlyIntensityChanged(happened: readonly WorldEvent[]): boolean {
  if (happened.length === 0) return false;
  for (const e of happened) if (e.kind !== "intensityChanged") return false;
  return true;
}

/** Jobs started earlier in the same pass, as parallel arrays (pool, nodes, predicted end). */
export interface PassStarts {
  readonly pool: readonly number[];
  readonly nodes: readonly number[];
  readonly end: readonly number[];
}

/**
 * EASY's reservation in one pool: the earliest time `need` nodes are free
 * (walking running jobs and this pass's starts by predicted end, from `free`
 * nodes free now), and the nodes free then beyond `need`, counting every job
 * predicted to end exactly at that time. `now` when they are free already;
 * Infinity when never.
 */
export function shadowTime(view: ClusterView, p: number, need: number, free: number, pass: PassStarts): { shadow: number; extra: number } {
  const order: number[] = [];
  for (let k = 0; k < pass.pool.length; k++) if (pass.pool[k] === p) order.push(k);
  order.sort((a, b) => pass.end[a] - pass.end[b]);
  let avail = free;
  let shadow = avail >= need ? view.now : Infinity;
  let r = 0;
  let s = 0;
  const running = view.running;
  for (;;) {
    while (r < running.length && running[r].pool !== p) r++;
    const tr = r < running.length ? running[r].predictedEnd : Infinity;
    const ts = s < order.length ? pass.end[order[s]] : Infinity;
    if (tr === Infinity && ts === Infinity) break;
    const t = Math.min(tr, ts);
    if (avail >= need && t > shadow) break;
    if (tr <= ts) avail += running[r++].nodeCount;
    else avail += pass.nodes[order[s++]];
    if (avail >= need && shadow === Infinity) shadow = t;
  }
  return { shadow, extra: avail - need };
}
