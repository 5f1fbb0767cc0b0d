/**
 * A study's figures: each plan-year from the summaries of its simulations
 * (a simulated year each: use phase, energy, jobs, waits, utilisation, each
 * site's share), plus the fleet's embodied charges of that year; a
 * plan's totals are the sum of its years. Use-phase figures come from the
 * runs; embodied ones from the fleet (models/fleet.ts), not from the runs'
 * per-second amortisation, so a node bought is charged by the study's rule
 * whatever the simulated period.
 */
import { INDICATORS, N_COORDS, PHASE_INDEX, singleScore, type ScoreMethod } from "../../core/index.js";
import { JOULES_PER_KWH } from "../../core/index.js";
import type { RunSummary } from "../../run/index.js";
import type { StudyContext } from "./context.js";
import type { Plan, PlanYear, StudyPlan, StudyRun } from "./plan.js";

/** Values per indicator id (the 16 EF categories, then PE). */
export type PerIndicator = Record<string, number>;
/** Embodied phases of an indicator. */
export interface EmbodiedPhases {
  readonly fabrication: number;
  readonly transport: number;
  readonly endOfLife: number;
}

export interface YearFigures {
  readonly year: number;
  readonly nodes: number;
  readonly capacity: number;
  readonly workload: number;
  /** Days simulated: from time 0 to the last job's end (the longest of the year's simulations), 365 and the last jobs' tail. */
  readonly span_days: number;
  /** Jobs run in the year. */
  readonly jobs: number;
  /** Jobs submitted in the year. */
  readonly jobs_submitted: number;
  /** Jobs submitted that did not run (no pool could hold them, rejected, or never started). */
  readonly jobs_not_run: number;
  /** Job-weighted over the year's simulations. */
  readonly mean_wait_s: number;
  /** Requested core-seconds over capacity, capacity-weighted over the year's simulations. */
  readonly utilisation: number;
  readonly energy_facility_kwh: number;
  readonly use: PerIndicator;
  readonly embodied: Readonly<Record<string, EmbodiedPhases>>;
  /** use + embodied (the study's rule). */
  readonly total: PerIndicator;
  /** Embodied under the other rule, per indicator (all phases). */
  readonly embodied_other_rule: PerIndicator;
  readonly single_score_pt: { readonly use: number; readonly embodied: number; readonly total: number };
  /** Per site: facility energy and use-phase impacts of the year. */
  readonly sites: Readonly<Record<string, { readonly energy_facility_kwh: number; readonly use: PerIndicator }>>;
  /** Per group in service: its nodes' IT energy in the year (the runs' per-pool meters). */
  readonly groups: Readonly<Record<string, { readonly it_kwh: number }>>;
  /** Keys of the simulations (inputs/<first 16 characters>/). */
  readonly runs: readonly string[];
}

export interface PlanFigures {
  readonly id: string;
  readonly values: Plan["values"];
  readonly years: readonly YearFigures[];
  /** Sums over the years. */
  readonly totals: {
    readonly jobs: number;
    readonly energy_facility_kwh: number;
    readonly use: PerIndicator;
    readonly embodied: Readonly<Record<string, EmbodiedPhases>>;
    readonly total: PerIndicator;
    readonly embodied_other_rule: PerIndicator;
    readonly single_score_pt: { readonly use: number; readonly embodied: number; readonly total: number };
    /** Node-years in service. */
    readonly node_years: number;
    /** Job-weighted over the years. */
    readonly mean_wait_s: number;
  };
}

const ids = INDICATORS.map((c) => c.id);
const zero = (): PerIndicator => Object.fromEntries(ids.map((id) => [id, 0]));
const FAB = PHASE_INDEX.fabrication;
const TRA = PHASE_INDEX.transport;
const EOL = PHASE_INDEX.endOfLife;

/** Use-phase figures of a summary part (site jobs or overhead, or the whole run). */
function useOf(impacts: RunSummary["impacts"]): PerIndicator {
  return Object.fromEntries(ids.map((id) => [id, impacts[id]?.by_phase.use ?? 0]));
}

/** Pools of a run's platform in the order the inputs writer makes them: sites in order, then the run's groups. */
function poolOrder(ctx: StudyContext, run: StudyRun): number[] {
  const sites = [...ctx.platform.sites.map((s) => s.id), ...(ctx.spec.sites ?? []).map((s) => s.id)];
  return sites.flatMap((s) => run.groups.flatMap((g, i) => (g.site === s ? [i] : [])));
}

/** A vector (phase-major, N_COORDS per phase) to the score method's single score of a phase set. */
function scoreOf(v: PerIndicator, method: ScoreMethod): number {
  const x = new Float64Array(N_COORDS);
  INDICATORS.forEach((c) => (x[c.index] = v[c.id]));
  return singleScore(x, method);
}

/**
 * The figures of a plan's year.
 * @param summaries run summaries by run key
 * @throws RangeError when a run of the year has no summary (the caller reports failed runs first)
 */
