/**
 * Embodied impacts of a node, amortised per node-second over its lifetime.
 * Figures come from the node type's own data per phase; categories it lacks
 * are filled from a reference LCA item scaled by the ratio of climate-change
 * figures (a documented proxy), or reported missing. Figures that stand in for
 * another item (`basis: "proxy"`, e.g. a generic server for a specific model)
 * are proxies too. The use phase is always zero here: use-phase impacts come
 * from electricity. Node types given by their parts go through components.ts
 * and then `amortise()` here.
 *
 * Also here: how much of a node's embodied impacts an interval of use is
 * charged when the node may outlive its planned lifetime (`embodiedShare`).
 */
import { categoryIndex, ENERGY, INDICATORS, N_COORDS, N_PHASES, PHASES, PHASE_INDEX, type Phase } from "../core/index.js";
import { Basis } from "../core/index.js";
import { yearsToSeconds } from "../core/index.js";
import type { NodeTypeSpec, PlatformSpec } from "../io/index.js";
import type { PartsHeld } from "./charge.js";

const CC = categoryIndex("CC");
const USE = PHASE_INDEX.use;

/** Embodied impacts of one node per node-second, per phase, with the basis of every figure. */
export interface EmbodiedRate {
  /** N_PHASES * N_COORDS, phase-major, in category units per second; the use phase is 0. */
  readonly perPhase: Float64Array;
  /** Basis per phase and coordinate (see core/impact.ts). */
  readonly basis: Uint8Array;
  /** Provenance in words. */
  readonly source: string;
}

/**
 * Whole-life totals (N_PHASES * N_COORDS, per node) divided by the lifetime.
 * @param totals per node, phase-major; the use phase is ignored (0 out)
 * @param lifetimeYears > 0
 * @throws RangeError on a lifetime that is not > 0 or a totals array of the wrong length
 */
export function amortise(totals: ArrayLike<number>, lifetimeYears: number): Float64Array {
  if (!(Number.isFinite(lifetimeYears) && lifetimeYears > 0)) throw new RangeError(`amortise: expected lifetime_years > 0, got ${lifetimeYears}`);
  if (totals.length !== N_PHASES * N_COORDS) throw new RangeError(`amortise: expected ${N_PHASES * N_COORDS} totals (phases x coordinates), got ${totals.length}`);
  const lifetime = yearsToSeconds(lifetimeYears);
  const out = new Float64Array(N_PHASES * N_COORDS);
  for (let p = 0; p < N_PHASES; p++) {
    if (p === USE) continue;
    for (const { index: c } of INDICATORS) out[p * N_COORDS + c] = totals[p * N_COORDS + c] / lifetime;
  }
  return out;
}

/**
 * Embodied impacts of one node per node-second, per phase (phase-major,
 * N_PHASES * N_COORDS, in category units per second), with the basis of
 * every figure and a provenance text.
 *
 * - An indicator (EF category or PE) with a value in any phase is Basis.Data
 *   in every non-use phase (0 where the node gives none for that phase), or
 *   Basis.Proxy when the figures are marked `basis: "proxy"`.
 * - One without data but with a value in the proxy reference is
 *   reference[c] * (node CC over all phases / reference CC), split across
 *   phases as the node's CC is, and Basis.Proxy.
 * - Otherwise it is 0 and Basis.Missing.
 * - The use phase and the ENERGY coordinate are 0 and Basis.Data.
 *
 * @param references LCA items by name, for the node type's proxy
 * @throws RangeError on a lifetime that is not > 0, no figures (a node type
 *   given by parts goes through components.ts), a use-phase or unknown phase,
 *   an unknown category id, a non-finite value, a proxy reference that is not
 *   defined or has no non-zero CC, or a proxy with no node CC
 */
