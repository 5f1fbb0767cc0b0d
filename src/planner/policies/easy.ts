/**
 * EASY backfilling (Lifka 1995; the backfill of Maui and Slurm). In each pass:
 * 1. start jobs from the head of the queue while they fit (first pool that fits);
 * 2. when the head fits nowhere, reserve for it: per pool, walk the running jobs
 *    by predicted end (start + walltime) until enough cores would be free (and,
 *    for a head that holds whole nodes, enough nodes idle: a node is idle when
 *    its last job ends); that predicted end is the pool's shadow time. The reservation goes to the pool
 *    with the earliest shadow time (ties: platform order). Extra cores are those
 *    free at the shadow time beyond the head's need, counting every job predicted
 *    to end exactly at the shadow time;
 * 3. backfill later jobs that fit now, in queue order: anywhere outside the
 *    reserved pool; in it only if they end (by walltime) by the shadow time or
 *    fit in the extra cores (which they then use up).
 * Capacity is counted in cores (common.ts Capacity): a job that shares nodes
 * takes its cores, one that holds nodes whole takes their cores; on pools
 * where every job holds whole nodes this is the classic count in nodes.
 * Jobs started earlier in the same pass count as running, with now + walltime as
 * their predicted end. Estimates are the walltime for batch jobs and the runtime
 * model on the pool's default device for workflow tasks (planner/resources).
 */
import type { ClusterView, Decision, Policy, PoolView, QueuedJobView, RunningJobView, WorldEvent } from "../view.js";
import { holdsWholeNodes } from "../resources.js";
import type { RunningList } from "../runningReader.js";
import { Capacity, coresFor, firstFit, nextBackfill, onlyIntensityChanged, PassStarts, QueueWalk, runtimeFor, secondsTo, shadowTime } from "./common.js";

interface Reservation {
  pool: number;
  shadow: number;
  extra: number;
}

/** A pass that starts nothing (shared: passes that start nothing are most of a long run's). */
const NOTHING: readonly Decision[] = Object.freeze([]);

/**
 * The pass's decisions with the job's start on pool `p` added. The first
 * makes an array of one (a push onto [] makes room for 17: most passes that
 * start anything start one job). A new array each pass: the world keeps it.
 */
function started(out: Decision[] | undefined, job: QueuedJobView, p: number): Decision[] {
  const d: Decision = { kind: "start", jobId: job.id, pool: p };
  if (out === undefined) return [d];
  out.push(d);
  return out;
}

/** EASY, also callable with a running list standing for the view's (consolidate's waking nodes shown as jobs). */
export interface EasyBackfill extends Policy {
  /** decide(), with `running` (by predicted end, then id) in place of view.running (undefined: the view's). */
  decideWith(view: ClusterView, happened: readonly WorldEvent[], running: readonly RunningJobView[] | RunningList | undefined): readonly Decision[];
}

export function policyEasyBackfill(): EasyBackfill {
  // Scratch for jobs started in the current pass (pool, cores, idle nodes taken, predicted end).
  const pass = new PassStarts();
  const free = new Capacity();
  const walk = new QueueWalk();
  // The pass's reservation (pool < 0: none), and shadowTime's arguments, kept here rather than made per pass.
  const res: Reservation = { pool: -1, shadow: Infinity, extra: 0 };
  const freeHere = { cores: 0, nodes: 0 };
  const needHere = { cores: 0, wholeNodes: 0 };

  /** Sets `res` to the head's reservation: the pool with the earliest shadow time (ties: platform order); pool -1 when none. */
  function reserve(view: ClusterView, pools: readonly PoolView[], head: QueuedJobView, running: readonly RunningJobView[] | RunningList | undefined): void {
    res.pool = -1;
    for (let p = 0; p < pools.length; p++) {
      const pool = pools[p];
      // The head's need (common.ts needFor, without an object per pool): its cores, and as whole nodes those cores' nodes.
      const cores = coresFor(head, pool);
      if (cores === Infinity) continue;
      needHere.cores = cores;
      needHere.wholeNodes = holdsWholeNodes(head, pool) ? cores / pool.coresPerNode : 0;
      freeHere.cores = free.cores[p];
      freeHere.nodes = free.nodes[p];
      const { shadow, extra } = shadowTime(view, p, needHere, freeHere, pass, running);
      if (shadow === Infinity) continue;
      if (res.pool < 0 || shadow < res.shadow) {
        res.pool = p;
        res.shadow = shadow;
        res.extra = extra;
      }
    }
  }

  function decideWith(view: ClusterView, happened: readonly WorldEvent[], running: readonly RunningJobView[] | RunningList | undefined): readonly Decision[] {
    if (onlyIntensityChanged(happened)) return NOTHING;
    const queue = walk.start(view);
    let head = queue.next();
    if (head === undefined) return NOTHING;
    const pools = view.pools;
    free.from(pools);
    let out: Decision[] | undefined;
    pass.clear();
    for (; head !== undefined; head = queue.next()) {
      const p = firstFit(head, pools, free);
      if (p < 0) break;
      out = started(out, head, p);
      pass.add(p, coresFor(head, pools[p]), free.lastIdle, view.now + runtimeFor(head, pools[p]));
    }
    if (head === undefined || queue.atLast() || !free.any()) return out ?? NOTHING;
    reserve(view, pools, head, running);
    // Jobs that could start nowhere are passed over (the queue's index): in the reserved pool a job needs
    // cores within the extra ones, or any free core if it ends by the shadow time (with a slack for rounding).
    const shortSeconds = res.pool < 0 ? -Infinity : secondsTo(res.shadow, view.now);
    for (let job = nextBackfill(queue, free, res.pool, res.extra, shortSeconds); job !== undefined; job = nextBackfill(queue, free, res.pool, res.extra, shortSeconds)) {
      for (let p = 0; p < pools.length; p++) {
        if (!free.fits(job, pools[p])) continue;
        const need = coresFor(job, pools[p]);
        if (p === res.pool) {
          if (view.now + runtimeFor(job, pools[p]) <= res.shadow) {
            // ends before the reservation: free to use any core
          } else if (need <= res.extra) res.extra -= need;
          else continue;
        }
        free.take(job, pools[p]);
        out = started(out, job, p);
        break;
      }
      if (!free.any()) break;
    }
    return out ?? NOTHING;
  }

  return {
    name: "easy",
    version: "1",
    params: {},
    decide(view: ClusterView, happened: readonly WorldEvent[]): readonly Decision[] {
      return decideWith(view, happened, undefined);
    },
    decideWith,
  };
}