export function yearFigures(ctx: StudyContext, plan: StudyPlan, y: PlanYear, summaries: ReadonlyMap<string, RunSummary>, method: ScoreMethod): YearFigures {
  const use = zero();
  const sites: Record<string, { energy_facility_kwh: number; use: PerIndicator }> = {};
  const groups: Record<string, { it_kwh: number }> = {};
  let jobs = 0;
  let waitSum = 0;
  let energy = 0;
  let utilNum = 0;
  let utilDen = 0;
  let jobsRun = 0;
  let notRun = 0;
  let span = 0;
  let submitted = 0;
  const runs = new Map(plan.runs.map((r) => [r.key, r]));
  for (const { key, groups: groupIds } of y.runs) {
    const s = summaries.get(key);
    const run = runs.get(key)!;
    if (!s) throw new RangeError(`yearFigures: no summary for run ${key.slice(0, 16)} of ${y.year}`);
    span = Math.max(span, s.simulation.end_s);
    submitted += s.jobs_submitted;
    for (const [id, v] of Object.entries(useOf(s.impacts))) use[id] += v;
    jobs += s.jobs;
    jobsRun += s.jobs;
    notRun += Object.values(s.dropped).reduce((a, n) => a + n, 0) + s.jobs_rejected + s.jobs_never_started;
    waitSum += s.jobs * s.mean_wait_s;
    energy += s.energy_j.facility / JOULES_PER_KWH;
    const capacity = run.groups.reduce((a, g) => a + g.count * ctx.nodeTypes[g.type].cores, 0);
    utilNum += s.utilisation * capacity;
    utilDen += capacity;
    for (const [site, x] of Object.entries(s.sites)) {
      const u = sites[site] ?? (sites[site] = { energy_facility_kwh: 0, use: zero() });
      u.energy_facility_kwh += x.meter.facility_j / JOULES_PER_KWH;
      const a = useOf(x.jobs.impacts);
      const b = useOf(x.overhead.impacts);
      for (const id of ids) u.use[id] += a[id] + b[id];
    }
    // Per-pool meters back to the groups: pool i is the run's group order[i].
    const order = poolOrder(ctx, run);
    s.packing.forEach((p, i) => {
      const id = groupIds[order[i]];
      (groups[id] ??= { it_kwh: 0 }).it_kwh += p.joules / JOULES_PER_KWH;
    });
  }
  const embodied: Record<string, EmbodiedPhases> = {};
  const total = zero();
  const other = zero();
  const embodiedSum = zero();
  for (const c of INDICATORS) {
    const e = { fabrication: y.embodied[FAB * N_COORDS + c.index], transport: y.embodied[TRA * N_COORDS + c.index], endOfLife: y.embodied[EOL * N_COORDS + c.index] };
    embodied[c.id] = e;
    embodiedSum[c.id] = e.fabrication + e.transport + e.endOfLife;
    total[c.id] = use[c.id] + embodiedSum[c.id];
    other[c.id] = y.embodiedOther[FAB * N_COORDS + c.index] + y.embodiedOther[TRA * N_COORDS + c.index] + y.embodiedOther[EOL * N_COORDS + c.index];
  }
  return {
    year: y.year,
    nodes: y.nodes,
    capacity: y.capacity,
    workload: y.workload,
    span_days: span / 86_400,
    jobs,
    jobs_submitted: submitted,
    jobs_not_run: notRun,
    mean_wait_s: jobsRun > 0 ? waitSum / jobsRun : 0,
    utilisation: utilDen > 0 ? utilNum / utilDen : 0,
    energy_facility_kwh: energy,
    use,
    embodied,
    total,
    embodied_other_rule: other,
    single_score_pt: { use: scoreOf(use, method), embodied: scoreOf(embodiedSum, method), total: scoreOf(total, method) },
    sites,
    groups,
    runs: y.runs.map((r) => r.key),
  };
}

/** A plan's years and totals (sums over the years). */
export function planFigures(ctx: StudyContext, plan: StudyPlan, p: Plan, summaries: ReadonlyMap<string, RunSummary>, method: ScoreMethod): PlanFigures {
  const years = p.years.map((y) => yearFigures(ctx, plan, y, summaries, method));
  const sum = (f: (y: YearFigures) => number) => years.reduce((a, y) => a + f(y), 0);
  const per = (f: (y: YearFigures) => PerIndicator) => Object.fromEntries(ids.map((id) => [id, sum((y) => f(y)[id])]));
  const jobs = sum((y) => y.jobs);
  return {
    id: p.id,
    values: p.values,
    years,
    totals: {
      jobs,
      energy_facility_kwh: sum((y) => y.energy_facility_kwh),
      use: per((y) => y.use),
      embodied: Object.fromEntries(ids.map((id) => [id, { fabrication: sum((y) => y.embodied[id].fabrication), transport: sum((y) => y.embodied[id].transport), endOfLife: sum((y) => y.embodied[id].endOfLife) }])),
      total: per((y) => y.total),
      embodied_other_rule: per((y) => y.embodied_other_rule),
      single_score_pt: { use: sum((y) => y.single_score_pt.use), embodied: sum((y) => y.single_score_pt.embodied), total: sum((y) => y.single_score_pt.total) },
      node_years: sum((y) => y.nodes),
      mean_wait_s: jobs > 0 ? sum((y) => y.jobs * y.mean_wait_s) / jobs : 0,
    },
  };
}