export function embodiedPerNodeSecond(nodeType: NodeTypeSpec, references: PlatformSpec["lca_references"]): EmbodiedRate {
  const e = nodeType.embodied;
  if (!(Number.isFinite(e.lifetime_years) && e.lifetime_years > 0)) {
    throw new RangeError(`embodiedPerNodeSecond: expected lifetime_years > 0, got ${e.lifetime_years}`);
  }
  if (e.impacts === undefined) throw new RangeError("embodiedPerNodeSecond: expected embodied.impacts (figures), got none; a node type given by its parts goes through embodiedFromParts");
  const given = e.basis === "proxy" ? Basis.Proxy : Basis.Data;
  const basis = new Uint8Array(N_PHASES * N_COORDS).fill(Basis.Data);

  // Whole-life figures per phase, in category units per node.
  const total = new Float64Array(N_PHASES * N_COORDS);
  const hasData = new Array<boolean>(N_COORDS).fill(false);
  for (const [phase, values] of Object.entries(e.impacts)) {
    if (phase === "use" || !(PHASES as readonly string[]).includes(phase)) {
      throw new RangeError(`embodiedPerNodeSecond: expected phase fabrication, transport or endOfLife, got ${JSON.stringify(phase)}`);
    }
    const p = PHASE_INDEX[phase as Phase];
    for (const [id, v] of Object.entries(values ?? {})) {
      const c = categoryIndex(id);
      if (c < 0 || c === ENERGY) throw new RangeError(`embodiedPerNodeSecond: expected a category id, got ${JSON.stringify(id)} in phase ${phase}`);
      if (!Number.isFinite(v)) throw new RangeError(`embodiedPerNodeSecond: ${phase}.${id}: expected a finite number, got ${v}`);
      total[p * N_COORDS + c] = v;
      hasData[c] = true;
    }
  }
  for (const { index: c } of INDICATORS) if (hasData[c]) for (let p = 0; p < N_PHASES; p++) if (p !== USE) basis[p * N_COORDS + c] = given;

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
    const filled = proxyFill(total, basis, hasData, ref.impacts, refName, nodeCC / refCC, shareOf(total, CC, nodeCC));
    proxied.push(...filled);
    if (proxied.length > 0) {
      proxyText = `; ${proxied.join(", ")} by proxy from "${refName}" scaled by node CC / reference CC = ${nodeCC} / ${refCC} (${ref.source})`;
    }
  }
  for (const { index: c, id } of INDICATORS) {
    if (hasData[c]) continue;
    missing.push(id);
    for (let p = 0; p < N_PHASES; p++) if (p !== USE) basis[p * N_COORDS + c] = Basis.Missing;
  }

  const perPhase = amortise(total, e.lifetime_years);
  const standIn = e.basis === "proxy" ? "; these figures stand in for the node (basis proxy), so they count as proxies" : "";
  const missingText = missing.length > 0 ? `; missing (no data, no proxy): ${missing.join(", ")}` : "";
  const source = `${e.source}${standIn}; amortised over ${e.lifetime_years} year(s) (${e.lifetime_source})${proxyText}${missingText}`;
  return { perPhase, basis, source };
}

/** Phase shares of an indicator's total; with a zero total, everything goes to fabrication. */
export function shareOf(total: ArrayLike<number>, c: number, sum: number): Float64Array {
  const share = new Float64Array(N_PHASES);
  for (let p = 0; p < N_PHASES; p++) share[p] = sum !== 0 ? total[p * N_COORDS + c] / sum : p === PHASE_INDEX.fabrication ? 1 : 0;
  return share;
}

/**
 * Fills indicators without data from a reference item: its value x ratio,
 * split across phases by `share`, marked Proxy. Returns the ids filled.
 * @throws RangeError on a non-finite reference value
 */
