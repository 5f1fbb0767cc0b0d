/**
 * What a workflow task must fetch before it can run at a site, as the world
 * routes it: each missing input over the fastest link from a site holding it
 * (ties: the lowest site). Shared by the policies and the estimates so they
 * count data movement one way.
 */
import type { ClusterView, WorkflowView } from "./view.js";

/**
 * Bytes task `task` of workflow `w` still needs at `site`, per link index; undefined
 * when some input has no link to it. Inputs not yet produced, or only on a storage
 * tier the view does not show, are left out.
 */
export function missingBytes(view: ClusterView, w: WorkflowView, task: number, site: number): Map<number, number> | undefined {
  const out = new Map<number, number>();
  for (const file of w.spec.tasks[task].inputs) {
    const mask = w.fileSites[file];
    if ((mask & (1 << site)) !== 0 || mask === 0) continue;
    let best = -1;
    view.links.forEach((l, k) => {
      if (l.to !== site || l.from === site || (mask & (1 << l.from)) === 0) return;
      const b = view.links[best];
      if (best < 0 || l.bandwidth > b.bandwidth || (l.bandwidth === b.bandwidth && l.from < b.from)) best = k;
    });
    if (best < 0) return undefined;
    out.set(best, (out.get(best) ?? 0) + w.spec.files[file].bytes);
  }
  return out;
}

/** Time to bring the bytes in, s: links in parallel, each carrying its bytes after its latency. */
export function transferTime(view: ClusterView, bytes: ReadonlyMap<number, number>): number {
  let t = 0;
  for (const [k, b] of bytes) t = Math.max(t, view.links[k].latency + b / view.links[k].bandwidth);
  return t;
}

/** Energy of moving the bytes, J: source, network and destination shares of each link. */
export function transferJoules(view: ClusterView, bytes: ReadonlyMap<number, number>): number {
  let j = 0;
  for (const [k, b] of bytes) {
    const l = view.links[k].joulesPerByte;
    j += b * (l.source + l.network + l.destination);
  }
  return j;
}
