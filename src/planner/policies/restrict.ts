/**
 * A view of the same world with fewer free nodes and a filtered queue, so one
 * policy can hand what it leaves to another (e.g. HEFT for workflow tasks, then
 * EASY for batch jobs on the remaining nodes). Read-only, like the view it wraps.
 */
import type { ClusterView, PoolView, QueuedJobView } from "../view.js";

function withFree(p: PoolView, freeNodes: number): PoolView {
  return Object.freeze({ ...p, freeNodes });
}

/** `view` with `taken[i]` fewer free nodes in pool i and only the queued jobs `keep` accepts. */
export function restrictView(view: ClusterView, taken: readonly number[], keep: (job: QueuedJobView) => boolean): ClusterView {
  return {
    now: view.now,
    sites: view.sites,
    pools: view.pools.map((p, i) => (taken[i] > 0 ? withFree(p, p.freeNodes - taken[i]) : p)),
    queue: view.queue.filter(keep),
    running: view.running,
    workflows: view.workflows,
    links: view.links,
    scoreMethod: view.scoreMethod,
    nodeState: (id) => view.nodeState(id),
    nodeSince: (id) => view.nodeSince(id),
    nodeReadyAt: (id) => view.nodeReadyAt(id),
    nodeJob: (id) => view.nodeJob(id),
    forecast: (site) => view.forecast(site),
  };
}