export function proxyFill(
  total: Float64Array,
  basis: Uint8Array,
  hasData: boolean[],
  reference: Readonly<Record<string, number>>,
  refName: string,
  ratio: number,
  share: Float64Array,
): string[] {
  const filled: string[] = [];
  for (const { index: c, id } of INDICATORS) {
    if (hasData[c] || reference[id] === undefined) continue;
    const v = reference[id];
    if (!Number.isFinite(v)) throw new RangeError(`embodiedPerNodeSecond: reference ${refName}.${id}: expected a finite number, got ${v}`);
    for (let p = 0; p < N_PHASES; p++) {
      // A zero share gives 0, not -0, for negative reference values (e.g. ADEME's LU and WU).
      if (p !== USE && share[p] !== 0) total[p * N_COORDS + c] = v * ratio * share[p];
    }
    hasData[c] = true;
    filled.push(id);
    for (let p = 0; p < N_PHASES; p++) if (p !== USE) basis[p * N_COORDS + c] = Basis.Proxy;
  }
  return filled;
}

// ---------------------------------------------------------------------------
// Embodied allocation when a node outlives its planned lifetime

/**
 * How an interval of use is charged a node's embodied impacts:
 * - "linear": interval / lifetime, at any age. Keeping a node past its
 *   lifetime keeps charging at the same rate, so the node's jobs together pay
 *   more than its embodied impacts (the 4,000 h on a 2,000 h life pays
 *   200 %). Using hardware longer is not rewarded.
 * - "capped": interval / lifetime, but never more than the whole (BoaviztaAPI's
 *   rule for one assessment: a duration beyond the lifetime is charged 100 %).
 *   Age is ignored, so for intervals shorter than the lifetime it is "linear".
 * - "paid": interval / lifetime while the node is within its lifetime, nothing
 *   for the time beyond (the impacts were paid by the earlier use). The node's
 *   uses together pay exactly its embodied impacts once it reaches its
 *   lifetime, never more, and a node kept in service beyond it runs with no
 *   embodied charge: the rule that rewards using hardware long, which the
 *   SPECTRUM blueprint asks for (fabrication dominates the climate impact of
 *   IT in Europe).
 */
export type EmbodiedRule = "linear" | "capped" | "paid";
export const EMBODIED_RULES: readonly EmbodiedRule[] = ["linear", "capped", "paid"];

/**
 * The default rule: "paid". Within the lifetime it equals "linear"; beyond it,
 * it never charges more than the node's embodied impacts (as BoaviztaAPI's cap)
 * and it rewards keeping hardware in service, as the blueprint asks. Its
 * weakness: the charge depends on the declared lifetime, so a lifetime set
 * shorter than the real service life makes old nodes look free of embodied
 * impacts; the lifetime's source is part of every result's provenance.
 */
export const DEFAULT_EMBODIED_RULE: EmbodiedRule = "paid";

/**
 * The share of a node's whole embodied impacts (all phases) that an interval of
 * use is charged: multiply it by the node's total (or by lifetime x the per-second rate).
 * @param ageStart the node's age when the interval starts, s since it entered service (>= 0)
 * @param seconds the interval's length, s (>= 0)
 * @param lifetime the planned lifetime, s (> 0)
 * @param rule see EmbodiedRule (default DEFAULT_EMBODIED_RULE)
 * @throws RangeError on a negative or non-finite age or length, a lifetime that is not > 0, or an unknown rule
 */
export function embodiedShare(ageStart: number, seconds: number, lifetime: number, rule: EmbodiedRule = DEFAULT_EMBODIED_RULE): number {
  if (!(Number.isFinite(ageStart) && ageStart >= 0)) throw new RangeError(`embodiedShare: expected ageStart >= 0 s, got ${ageStart}`);
  if (!(Number.isFinite(seconds) && seconds >= 0)) throw new RangeError(`embodiedShare: expected seconds >= 0, got ${seconds}`);
  if (!(Number.isFinite(lifetime) && lifetime > 0)) throw new RangeError(`embodiedShare: expected lifetime > 0 s, got ${lifetime}`);
  switch (rule) {
    case "linear":
      return seconds / lifetime;
    case "capped":
      return Math.min(seconds, lifetime) / lifetime;
    case "paid": {
      const from = Math.min(ageStart, lifetime);
      const to = Math.min(ageStart + seconds, lifetime);
      return (to - from) / lifetime;
    }
    default:
      throw new RangeError(`embodiedShare: expected a rule (${EMBODIED_RULES.join(", ")}), got ${JSON.stringify(rule)}`);
  }
}

