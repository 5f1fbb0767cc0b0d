/**
 * A node type's embodied impacts per node-second and its power curve, whether
 * it is given by figures (embodied impacts, a measured curve) or by its parts
 * (BoaviztaAPI's component method, a power profile from TDP). The platform
 * builder and `impactsim lca` both go through here, so they agree.
 */
import { categoryIndex, INDICATORS, InputError, type Issue, N_COORDS, N_PHASES, PHASE_INDEX } from "../core/index.js";
import { Basis } from "../core/index.js";
import { readComponentData, type ComponentData, type NodeTypeSpec, type PlatformSpec, type PowerSpec } from "../io/index.js";
import { embodiedFromParts, jsonPath, type PartsEmbodied, type PhasedRange } from "./components.js";
import { amortise, embodiedPerNodeSecond, proxyFill, shareOf, type EmbodiedRate } from "./embodied.js";
import { powerCurveFromSpec, type PowerCurve } from "./power.js";
import { nodePowerProfile, type NodePowerProfile } from "./powerProfile.js";

const CC = categoryIndex("CC");
const USE = PHASE_INDEX.use;

/** A node type as the models need it. */
export interface BuiltNodeType {
  /** Per node-second, with the basis of every figure (accelerators' own `embodied` not included). */
  readonly embodied: EmbodiedRate;
  /** Whole-life totals per node with their low and high ends (parts only; figures have no range). */
  readonly totals?: PhasedRange;
  readonly curve: PowerCurve;
  /** When the node type is given by parts. */
  readonly parts?: PartsEmbodied;
  /** When the power comes from a profile. */
  readonly profile?: NodePowerProfile;
}

/** True when the node type's power is a profile computed from its parts. */
export function isPowerProfile(power: NodeTypeSpec["power"]): power is Exclude<NodeTypeSpec["power"], PowerSpec> {
  return "profile" in power;
}

/** True when a node type needs the component tables (parts or a power profile). */
export function needsComponentData(type: NodeTypeSpec): boolean {
  return type.parts !== undefined || isPowerProfile(type.power);
}

/**
 * Builds one node type.
 * @param where file and JSON path of the node type, for messages (node_types["r740"]; "" for a node-type file)
 * @param data the component tables, when the node type has parts
 * @throws InputError on unknown archetypes or models in its parts; RangeError on a node type the
 *   platform checks should have refused (a profile without parts, embodied without figures or parts)
 */
export function buildNodeType(type: NodeTypeSpec, references: PlatformSpec["lca_references"], data: ComponentData | undefined, where: { file: string; path: string }): BuiltNodeType {
  let parts: PartsEmbodied | undefined;
  if (type.parts) {
    if (!data) throw new RangeError(`buildNodeType: ${where.path}: expected the component tables for a node type with parts, got none`);
    parts = embodiedFromParts(type.parts, data, { file: where.file, path: jsonPath(where.path, "parts") });
  }
  let embodied: EmbodiedRate;
  let totals: PhasedRange | undefined;
  if (type.embodied.impacts !== undefined) embodied = embodiedPerNodeSecond(type, references);
  else {
    if (!parts) throw new RangeError(`buildNodeType: ${where.path}.embodied: expected impacts or the node's parts, got neither`);
    ({ embodied, totals } = embodiedOfParts(type, parts, references));
  }
  let curve: PowerCurve;
  let profile: NodePowerProfile | undefined;
  if (isPowerProfile(type.power)) {
    if (!parts || !data) throw new RangeError(`buildNodeType: ${where.path}.power: expected parts for a power profile, got none`);
    profile = nodePowerProfile(type.power, parts.profileInputs, type, data, where);
    curve = profile.curve;
  } else curve = powerCurveFromSpec(type.power);
  return { embodied, curve, ...(totals ? { totals } : {}), ...(parts ? { parts } : {}), ...(profile ? { profile } : {}) };
}

