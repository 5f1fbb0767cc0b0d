/**
 * Embodied impacts of a node, amortised per node-second over its lifetime.
 * Figures come from the node type's own data per phase; categories it lacks
 * are filled from a reference LCA item scaled by the ratio of climate-change
 * figures (a documented proxy), or reported missing. The use phase is always
 * zero here: use-phase impacts come from electricity.
 */
import { EF_CATEGORIES, N_COORDS, N_EF, N_PHASES, PHASES, PHASE_INDEX, type Phase } from "../core/index.js";
import { Basis } from "../core/index.js";
import { yearsToSeconds } from "../core/index.js";
import type { NodeTypeSpec, PlatformSpec } from "../io/index.js";

const CC = EF_CATEGORIES.findIndex((c) => c.id === "CC");
const USE = PHASE_INDEX.use;

/**
 * Embodied impacts of one node per node-second, per phase (phase-major,
 * N_PHASES * N_COORDS, in category units per second), with the basis of
 * every figure and a provenance text.
 *
 * - A category with a value in any phase is Basis.Data in every non-use phase
 *   (0 where the node gives none for that phase).
 * - A category without data but with a value in the proxy reference is
 *   reference[c] * (node CC over all phases / reference CC), split across
 *   phases as the node's CC is, and Basis.Proxy.
 * - Otherwise it is 0 and Basis.Missing.
 * - The use phase and the ENERGY coordinate are 0 and Basis.Data.
 *
 * @param references LCA items by name, for the node type's proxy
 * @throws RangeError on a lifetime that is not > 0, a use-phase or unknown
 *   phase, an unknown category id, a non-finite value, a proxy reference that
 *   is not defined or has no non-zero CC, or a proxy with no node CC
 */
export function embodiedPerNodeSecond(
  nodeType: NodeTypeSpec,
  references: PlatformSpec["lca_references"],
): { perPhase: Float64Array; basis: Uint8Array; source: string } {
  const e = nodeType.embodied;
  if (!(Number.isFinite(e.lifetime_years) && e.lifetime_years > 0)) {
    throw new RangeError(`embodiedPerNodeSecond: expected lifetime_years > 0, got ${e.lifetime_years}`);
  }
  const lifetime = yearsToSeconds(e.lifetime_years);
  const perPhase = new Float64Array(N_PHASES * N_COORDS);
  const basis = new Uint8Array(N_PHASES * N_COORDS).fill(Basis.Data);

  // Whole-life figures per phase, in category units per node.
  const total = new Float64Array(N_PHASES * N_COORDS);
  const hasData = new Array<boolean>(N_EF).fill(false);
  for (const [phase, values] of Object.entries(e.impacts)) {
    if (phase === "use" || !(PHASES as readonly string[]).includes(phase)) {
      throw new RangeError(`embodiedPerNodeSecond: expected phase fabrication, transport or endOfLife, got ${JSON.stringify(phase)}`);
    }
    const p = PHASE_INDEX[phase as Phase];
    for (const [id, v] of Object.entries(values ?? {})) {
      const c = EF_CATEGORIES.findIndex((x) => x.id === id);
      if (c < 0) throw new RangeError(`embodiedPerNodeSecond: expected a category id, got ${JSON.stringify(id)} in phase ${phase}`);
      if (!Number.isFinite(v)) throw new RangeError(`embodiedPerNodeSecond: ${phase}.${id}: expected a finite number, got ${v}`);
      total[p * N_COORDS + c] = v;
      hasData[c] = true;
    }
  }

  const proxied: string[] = [];
  const missing: string[] = [];
  let proxyText = "";
  const refName = e.proxy?.reference;
  const ref = refName !== undefined ? references?.[refName] : undefined;
  if (refName !== undefined) {
    if (!ref) throw new RangeError(`embodiedPerNodeSecond: expected proxy reference ${JSON.stringify(refName)} in lca_references, got none`);
    const refCC = ref.impacts.CC;
    if (!(Number.isFinite(refCC) && refCC !== 0)) throw new RangeError(`embodiedPerNodeSecond: expected a non-zero CC in reference ${JSON.stringify(refName)}, got ${refCC}`);
    if (!hasData[CC]) throw new RangeError(`embodiedPerNodeSecond: expected node CC data to scale proxy ${JSON.stringify(refName)}, got none`);
    let nodeCC = 0;
    for (let p = 0; p < N_PHASES; p++) nodeCC += total[p * N_COORDS + CC];
    const ratio = nodeCC / refCC;
    // Phase shares of the node's CC; with a zero CC total, everything goes to fabrication.
    const share = new Float64Array(N_PHASES);
    for (let p = 0; p < N_PHASES; p++) share[p] = nodeCC !== 0 ? total[p * N_COORDS + CC] / nodeCC : p === PHASE_INDEX.fabrication ? 1 : 0;
    for (let c = 0; c < N_EF; c++) {
      const id = EF_CATEGORIES[c].id;
      if (hasData[c] || ref.impacts[id] === undefined) continue;
      const v = ref.impacts[id];
      if (!Number.isFinite(v)) throw new RangeError(`embodiedPerNodeSecond: reference ${refName}.${id}: expected a finite number, got ${v}`);
      for (let p = 0; p < N_PHASES; p++) {
        // A zero share gives 0, not -0, for negative reference values (e.g. ADEME's LU and WU).
        if (p !== USE && share[p] !== 0) total[p * N_COORDS + c] = v * ratio * share[p];
      }
      hasData[c] = true;
      proxied.push(id);
      for (let p = 0; p < N_PHASES; p++) if (p !== USE) basis[p * N_COORDS + c] = Basis.Proxy;
    }
    if (proxied.length > 0) {
      proxyText = `; ${proxied.join(", ")} by proxy from "${refName}" scaled by node CC / reference CC = ${nodeCC} / ${refCC} (${ref.source})`;
    }
  }
  for (let c = 0; c < N_EF; c++) {
    if (hasData[c]) continue;
    missing.push(EF_CATEGORIES[c].id);
    for (let p = 0; p < N_PHASES; p++) if (p !== USE) basis[p * N_COORDS + c] = Basis.Missing;
  }

  for (let p = 0; p < N_PHASES; p++) {
    if (p === USE) continue;
    for (let c = 0; c < N_EF; c++) perPhase[p * N_COORDS + c] = total[p * N_COORDS + c] / lifetime;
  }
  const missingText = missing.length > 0 ? `; missing (no data, no proxy): ${missing.join(", ")}` : "";
  const source = `${e.source}; amortised over ${e.lifetime_years} year(s) (${e.lifetime_source})${proxyText}${missingText}`;
  return { perPhase, basis, source };
}
