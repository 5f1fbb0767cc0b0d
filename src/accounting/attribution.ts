/**
 * The attribution rule (DESIGN.md, "Attribution"). Nodes are shared: the
 * simulator splits each node's draw among its jobs (sim/cluster.ts: dynamic CPU
 * power by busy cores, static power by allocated cores, each device to its
 * job; a job holding whole nodes pays their whole draw) and reports each job's
 * share over every interval where it was constant. A job is charged its share
 * x the site's PUE x the impact intensity at each instant, plus embodied
 * impacts per node-equivalent second of each part it held (its cores' share of
 * the node, its devices' share of the GPUs or FPGAs; a whole node counts 1 of
 * each), amortised over the lifetime. What no job holds (idle cores and
 * devices, idle, off and switching nodes) is the site's overhead: the
 * documented default; spreading it over jobs is an option of the split
 * ("jobs" static rule). The arithmetic is models/charge.ts, which planners price
 * placements with too.
 */
import { chargeInto } from "../models/index.js";
import type { PoolModel, SiteModel } from "../models/index.js";

/**
 * Impacts of `nodes` nodes drawing `wattsPerNode` each over [a, b] at a site,
 * held whole. Writes N_PHASED values into `out` (use phase from the actual
 * intensity integrated over [a, b]; other phases embodied) and returns IT and
 * facility energy in joules.
 * @param scratch N_COORDS scratch array
 */
export function attributeInterval(
  nodes: number,
  wattsPerNode: number,
  a: number,
  b: number,
  site: SiteModel,
  pool: PoolModel,
  out: Float64Array,
  scratch: Float64Array,
): { it: number; facility: number } {
  site.intensity.series.integralInto(a, b, scratch);
  const energy = { it: 0, facility: 0 };
  chargeInto(out, energy, nodes, wattsPerNode, b - a, site.pue, scratch, pool.embodiedPerNodeSecond);
  return energy;
}