/** A parts-based node's whole-life totals (server and GPUs), proxies filled from a reference, amortised. */
function embodiedOfParts(type: NodeTypeSpec, parts: PartsEmbodied, references: PlatformSpec["lca_references"]): { embodied: EmbodiedRate; totals: PhasedRange } {
  const n = N_PHASES * N_COORDS;
  const totals = Float64Array.from(parts.server.totals);
  const low = Float64Array.from(parts.server.low);
  const high = Float64Array.from(parts.server.high);
  const basis = Uint8Array.from(parts.server.basis);
  if (parts.gpu) {
    for (let i = 0; i < n; i++) {
      totals[i] += parts.gpu.totals[i];
      low[i] += parts.gpu.low[i];
      high[i] += parts.gpu.high[i];
      // A phase and indicator the server's parts lack stays missing: the total is a lower bound.
      basis[i] = Math.max(basis[i], parts.gpu.basis[i]);
    }
  }
  const e = type.embodied;
  const hasData = new Array<boolean>(N_COORDS).fill(false);
  for (const { index: c } of INDICATORS) for (let p = 0; p < N_PHASES; p++) if (p !== USE && basis[p * N_COORDS + c] !== Basis.Missing) hasData[c] = true;
  let proxyText = "";
  if (e.proxy) {
    const ref = references?.[e.proxy.reference];
    if (!ref) throw new RangeError(`embodiedOfParts: expected proxy reference ${JSON.stringify(e.proxy.reference)} in lca_references, got none`);
    const refCC = ref.impacts.CC;
    if (!(Number.isFinite(refCC) && refCC !== 0)) throw new RangeError(`embodiedOfParts: expected a non-zero CC in reference ${JSON.stringify(e.proxy.reference)}, got ${refCC}`);
    let nodeCC = 0;
    for (let p = 0; p < N_PHASES; p++) nodeCC += totals[p * N_COORDS + CC];
    const before = Float64Array.from(totals);
    const filled = proxyFill(totals, basis, hasData, ref.impacts, e.proxy.reference, nodeCC / refCC, shareOf(totals, CC, nodeCC));
    // The proxy's range follows the CC figure's range.
    let ccLow = 0;
    let ccHigh = 0;
    for (let p = 0; p < N_PHASES; p++) {
      ccLow += low[p * N_COORDS + CC];
      ccHigh += high[p * N_COORDS + CC];
    }
    for (const id of filled) {
      const c = categoryIndex(id);
      for (let p = 0; p < N_PHASES; p++) {
        const k = p * N_COORDS + c;
        const added = totals[k] - before[k];
        const [a, b] = nodeCC !== 0 ? [(added * ccLow) / nodeCC, (added * ccHigh) / nodeCC] : [0, 0];
        // A negative reference value (ADEME's LU, WU, EUF) turns the ends around.
        low[k] += Math.min(a, b);
        high[k] += Math.max(a, b);
      }
    }
    if (filled.length > 0) proxyText = `; ${filled.join(", ")} by proxy from "${e.proxy.reference}" scaled by node CC / reference CC = ${nodeCC} / ${refCC} (${ref.source})`;
  }
  const missing = INDICATORS.filter(({ index: c }) => {
    for (let p = 0; p < N_PHASES; p++) if (p !== USE && basis[p * N_COORDS + c] === Basis.Missing) return true;
    return false;
  }).map((c) => c.id);
  const perPhase = amortise(totals, e.lifetime_years);
  const source =
    `${e.source}; ${parts.source}; amortised over ${e.lifetime_years} year(s) (${e.lifetime_source})${proxyText}` +
    (missing.length > 0 ? `; missing in some phase (counted as zero): ${missing.join(", ")}` : "");
  return { embodied: { perPhase, basis, source }, totals: { totals, low, high, basis } };
}

/** What a run's outputs say about a node type: how its figures and its power were obtained. */
export interface NodeTypeProvenance {
  /** Embodied impacts from its parts (BoaviztaAPI's component method) or from given figures. */
  readonly embodied_from: "parts" | "figures";
  /** "measured" (a given curve, e.g. SPECpower) or the profile computed from its parts. */
  readonly power_profile: "measured" | "boavizta" | "green_algorithms";
  /** The curve in words (its parameters). */
  readonly power: string;
  /** Where the power figures come from. */
  readonly power_source: string;
  /** Values an archetype or a table filled in (parts only): none when everything was given. */
  readonly filled_in: readonly string[];
}

/** A built node type's provenance, for run outputs (summary.json) and `impactsim lca`. */
export function nodeTypeProvenance(type: NodeTypeSpec, built: BuiltNodeType): NodeTypeProvenance {
  return {
    embodied_from: type.embodied.impacts !== undefined ? "figures" : "parts",
    power_profile: built.profile?.profile ?? "measured",
    power: built.curve.describe(),
    power_source: built.profile?.source ?? (isPowerProfile(type.power) ? "" : type.power.source),
    filled_in: [...(built.parts?.assumptions ?? []), ...(built.profile?.assumptions ?? [])],
  };
}

/** Component tables read once per folder (they are the same for every run of a process). */
const cache = new Map<string, Promise<ComponentData>>();

/** The shipped component tables (or those of `dir`), read once. */
export function componentData(dir?: string): Promise<ComponentData> {
  const key = dir ?? "";
  let p = cache.get(key);
  if (!p) {
    p = readComponentData(dir);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

/**
 * Every node type of a platform, built; the component tables are read only when one needs them.
 * @throws InputError on unknown archetypes or models in parts (naming the JSON path)
 */
export async function buildNodeTypes(spec: PlatformSpec, where: { file: string }): Promise<Map<string, BuiltNodeType>> {
  const types = Object.entries(spec.node_types);
  const data = types.some(([, t]) => needsComponentData(t)) ? await componentData() : undefined;
  const out = new Map<string, BuiltNodeType>();
  const issues: Issue[] = [];
  for (const [name, t] of types) {
    try {
      out.set(name, buildNodeType(t, spec.lca_references, data, { file: where.file, path: `node_types[${JSON.stringify(name)}]` }));
    } catch (e) {
      // Every node type's bad parts are reported together.
      if (e instanceof InputError) issues.push(...e.issues);
      else throw e;
    }
  }
  if (issues.length > 0) throw new InputError(issues);
  return out;
}
