/**
 * A view of the same world with less free capacity and a filtered queue, so one
 * policy can hand what it leaves to another (e.g. HEFT for workflow tasks, then
 * EASY for batch jobs on what remains). Read-only, like the view it wraps.
 */
import type { ClusterView, PoolView, QueuedJobView } from "../view.js";

/** Free cores and idle nodes per pool (common.ts Capacity keeps them). */
export interface FreeCounts {
  readonly cores: readonly number[];
  readonly nodes: readonly number[];
}

/** `p` with at most `cores` free cores and `nodes` free nodes. */
function withFree(p: PoolView, cores: number, nodes: number): PoolView {
  if (cores >= p.freeCores && nodes >= p.freeNodes) return p;
  return Object.freeze({ ...p, freeNodes: Math.max(0, Math.min(p.freeNodes, nodes)), freeCores: Math.max(0, Math.min(p.freeCores, cores)) });
}

/** `view` with pool i's free capacity cut to `free` (when given) and only the queued jobs `keep` accepts. */
export function restrictView(view: ClusterView, free: FreeCounts | undefined, keep: (job: QueuedJobView) => boolean): ClusterView {
  const pools = free === undefined ? view.pools : view.pools.map((p, i) => withFree(p, free.cores[i] ?? p.freeCores, free.nodes[i] ?? p.freeNodes));
  // A world's view may give its parts through getters (sim/view.ts), which a spread does not copy: named here.
  return { ...view, pools, queue: view.queue.filter(keep), running: view.running, sites: view.sites };
}
