/**
 * EASY backfilling (Lifka 1995; the backfill of Maui and Slurm). In each pass:
 * 1. start jobs from the head of the queue while they fit (first pool that fits);
 * 2. when the head fits nowhere, reserve for it: per pool, walk the running jobs
 *    by predicted end (start + walltime) until enough nodes would be free; that
 *    predicted end is the pool's shadow time. The reservation goes to the pool
 *    with the earliest shadow time (ties: platform order). Extra nodes are those
 *    free at the shadow time beyond the head's need, counting every job predicted
 *    to end exactly at the shadow time;
 * 3. backfill later jobs that fit now, in queue order: anywhere outside the
 *    reserved pool; in it only if they end (by walltime) by the shadow time or
 *    fit in the extra nodes (which they then use up).
 * Jobs started earlier in the same pass count as running, with now + walltime as
 * their predicted end. Estimates are the walltime for batch jobs and the runtime
 * model on the pool's default device for workflow tasks (planner/resources).
 */
import type { ClusterView, Decision, Policy, QueuedJobView, WorldEvent } from "../view.js";
import { firstFit, nodesFor, onlyIntensityChanged, runtimeFor, shadowTime } from "./common.js";

interface Reservation {
  pool: number;
  shadow: number;
  extra: number;
}

export function policyEasyBackfill(): Policy {
  // Scratch for jobs started in the current pass (pool, nodes, predicted end).
  const passPool: number[] = [];
  const passNodes: number[] = [];
  const passEnd: number[] = [];
  const free: number[] = [];

  function reserve(view: ClusterView, head: QueuedJobView, free: number[]): Reservation | undefined {
    let best: Reservation | undefined;
    for (let p = 0; p < view.pools.length; p++) {
      const pool = view.pools[p];
      const need = nodesFor(head, pool);
      if (need > pool.nodes) continue;
      const { shadow, extra } = shadowTime(view, p, need, free[p], { pool: passPool, nodes: passNodes, end: passEnd });
      if (shadow === Infinity) continue;
      if (best === undefined || shadow < best.shadow) best = { pool: p, shadow, extra };
    }
    return best;
  }

  return {
    name: "easy",
    version: "1",
    params: {},
    decide(view: ClusterView, happened: readonly WorldEvent[]): readonly Decision[] {
      if (onlyIntensityChanged(happened)) return [];
      const pools = view.pools;
      free.length = pools.length;
      for (let p = 0; p < pools.length; p++) free[p] = pools[p].freeNodes;
      const queue = view.queue;
      const out: Decision[] = [];
      passPool.length = passNodes.length = passEnd.length = 0;
      let i = 0;
      for (; i < queue.length; i++) {
        const job = queue[i];
        const p = firstFit(job, pools, free);
        if (p < 0) break;
        out.push({ kind: "start", jobId: job.id, pool: p });
        passPool.push(p);
        passNodes.push(nodesFor(job, pools[p]));
        passEnd.push(view.now + runtimeFor(job, pools[p]));
      }
      if (i >= queue.length - 1) return out;
      let anyFree = false;
      for (const f of free) if (f > 0) anyFree = true;
      if (!anyFree) return out;
      const res = reserve(view, queue[i], free);
      for (let j = i + 1; j < queue.length; j++) {
        const job = queue[j];
        for (let p = 0; p < pools.length; p++) {
          const need = nodesFor(job, pools[p]);
          if (need > free[p]) continue;
          if (res !== undefined && p === res.pool) {
            if (view.now + runtimeFor(job, pools[p]) <= res.shadow) {
              // ends before the reservation: free to use any node
            } else if (need <= res.extra) res.extra -= need;
            else continue;
          }
          free[p] -= need;
          out.push({ kind: "start", jobId: job.id, pool: p });
          break;
        }
        let left = false;
        for (const f of free) if (f > 0) left = true;
        if (!left) break;
      }
      return out;
    },
  };
}
