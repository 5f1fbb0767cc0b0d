/**
 * Statistics of a sweep (issue 5): per group of variants that differ only by
 * seed, the mean of each figure with a 95 % confidence interval, and the
 * Pareto front of the groups' means (mean wait vs single score, minimised).
 *
 * Interval: Student's t, mean ± t(0.975, n − 1) · s / √n with s the sample
 * standard deviation (simple-statistics). The quantile comes from a table
 * (exact to 6 digits for n − 1 ≤ 30, linear in 1/df between 30, 40, 60, 120
 * and ∞, within 0.1 % of the exact value); no interval with a single replica.
 * Replicas assume independent runs; with common random numbers across groups
 * (see spec.ts) paired comparisons would be tighter, not done yet.
 */
import { mean, sampleStandardDeviation } from "simple-statistics";
import type { RunSummary } from "../run/index.js";
import { paretoIndices } from "./pareto.js";

/** t(0.975, df) for df = 1..30. */
const T975 = [
  12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157, 2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.13145,
  2.119905, 2.109816, 2.100922, 2.093024, 2.085963, 2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407, 2.04523, 2.042272,
];
/** (df, t(0.975, df)) beyond the table; df = ∞ is the normal quantile. */
const T975_TAIL: readonly [number, number][] = [
  [30, 2.042272],
  [40, 2.021075],
  [60, 2.000298],
  [120, 1.97993],
  [Infinity, 1.959964],
];

/**
 * The 0.975 quantile of Student's t with `df` degrees of freedom (two-sided 95 %).
 * @throws RangeError if df is not a positive integer
 */
export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`tQuantile975: df: expected an integer >= 1, got ${df}`);
  if (df <= 30) return T975[df - 1];
  const k = T975_TAIL.findIndex(([d]) => d >= df);
  const [d0, t0] = T975_TAIL[k - 1];
  const [d1, t1] = T975_TAIL[k];
  // Interpolate linearly in 1/df (1/∞ = 0).
  const w = (1 / d0 - 1 / df) / (1 / d0 - 1 / d1);
  return t0 + w * (t1 - t0);
}

export interface Estimate {
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation; null with one value. */
  readonly sd: number | null;
  /** Half-width of the 95 % interval; null with one value. */
  readonly half_width: number | null;
  /** [mean − half_width, mean + half_width]; null with one value. */
  readonly ci95: readonly [number, number] | null;
}

/**
 * Mean and 95 % t confidence interval of `xs`.
 * @throws RangeError on no values or a value that is not finite
 */
export function meanCI(xs: readonly number[]): Estimate {
  if (xs.length === 0) throw new RangeError("meanCI: expected at least one value, got none");
  const bad = xs.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new RangeError(`meanCI: values[${bad}]: expected a finite number, got ${xs[bad]}`);
  const m = mean(xs as number[]);
  if (xs.length === 1) return { n: 1, mean: m, sd: null, half_width: null, ci95: null };
  const sd = sampleStandardDeviation(xs as number[]);
  const h = (tQuantile975(xs.length - 1) * sd) / Math.sqrt(xs.length);
  return { n: xs.length, mean: m, sd, half_width: h, ci95: [m - h, m + h] };
}

/** One line of results.jsonl: a variant and its run's summary (or its error). */
export interface SweepResult {
  readonly index: number;
  readonly group: number;
  readonly replica: number;
  readonly values: Readonly<Record<string, unknown>>;
  readonly seed?: number;
  readonly summary?: RunSummary;
  readonly error?: { readonly name: string; readonly message: string };
}

/** The figures summarised per group; every one is minimised. */
export const SWEEP_METRICS = {
  mean_wait_s: (s: RunSummary) => s.mean_wait_s,
  single_score_pt: (s: RunSummary) => s.single_score.total_pt,
  cc_kgco2eq: (s: RunSummary) => s.impacts.CC.total,
  energy_facility_j: (s: RunSummary) => s.energy_j.facility,
} as const;
export type SweepMetric = keyof typeof SWEEP_METRICS;

