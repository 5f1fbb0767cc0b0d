/**
 * The charge of a placement (DESIGN.md, "Attribution"), written once: what the
 * accountant charges a job for an interval and what every planner prices
 * before it places one. Whole nodes drawing `wattsPerNode` each for `seconds`:
 *
 *   IT energy        = nodes x wattsPerNode x seconds, J
 *   facility energy  = IT energy x PUE, J
 *   use phase        = nodes x wattsPerNode x PUE x the intensity integral, per coordinate
 *   other phases     = nodes x seconds x embodied impacts per node-second
 *
 * The intensity integral is the caller's: the actual series integrated over
 * the interval for accounting (TimeSeries.integralInto), the forecast mean x
 * the duration for a planner (forecastIntegralInto). Because both sides go
 * through chargeInto, a planner's price on a constant-intensity platform is
 * what the accountant then charges. Nothing here allocates: the accountant
 * calls it per interval, so outputs and scratch arrays are the caller's.
 */
import { N_COORDS, N_PHASES, PHASE_INDEX } from "../core/index.js";
import { singleScore, type ScoreMethod } from "../core/index.js";
import type { IntensityForecast } from "./forecast.js";

const USE = PHASE_INDEX.use;

/** IT and facility energy of a charge, J; filled by chargeInto (one object reused across calls). */
export interface ChargeEnergy {
  it: number;
  facility: number;
}

/**
 * Use-phase impact of `watts` of IT power at a site of PUE `pue` over one
 * coordinate's intensity integral (impact per facility joule x seconds): the
 * product chargeInto takes per coordinate, for callers that price a single
 * coordinate (the campaign LP's climate-change cost per node-hour).
 */
export function useImpact(watts: number, pue: number, integral: number): number {
  return watts * pue * integral;
}

/**
 * Charges `nodes` nodes drawing `wattsPerNode` each for `seconds` at a site:
 * writes the impacts by phase into `out` and the energy into `energy`.
 * @param out N_PHASES x N_COORDS, phase-major; overwritten
 * @param energy receives IT and facility joules
 * @param pue the site's power usage effectiveness (facility / IT energy)
 * @param intensityIntegral N_COORDS: the intensity per facility joule integrated over the interval (its ENERGY coordinate is the interval's length)
 * @param embodiedPerNodeSecond N_PHASES x N_COORDS: the pool's embodied impacts per node-second (its use phase is not read)
 */
export function chargeInto(
  out: Float64Array,
  energy: ChargeEnergy,
  nodes: number,
  wattsPerNode: number,
  seconds: number,
  pue: number,
  intensityIntegral: ArrayLike<number>,
  embodiedPerNodeSecond: ArrayLike<number>,
): void {
  const watts = nodes * wattsPerNode;
  const it = watts * seconds;
  energy.it = it;
  energy.facility = it * pue;
  const nodeSeconds = nodes * seconds;
  for (let ph = 0; ph < N_PHASES; ph++) {
    const o = ph * N_COORDS;
    if (ph === USE) for (let c = 0; c < N_COORDS; c++) out[o + c] = useImpact(watts, pue, intensityIntegral[c]);
    else for (let c = 0; c < N_COORDS; c++) out[o + c] = nodeSeconds * embodiedPerNodeSecond[o + c];
  }
}

/**
 * A planner's intensity integral: the forecast mean over [from, from + seconds]
 * times `seconds`, for every coordinate, or for coordinate `only` alone (the
 * others set to 0) when a caller prices one category.
 * @param out N_COORDS; overwritten
 */
export function forecastIntegralInto(out: Float64Array, forecast: IntensityForecast, from: number, seconds: number, only?: number): void {
  const to = from + seconds;
  if (only !== undefined) {
    out.fill(0);
    out[only] = forecast.mean(from, to, only) * seconds;
    return;
  }
  if (forecast.meanInto !== undefined) {
    forecast.meanInto(from, to, out);
    for (let c = 0; c < N_COORDS; c++) out[c] = out[c] * seconds;
    return;
  }
  for (let c = 0; c < N_COORDS; c++) out[c] = forecast.mean(from, to, c) * seconds;
}

/**
 * A planner's price of a placement: chargeInto over the forecast's integral
 * from `from` for `seconds` (forecastIntegralInto).
 * @param scratch N_COORDS, overwritten with the integral
 */
export function chargeForecastInto(
  out: Float64Array,
  energy: ChargeEnergy,
  nodes: number,
  wattsPerNode: number,
  from: number,
  seconds: number,
  pue: number,
  forecast: IntensityForecast,
  embodiedPerNodeSecond: ArrayLike<number>,
  scratch: Float64Array,
  only?: number,
): void {
  forecastIntegralInto(scratch, forecast, from, seconds, only);
  chargeInto(out, energy, nodes, wattsPerNode, seconds, pue, scratch, embodiedPerNodeSecond);
}

/** Coordinate `c` summed over every phase of an impacts-by-phase vector. */
export function phaseTotal(impacts: ArrayLike<number>, c: number): number {
  let s = 0;
  for (let ph = 0; ph < N_PHASES; ph++) s += impacts[ph * N_COORDS + c];
  return s;
}

/**
 * Single score of all phases together, Pt (EF 3.1 normalisation and weighting).
 * @param scratch N_COORDS for the phase totals (allocated when not given)
 */
export function chargeScore(impacts: ArrayLike<number>, method: ScoreMethod, scratch: Float64Array = new Float64Array(N_COORDS)): number {
  for (let c = 0; c < N_COORDS; c++) scratch[c] = phaseTotal(impacts, c);
  return singleScore(scratch, method);
}

/** Node-equivalents of each embodied part held: a whole node counts 1 of each; a shared job its cores over the node's, its devices over the node's. */
export interface PartsHeld {
  readonly node: number;
  readonly gpu: number;
  readonly fpga: number;
}

/** A pool's embodied rates: per node-second, and per part where it has separate parts (models/platform.ts). */
export interface EmbodiedRates {
  readonly embodiedPerNodeSecond: ArrayLike<number>;
  readonly embodiedParts?: readonly { readonly kind: "node" | "gpu" | "fpga"; readonly perNodeSecond: ArrayLike<number> }[];
}

/**
 * The embodied impacts per second of node-equivalents `held` of a pool's parts
 * (the node, its GPUs, its FPGAs), into `out` (N_PHASES x N_COORDS): what the
 * accountant charges a job per second and planners price it at. A pool without
 * separate parts is one part, the node, at its whole rate.
 */
export function embodiedRate(pool: EmbodiedRates, held: PartsHeld, out: Float64Array): Float64Array {
  if (!pool.embodiedParts) {
    for (let i = 0; i < out.length; i++) out[i] = pool.embodiedPerNodeSecond[i] * held.node;
    return out;
  }
  out.fill(0);
  for (const part of pool.embodiedParts) {
    const k = part.kind === "node" ? held.node : part.kind === "gpu" ? held.gpu : held.fpga;
    if (k === 0) continue;
    for (let i = 0; i < out.length; i++) out[i] += part.perNodeSecond[i] * k;
  }
  return out;
}
