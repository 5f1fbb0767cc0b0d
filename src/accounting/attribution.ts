/**
 * The attribution rule (DESIGN.md, "Attribution"). A job holds whole nodes
 * exclusively, so it is charged their full draw at its utilisation (their
 * load-dependent power and all their static power), times the site's PUE,
 * times the impact intensity at each instant; plus embodied impacts per
 * node-second reserved (fabrication, transport, end of life, amortised over
 * the node's lifetime). Idle, sleeping, off and switching nodes are charged to
 * the site's overhead (the documented default; spreading overhead over jobs is
 * a later option).
 */
import { N_COORDS, N_PHASES, PHASE_INDEX } from "../core/categories.js";
import type { PoolModel, SiteModel } from "../models/platform.js";

const USE = PHASE_INDEX.use;

/**
 * Impacts of `nodes` nodes drawing `wattsPerNode` each over [a, b] at a site.
 * Writes N_PHASED values into `out` (use phase from electricity; other phases
 * embodied) and returns IT and facility energy in joules.
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
  const seconds = b - a;
  const watts = nodes * wattsPerNode;
  const it = watts * seconds;
  const facility = it * site.pue;
  site.intensity.series.integralInto(a, b, scratch);
  const nodeSeconds = nodes * seconds;
  const rate = pool.embodiedPerNodeSecond;
  for (let ph = 0; ph < N_PHASES; ph++) {
    const o = ph * N_COORDS;
    if (ph === USE) for (let c = 0; c < N_COORDS; c++) out[o + c] = watts * site.pue * scratch[c];
    else for (let c = 0; c < N_COORDS; c++) out[o + c] = nodeSeconds * rate[o + c];
  }
  return { it, facility };
}
