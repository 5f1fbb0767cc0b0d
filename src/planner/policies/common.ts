/** Small pieces shared by the queue policies. */
import type { PoolView, QueuedJobView, WorldEvent } from "../view.js";
import { defaultDevice, expectedRuntime, nodesNeeded } from "../resources.js";

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

/** Expected run time on a pool's default device (walltime for plain batch jobs). */
export function runtimeFor(job: QueuedJobView, pool: PoolView): number {
  if (job.runtimes === undefined) return job.walltime;
  const device = defaultDevice(job, pool);
  return device === undefined ? Infinity : (expectedRuntime(job, pool, device) ?? Infinity);
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
