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
 */
import { Availability } from "../availability.js";
import type { ClusterView, Decision, Policy, WorldEvent } from "../view.js";
import { needFor, onlyIntensityChanged, runtimeFor } from "./common.js";

export function policyConservativeBackfill(): Policy {
  return {
    name: "conservative",
    version: "1",
    params: {},
    decide(view: ClusterView, happened: readonly WorldEvent[]): readonly Decision[] {
      if (view.queue.length === 0 || onlyIntensityChanged(happened)) return [];
      const profile = Availability.fromView(view, { queue: false });
      const out: Decision[] = [];
      const now = view.now;
      for (const job of view.queue) {
        let best = -1;
        let start = Infinity;
        for (const pool of view.pools) {
          const need = needFor(job, pool);
          if (need === undefined) continue;
          const t = profile.earliest(pool.index, need, runtimeFor(job, pool));
          if (t < start) [best, start] = [pool.index, t];
        }
        if (best < 0) continue;
        const pool = view.pools[best];
        profile.reserve(best, start, runtimeFor(job, pool), needFor(job, pool)!);
        if (start <= now) out.push({ kind: "start", jobId: job.id, pool: best });
      }
      return out;
    },
  };
}
