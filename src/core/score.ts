/**
 * Single score: EF normalisation and weighting (EF 3.1 by default, EF 3.0 on
 * request: io/scoreMethod.ts). score = sum over
 * categories of (impact / NF) * (WF / 100), in points (Pt); 1 Pt is roughly the
 * annual impact of one average person. The factors are data (see
 * io/scoreMethod.ts and platforms/lca/ef31_normalisation_weighting.csv); this
 * module only applies them.
 */
import { EF_CATEGORIES, N_EF } from "./categories.js";

export interface ScoreMethod {
  readonly name: string;
  /** Normalisation factor per category, in category unit per person per year. */
  readonly normalisation: Float64Array;
  /** Weight per category as a fraction (sums to 1 over the weighted categories). */
  readonly weights: Float64Array;
  readonly source: string;
}

/**
 * Builds a method from per-category factors.
 * @throws RangeError when a factor is missing, not finite, or a normalisation factor is zero
 */
export function scoreMethod(name: string, nf: Record<string, number>, weightPercent: Record<string, number>, source: string): ScoreMethod {
  const normalisation = new Float64Array(N_EF);
  const weights = new Float64Array(N_EF);
  EF_CATEGORIES.forEach((c, i) => {
    const n = nf[c.id];
    const w = weightPercent[c.id] ?? 0;
    if (!Number.isFinite(n) || n === 0) throw new RangeError(`scoreMethod(${name}): normalisation factor of ${c.id}: expected a finite non-zero number, got ${n}`);
    if (!Number.isFinite(w) || w < 0) throw new RangeError(`scoreMethod(${name}): weight of ${c.id}: expected a finite number >= 0, got ${w}`);
    normalisation[i] = n;
    weights[i] = w / 100;
  });
  return { name, normalisation, weights, source };
}

/** Single score in Pt of an impact vector (the 16 EF categories; energy and primary energy are not weighted). */
export function singleScore(v: ArrayLike<number>, method: ScoreMethod, offset = 0): number {
  let s = 0;
  for (let i = 0; i < N_EF; i++) s += (v[offset + i] / method.normalisation[i]) * method.weights[i];
  return s;
}

/** Per-category contributions to the single score, in Pt. */
export function scoreContributions(v: ArrayLike<number>, method: ScoreMethod): Float64Array {
  const out = new Float64Array(N_EF);
  for (let i = 0; i < N_EF; i++) out[i] = (v[i] / method.normalisation[i]) * method.weights[i];
  return out;
}