/** Part kinds of a pool's node, in the order of PoolModel.embodiedParts' kinds and of the ledger's node-seconds: node, GPUs, FPGAs. */
export const PART_KINDS = ["node", "gpu", "fpga"] as const;

/**
 * A pool's embodied rule in a run, per part kind (PART_KINDS): what
 * embodiedSeconds clips an interval of use to. Every node of a pool has the
 * same age: its node type's `embodied.age_years` at the run's start (default 0:
 * a node of unknown age is assumed new when the run starts).
 */
export interface EmbodiedClock {
  readonly rule: EmbodiedRule;
  /**
   * Per part kind, s: "paid": simulated time at which the part reaches its
   * lifetime (lifetime - age at start, >= 0); "capped": the lifetime, counted
   * from the start of each job's run; "linear": Infinity.
   */
  readonly until: Float64Array;
}

/**
 * The clock of a pool's parts under `rule`.
 * @param lifetimeYears per part kind, > 0
 * @param ageYears per part kind, the age at the run's start, >= 0
 * @throws RangeError on a lifetime that is not > 0, an age that is not >= 0, or an unknown rule
 */
export function embodiedClock(rule: EmbodiedRule, lifetimeYears: readonly number[], ageYears: readonly number[]): EmbodiedClock {
  if (!EMBODIED_RULES.includes(rule)) throw new RangeError(`embodiedClock: expected a rule (${EMBODIED_RULES.join(", ")}), got ${JSON.stringify(rule)}`);
  const until = new Float64Array(PART_KINDS.length);
  PART_KINDS.forEach((kind, k) => {
    const life = lifetimeYears[k];
    const age = ageYears[k];
    if (!(Number.isFinite(life) && life > 0)) throw new RangeError(`embodiedClock: ${kind}: expected lifetime_years > 0, got ${life}`);
    if (!(Number.isFinite(age) && age >= 0)) throw new RangeError(`embodiedClock: ${kind}: expected age_years >= 0, got ${age}`);
    until[k] = rule === "linear" ? Infinity : rule === "capped" ? yearsToSeconds(life) : Math.max(0, yearsToSeconds(life) - yearsToSeconds(age));
  });
  return { rule, until };
}

/**
 * Node-equivalents `held` of each part scaled by the share of an interval of
 * `seconds` it is charged embodied impacts for (`node`, `gpu` and `fpga`
 * seconds of it, from embodiedSeconds): what embodiedRate prices over an
 * interval partly past a part's life. Written into `out` (no object per call;
 * the accountant calls it per interval).
 */
export function chargedParts(held: PartsHeld, seconds: number, node: number, gpu: number, fpga: number, out: { node: number; gpu: number; fpga: number }): PartsHeld {
  out.node = (held.node * node) / seconds;
  out.gpu = (held.gpu * gpu) / seconds;
  out.fpga = (held.fpga * fpga) / seconds;
  return out;
}

/**
 * The seconds of [from, to] (simulated time, from <= to) that part kind `k` of
 * a pool is charged embodied impacts for under its clock: to - from exactly
 * when the rule does not bite (so within the lifetime nothing changes), less
 * beyond it. `runStart` is when the job's run began, for "capped"; time no job
 * holds (a site's overhead) passes undefined and is charged linearly under
 * "capped", which caps a single job's charge. Without a clock: linear.
 * Allocation-free (the accountant calls it per interval).
 */
export function embodiedSeconds(clock: EmbodiedClock | undefined, k: number, from: number, to: number, runStart?: number): number {
  if (!clock) return to - from;
  let until = clock.until[k];
  if (clock.rule === "capped") {
    if (runStart === undefined) return to - from;
    until += runStart;
  }
  return to <= until ? to - from : from >= until ? 0 : until - from;
}
