/**
 * ImpactVector: the currency of impactsim. A Float64Array of the 16 EF 3.1
 * categories, energy and primary energy (see categories.ts). PhasedImpacts keeps one vector
 * per life-cycle phase in one flat array (phase-major), so a ledger entry is a
 * single allocation.
 *
 * Every figure also knows where it comes from: a FactorVector carries, per
 * coordinate, whether the value is measured/published data, a documented
 * proxy, or missing. Missing is never silently zero: it is flagged and the
 * summaries say so.
 */
import { N_COORDS, N_PHASES } from "./categories.js";

export type ImpactVector = Float64Array;
export type PhasedImpacts = Float64Array;

/** Basis of a figure: published data, a documented proxy, or missing (counted, never zero by accident). */
export const Basis = { Data: 0, Proxy: 1, Missing: 2 } as const;
export type Basis = (typeof Basis)[keyof typeof Basis];

/** A per-unit factor (per joule, per node-second, ...) with the basis of each coordinate. */
export interface FactorVector {
  readonly values: ImpactVector;
  readonly basis: Uint8Array;
  /** Where the numbers come from, for provenance. */
  readonly source: string;
}

export function impactZero(): ImpactVector {
  return new Float64Array(N_COORDS);
}

export function phasedZero(): PhasedImpacts {
  return new Float64Array(N_COORDS * N_PHASES);
}

/** into += v * k, element-wise. */
export function impactAddScaled(into: Float64Array, v: ArrayLike<number>, k = 1, offset = 0): void {
  for (let i = 0; i < v.length; i++) into[offset + i] += v[i] * k;
}

/** Sum over phases: the whole-life-cycle vector of a PhasedImpacts. */
export function phasedTotal(p: PhasedImpacts): ImpactVector {
  const out = impactZero();
  for (let ph = 0; ph < N_PHASES; ph++) for (let i = 0; i < N_COORDS; i++) out[i] += p[ph * N_COORDS + i];
  return out;
}

/** View of one phase of a PhasedImpacts (no copy). */
export function phaseSlice(p: PhasedImpacts, phase: number): ImpactVector {
  return p.subarray(phase * N_COORDS, (phase + 1) * N_COORDS);
}

/** A factor vector with every coordinate zero and marked as data (e.g. no embodied energy use). */
export function factorZero(source: string): FactorVector {
  return { values: impactZero(), basis: new Uint8Array(N_COORDS), source };
}
