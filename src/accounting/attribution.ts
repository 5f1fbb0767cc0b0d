/**
 * The attribution rule (DESIGN.md, "Attribution"). A job holds whole nodes
 * exclusively, so it is charged their full draw at its utilisation (their
 * load-dependent power and all their static power), times the site's PUE,
 * times the impact intensity at each instant; plus embodied impacts per
 * node-second reserved (fabrication, transport, end of life, amortised over
 * the node's lifetime). Idle, sleeping, off and switching nodes are charged to
 * the site's overhead (the documented default; spreading overhead over jobs is
 * a later option). The arithmetic is models/charge.ts, which planners price
 * placements with too.
 */
import { chargeInto } from "../models/index.js";
import type { PoolModel, SiteModel } from "../models/index.js";

/**
 * Impacts of `nodes` nodes drawing `wattsPerNode` each over [a, b] at a site.
 * Writes N_PHASED values into `out` (use phase from the actual intensity
 * integrated over [a, b]; other phases embodied) and returns IT and facility
 * energy in joules.
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