export interface GroupSummary {
  readonly group: number;
  readonly values: Readonly<Record<string, unknown>>;
  /** Replicas that ran. */
  readonly runs: number;
  /** Replicas that failed. */
  readonly failed: number;
  /** Null when no replica ran. */
  readonly metrics: { readonly [K in SweepMetric]: Estimate } | null;
  /** On the Pareto front of the groups' mean wait and mean single score. */
  readonly on_front: boolean;
  /**
   * Against the first group, per metric: the mean of the paired differences
   * (replica r against the first group's replica r, which shares its seed) with
   * its 95 % interval, and whether the difference is larger than the noise (the
   * interval excludes 0). Null for the first group or with fewer than 2 pairs.
   */
  readonly versus_first: { readonly [K in SweepMetric]: Estimate & { readonly significant: boolean } } | null;
}

export interface SweepSummary {
  readonly variants: number;
  readonly failed: number;
  readonly interval: string;
  readonly front_objectives: readonly SweepMetric[];
  readonly groups: readonly GroupSummary[];
  /** Group numbers on the front, in group order. */
  readonly front: readonly number[];
}

export const FRONT_OBJECTIVES: readonly SweepMetric[] = ["mean_wait_s", "single_score_pt"];

/** Paired differences of a group's replicas against the first group's (same replica number, same seed). */
function paired(rs: readonly SweepResult[], base: readonly SweepResult[]): GroupSummary["versus_first"] {
  const byReplica = new Map(base.flatMap((r) => (r.summary ? [[r.replica, r.summary] as const] : [])));
  const pairs = rs.flatMap((r) => (r.summary && byReplica.has(r.replica) ? [[r.summary, byReplica.get(r.replica)!] as const] : []));
  if (pairs.length < 2) return null;
  return Object.fromEntries(
    Object.entries(SWEEP_METRICS).map(([k, f]) => {
      const e = meanCI(pairs.map(([a, b]) => f(a) - f(b)));
      return [k, { ...e, significant: e.ci95 !== null && (e.ci95[0] > 0 || e.ci95[1] < 0) }];
    }),
  ) as GroupSummary["versus_first"];
}

/** Per-group means with 95 % intervals and the Pareto front across groups, from results in any order. */
export function summarizeSweep(results: readonly SweepResult[]): SweepSummary {
  const byGroup = new Map<number, SweepResult[]>();
  for (const r of [...results].sort((a, b) => a.index - b.index)) {
    const list = byGroup.get(r.group) ?? [];
    list.push(r);
    byGroup.set(r.group, list);
  }
  const partial = [...byGroup.entries()]
    .sort(([a], [b]) => a - b)
    .map(([group, rs]) => {
      const ok = rs.flatMap((r) => (r.summary ? [r.summary] : []));
      const metrics =
        ok.length === 0 ? null : (Object.fromEntries(Object.entries(SWEEP_METRICS).map(([k, f]) => [k, meanCI(ok.map(f))])) as { [K in SweepMetric]: Estimate });
      return { group, values: rs[0].values, runs: ok.length, failed: rs.length - ok.length, metrics };
    });
  const ran = partial.filter((g) => g.metrics !== null);
  const front = new Set(paretoIndices(ran, FRONT_OBJECTIVES.map((o) => (g: (typeof ran)[number]) => g.metrics![o].mean)).map((i) => ran[i].group));
  const first = [...byGroup.entries()].sort(([a], [b]) => a - b)[0];
  const groups = partial.map((g) => ({ ...g, on_front: front.has(g.group), versus_first: first && g.group !== first[0] ? paired(byGroup.get(g.group)!, first[1]) : null }));
  return {
    variants: results.length,
    failed: groups.reduce((a, g) => a + g.failed, 0),
    interval: "95 % Student t: mean ± t(0.975, n-1)·s/√n over the replicas of a group",
    front_objectives: FRONT_OBJECTIVES,
    groups,
    front: groups.filter((g) => g.on_front).map((g) => g.group),
  };
}
