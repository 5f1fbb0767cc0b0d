/**
 * Conservative backfilling (Mu'alem and Feitelson, IEEE TPDS 12(6), 2001; the
 * backfill of Maui and of Slurm's sched/backfill, where every queued job holds
 * a reservation). In each pass every queued job, in queue order, is given the
 * earliest start its need allows, in the pool where that start is earliest
 * (ties: platform order), over the free-capacity profile of the running jobs'
 * predicted ends and the reservations of the jobs ahead of it
 * (planner/availability.ts: free cores, and idle nodes for jobs that hold them
 * whole); those whose start is now start. A job therefore starts ahead of an
 * earlier one only where it delays no earlier job's reservation, unlike EASY,
 * which protects the head alone. Reservations are made afresh at every pass,
 * so they move earlier when jobs end before their walltime (compression).
 * Run-time estimates are the walltime left for batch jobs and the runtime model
 * on the pool's default device for workflow tasks (common.ts runtimeFor).
 *
 * A pass costs what can start, not the whole queue, with the world's index
 * of the queue (ClusterView.queueIndex): reservations only take capacity, so
 * a job's start over the profile with the jobs ahead reserved is no earlier
 * than over the profile with fewer of them. A job that cannot start now over
 * the profile as it stands (outside Availability.nowBounds, which the index
 * passes over) cannot start later in the pass either. The pass places jobs in
 * queue order up to the next one inside those bounds, and ends, with the same
 * starts, when no job after it is inside them: the reservations of the jobs
 * behind start nothing now. When nothing fits the room free now
 * (Availability.roomNow), the pass makes no profile at all.
 */
import { Availability, type NowBounds } from "../availability.js";
import type { ClusterView, Decision, Policy, QueueIndex, QueuedJobView, WorldEvent } from "../view.js";
import { needFor, onlyIntensityChanged, runtimeFor } from "./common.js";

/** A pass that starts nothing (shared). */
const NOTHING: readonly Decision[] = Object.freeze([]);

export function policyConservativeBackfill(): Policy {
  // Kept from pass to pass (scratch: made afresh from each view).
  const profile = new Availability();
  const bounds: NowBounds = { cores: 0, shortCores: 0, shortSeconds: 0 };

  /** Reserves the job where it starts earliest (ties: platform order); its start (Infinity where no pool can hold it). */
  function place(view: ClusterView, job: QueuedJobView): { pool: number; start: number } {
    let best = -1;
    let start = Infinity;
    for (const pool of view.pools) {
      const need = needFor(job, pool);
      if (need === undefined) continue;
      const t = profile.earliest(pool.index, need, runtimeFor(job, pool));
      if (t < start) [best, start] = [pool.index, t];
    }
    if (best >= 0) {
      const pool = view.pools[best];
      profile.reserve(best, start, runtimeFor(job, pool), needFor(job, pool)!);
    }
    return { pool: best, start };
  }

  /** Every queued job in turn (views without an index). */
  function walkAll(view: ClusterView): readonly Decision[] {
    profile.load(view, { queue: false });
    let out: Decision[] | undefined;
    for (const job of view.queue) {
      const { pool, start } = place(view, job);
      if (pool >= 0 && start <= view.now) (out ??= []).push({ kind: "start", jobId: job.id, pool });
    }
    return out ?? NOTHING;
  }

  /** True when the job fits some pool now over the profile as it stands (for its whole run time). */
  function fitsNow(view: ClusterView, job: QueuedJobView): boolean {
    for (const pool of view.pools) {
      const need = needFor(job, pool);
      if (need !== undefined && profile.fitsNow(pool.index, need, runtimeFor(job, pool))) return true;
    }
    return false;
  }

  /** The jobs in queue order up to the last that might start now (the index passes over the rest). */
  function walkIndexed(view: ClusterView, index: QueueIndex): readonly Decision[] {
    if (index.length === 0 || index.next(undefined, Availability.roomNow(view), 0, -Infinity) === undefined) return NOTHING;
    profile.load(view, { queue: false });
    let out: Decision[] | undefined;
    let last: QueuedJobView | undefined;
    profile.nowBounds(bounds);
    for (let next = index.next(undefined, bounds.cores, bounds.shortCores, bounds.shortSeconds); next !== undefined; ) {
      // Within the bounds but not fitting now: passed over (it would not fit after more reservations either).
      if (!fitsNow(view, next)) {
        next = index.next(next, bounds.cores, bounds.shortCores, bounds.shortSeconds);
        continue;
      }
      // The jobs before it cannot start now; their reservations may still keep it from starting.
      for (let job = index.next(last, Infinity, 0, -Infinity); job !== undefined; job = index.next(job, Infinity, 0, -Infinity)) {
        const { pool, start } = place(view, job);
        if (pool >= 0 && start <= view.now) (out ??= []).push({ kind: "start", jobId: job.id, pool });
        if (job.id === next.id) break;
      }
      last = next;
      profile.nowBounds(bounds);
      next = index.next(last, bounds.cores, bounds.shortCores, bounds.shortSeconds);
    }
    return out ?? NOTHING;
  }

  return {
    name: "conservative",
    version: "1",
    params: {},
    decide(view: ClusterView, happened: readonly WorldEvent[]): readonly Decision[] {
      if (onlyIntensityChanged(happened)) return NOTHING;
      const index = view.queueIndex;
      if (index !== undefined && index.view === view) return walkIndexed(view, index);
      if (view.queue.length === 0) return NOTHING;
      return walkAll(view);
    },
  };
}
