/**
 * The growth study's analysis: each way of absorbing the extra work (more CPU
 * nodes, GPU nodes for the share of work that can use them, hardware kept
 * longer, another site) beside the reference plan that changes nothing, on
 * impacts over the horizon, node counts and waits from the year the extra work
 * arrives, with the Pareto front of mean wait and single score (both
 * minimised) across them.
 */
import { INDICATORS } from "../../core/index.js";
import type { GrowthStudySpec } from "../../io/index.js";
import { paretoIndices } from "../pareto.js";
import type { StudyContext } from "./context.js";
import type { PerIndicator, PlanFigures } from "./figures.js";

export interface GrowthOptionResult {
  readonly option: string;
  readonly description: string;
  /** Nodes in service in the last year, and at most in any year. */
  readonly nodes_last_year: number;
  readonly nodes_max: number;
  readonly node_years: number;
  /** Job-weighted mean wait over the years with the extra work. */
  readonly mean_wait_s: number;
  /** Jobs run over the years with the extra work. */
  readonly jobs: number;
  readonly total: PerIndicator;
  readonly use: PerIndicator;
  readonly embodied: PerIndicator;
  readonly single_score_pt: number;
  readonly energy_facility_kwh: number;
  /** option − reference. */
  readonly versus_reference: { readonly cc_kgco2eq: number; readonly single_score_pt: number; readonly mean_wait_s: number };
  readonly on_front: boolean;
}

export interface GrowthAnalysis {
  readonly extra_work: number;
  readonly from: number;
  readonly objectives: readonly ["mean_wait_s", "single_score_pt"];
  readonly options: readonly GrowthOptionResult[];
  /** Options on the front, in order. */
  readonly front: readonly string[];
}

const ids = INDICATORS.map((c) => c.id);

export function analyseGrowth(ctx: StudyContext, plans: readonly PlanFigures[]): GrowthAnalysis {
  const g = (ctx.spec as GrowthStudySpec).growth;
  const from = g.from ?? Math.min(ctx.spec.years.from + 1, ctx.spec.years.to);
  const describe = (name: string) => (name === "reference" ? "the reference plan: the extra work arrives and nothing is added" : (g.options.find((o) => o.name === name)?.description ?? ""));
  const rows = plans.map((p) => {
    const later = p.years.filter((y) => y.year >= from);
    const jobs = later.reduce((a, y) => a + y.jobs, 0);
    return {
      option: p.id,
      description: describe(p.id),
      nodes_last_year: p.years[p.years.length - 1].nodes,
      nodes_max: Math.max(...p.years.map((y) => y.nodes)),
      node_years: p.totals.node_years,
      mean_wait_s: jobs > 0 ? later.reduce((a, y) => a + y.jobs * y.mean_wait_s, 0) / jobs : 0,
      jobs,
      total: p.totals.total,
      use: p.totals.use,
      embodied: Object.fromEntries(ids.map((id) => [id, p.totals.embodied[id].fabrication + p.totals.embodied[id].transport + p.totals.embodied[id].endOfLife])),
      single_score_pt: p.totals.single_score_pt.total,
      energy_facility_kwh: p.totals.energy_facility_kwh,
    };
  });
  const ref = rows.find((r) => r.option === "reference")!;
  const front = new Set(paretoIndices(rows, [(r) => r.mean_wait_s, (r) => r.single_score_pt]));
  const options = rows.map((r, i) => ({
    ...r,
    versus_reference: { cc_kgco2eq: r.total.CC - ref.total.CC, single_score_pt: r.single_score_pt - ref.single_score_pt, mean_wait_s: r.mean_wait_s - ref.mean_wait_s },
    on_front: front.has(i),
  }));
  return { extra_work: g.extra_work, from, objectives: ["mean_wait_s", "single_score_pt"], options, front: options.filter((o) => o.on_front).map((o) => o.option) };
}
