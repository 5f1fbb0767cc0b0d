/**
 * The lifetime study's analysis: "keep" against each "replace at M" (per
 * rebound and load), per indicator, with SPECTRUM D6.1's footnote 33 evaluated
 * on the simulated numbers and the conditions under which replacing breaks even.
 *
 * Footnote 33: with a the fabrication of the new hardware and b1, b2 the use
 * impacts per unit of time before and after replacing, replacing pays only if
 * b1·t2 > a + b2·t2' (t2 the time left, t2' the new hardware's use of it);
 * and since fabrication dominates use (a > b1·(t1 + t2)), it never does. Here:
 * - a = what replacing adds in embodied impacts over the horizon (replace − keep,
 *   by the study's rule: the successor's fabrication under "purchase");
 * - b1·t2 = the keep plan's use-phase impacts in the years from M, b2·t2' the
 *   replace plan's (whole fleet, idle nodes and rebound included); years before
 *   M are the same simulations in both plans and cancel;
 * - the premise compares the replaced group's own embodied impacts with its
 *   use over its years in service in the keep plan (its site's use, split by
 *   the group's share of the site's IT energy when it shares the site).
 *
 * Break-even conditions, per indicator:
 * - grid: the factor k on every site's per-kWh impacts at which replacing
 *   breaks even (use is linear in k at the simulated schedules), and the
 *   per-kWh figure that makes (k times the keep plan's mean over the years from M);
 * - lifetime: the years of use left after replacing (t2) that would make the
 *   use saved equal a, at the simulated yearly saving; and the premise's life,
 *   the service life at which the replaced group's use would equal its fabrication;
 * - utilisation: with several loads, the keep plan's utilisation at which the
 *   difference changes sign (linear interpolation between loads).
 */
import { INDICATORS, N_COORDS, N_PHASES, PHASE_INDEX } from "../../core/index.js";
import type { LifetimeStudySpec } from "../../io/index.js";
import type { EmbodiedBasis } from "../../models/index.js";
import type { StudyContext } from "./context.js";
import type { PerIndicator, PlanFigures, YearFigures } from "./figures.js";
import type { StudyPlan } from "./plan.js";

export interface Footnote33 {
  /** Embodied impacts replacing adds over the horizon (replace − keep). */
  readonly a: number;
  /** Keep plan's use from the replacement year on. */
  readonly b1_t2: number;
  /** Replace plan's use from the replacement year on. */
  readonly b2_t2p: number;
  /** b1·t2 > a + b2·t2'. */
  readonly replacing_pays: boolean;
  /** (a + b2·t2') − b1·t2: what keeping saves (negative when replacing pays). */
  readonly keeping_saves: number;
  /** The replaced group's embodied impacts (all its nodes, whole life). */
  readonly a_old: number;
  /** The replaced group's use over its years in service in the keep plan. */
  readonly b1_t1_t2: number;
  /** a_old > b1·(t1 + t2). */
  readonly fabrication_dominates: boolean;
  /** Basis of the embodied figures of the replaced group's node type and the successor's: with "missing" (counted as 0) the comparison says little. */
  readonly embodied_basis: { readonly replaced: EmbodiedBasis; readonly successor: EmbodiedBasis };
}

export interface BreakEven {
  /** Factor on every site's per-kWh impacts at which replacing breaks even; null when no factor > 0 does. */
  readonly grid_factor: number | null;
  /** The per-kWh figure at that factor (unit per kWh): the keep plan's mean from M times the factor. */
  readonly grid_per_kwh: number | null;
  /** "above": replacing pays on grids dirtier than the break-even; "below": cleaner; "always"; "never". */
  readonly grid_pays: "above" | "below" | "always" | "never";
  /** Years of use after replacing needed for the use saved to equal a; null when replacing saves no use. */
  readonly remaining_years: number | null;
  /** Service life at which the replaced group's use equals its fabrication (fabrication dominates below it); null without use. */
  readonly premise_life_years: number | null;
  /** Keep plan's utilisation at which the difference changes sign, when several loads ran and it does between them. */
  readonly utilisation: number | null;
}

export interface LifetimeComparison {
  readonly option: string;
  readonly replace_at: number;
  readonly rebound: number;
  readonly load: number;
  readonly keep: string;
  readonly replace: string;
  /** Years before and from the replacement. */
  readonly t1_years: number;
  readonly t2_years: number;
  /** replace − keep over the horizon, per indicator: embodied (study's rule), use, total, and total relative to keep's. */
  readonly delta: Readonly<Record<string, { readonly embodied: number; readonly use: number; readonly total: number; readonly relative: number | null }>>;
  readonly delta_single_score_pt: number;
  /** replace − keep of the totals under the other embodied rule. */
  readonly delta_other_rule: PerIndicator;
  readonly footnote33: Readonly<Record<string, Footnote33>>;
  readonly break_even: Readonly<Record<string, BreakEven>>;
  /** From the replacement year on. */
  readonly from_replacement: {
    readonly jobs: { readonly keep: number; readonly replace: number };
    readonly mean_wait_s: { readonly keep: number; readonly replace: number };
    readonly utilisation: { readonly keep: number; readonly replace: number };
    readonly energy_facility_kwh: { readonly keep: number; readonly replace: number };
  };
}

export interface LifetimeAnalysis {
  readonly group: string;
  readonly group_nodes: number;
  readonly group_type: string;
  readonly successor: { readonly type: string; readonly count: number };
  readonly keep_years: number | null;
  readonly comparisons: readonly LifetimeComparison[];
  /** Per indicator: in how many comparisons replacing pays, and the basis of the two node types' embodied figures. */
  readonly replacing_pays: Readonly<Record<string, { readonly pays: number; readonly of: number; readonly embodied_basis: { readonly replaced: EmbodiedBasis; readonly successor: EmbodiedBasis } }>>;
}

const ids = INDICATORS.map((c) => c.id);
const sum = (ys: readonly YearFigures[], f: (y: YearFigures) => number) => ys.reduce((a, y) => a + f(y), 0);
const embodiedTotal = (y: YearFigures, id: string) => y.embodied[id].fabrication + y.embodied[id].transport + y.embodied[id].endOfLife;
const ratio = (a: number, b: number) => (b !== 0 && Number.isFinite(a / b) ? a / b : null);

/** The replaced group's use in a year: its site's use, times its share of the site's IT energy. */
function groupUse(y: YearFigures, group: string, site: string, sitesOfGroups: ReadonlyMap<string, string>): PerIndicator | undefined {
  const mine = y.groups[group]?.it_kwh;
  if (mine === undefined) return undefined;
  const siteIt = Object.entries(y.groups).reduce((a, [g, x]) => a + (sitesOfGroups.get(g) === site ? x.it_kwh : 0), 0);
  const share = siteIt > 0 ? mine / siteIt : 0;
  const use = y.sites[site]?.use;
  return Object.fromEntries(ids.map((id) => [id, (use?.[id] ?? 0) * share]));
}

function breakEven(dE: number, dU: number, perKwh: number | null, remainingSaving: number | null, premise: number | null): Omit<BreakEven, "utilisation"> {
  let grid_factor: number | null = null;
  let grid_pays: BreakEven["grid_pays"];
  if (dU < 0) {
    // total(k) = dE + k dU falls with k: replacing pays above k* = dE / -dU.
    grid_factor = dE <= 0 ? 0 : dE / -dU;
    grid_pays = dE <= 0 ? "always" : "above";
  } else if (dU > 0) {
    grid_factor = dE < 0 ? -dE / dU : null;
    grid_pays = dE < 0 ? "below" : "never";
  } else grid_pays = dE < 0 ? "always" : "never";
  return {
    grid_factor,
    grid_per_kwh: grid_factor !== null && perKwh !== null ? grid_factor * perKwh : null,
    grid_pays,
    remaining_years: remainingSaving !== null && remainingSaving > 0 ? Math.max(0, dE) / remainingSaving : null,
    premise_life_years: premise,
  };
}

/**
 * Compares every replace plan with the keep plan of the same rebound and load.
 * @param plans figures of every plan, as the study's plan lists them
 */
export function analyseLifetime(ctx: StudyContext, plan: StudyPlan, plans: readonly PlanFigures[]): LifetimeAnalysis {
  const spec = ctx.spec as LifetimeStudySpec;
  const l = spec.lifetime;
  const from = spec.years.from;
  const byId = new Map(plans.map((p) => [p.id, p]));
  const keepGroups = plan.plans.find((p) => p.values.option === "keep")!.groups;
  const subject = keepGroups.find((g) => g.id === l.group)!;
  const sitesOfGroups = new Map(plan.plans.flatMap((p) => p.groups.map((g) => [g.id, g.site] as const)));
  const perNode = plan.perNode.get(subject.type)!;
  const successor = plan.perNode.get(l.successor.type)!;

  const comparisons: LifetimeComparison[] = [];
  for (const p of plans) {
    if (p.values.option === "keep") continue;
    const r = p.values.rebound ?? 0;
    const load = p.values.load ?? 1;
    const keep = byId.get(`keep|rebound=${r}|load=${load}`)!;
    const m = Number(p.values.option.slice("replace-".length));
    const after = (x: PlanFigures) => x.years.filter((y) => y.year >= m);
    const [k2, r2] = [after(keep), after(p)];
    const keepSubjectYears = keep.years.filter((y) => y.year - from >= subject.from && y.year - from < subject.until);
    const subjectUse = (id: string) => sum(keepSubjectYears, (y) => groupUse(y, subject.id, subject.site, sitesOfGroups)?.[id] ?? 0);
    const delta: Record<string, LifetimeComparison["delta"][string]> = {};
    const footnote33: Record<string, Footnote33> = {};
    const breaks: Record<string, Omit<BreakEven, "utilisation">> = {};
    const t2 = spec.years.to - m + 1;
    for (const { id, index } of INDICATORS) {
      const dE = sum(p.years, (y) => embodiedTotal(y, id)) - sum(keep.years, (y) => embodiedTotal(y, id));
      const b1t2 = sum(k2, (y) => y.use[id]);
      const b2t2 = sum(r2, (y) => y.use[id]);
      const dTotal = p.totals.total[id] - keep.totals.total[id];
      delta[id] = { embodied: dE, use: p.totals.use[id] - keep.totals.use[id], total: dTotal, relative: ratio(dTotal, keep.totals.total[id]) };
      let aOld = 0;
      for (let ph = 0; ph < N_PHASES; ph++) if (ph !== PHASE_INDEX.use) aOld += subject.count * perNode.totals[ph * N_COORDS + index];
      const b1all = subjectUse(id);
      footnote33[id] = { a: dE, b1_t2: b1t2, b2_t2p: b2t2, replacing_pays: b1t2 > dE + b2t2, keeping_saves: dE + b2t2 - b1t2, a_old: aOld, b1_t1_t2: b1all, fabrication_dominates: aOld > b1all, embodied_basis: { replaced: perNode.basis[id], successor: successor.basis[id] } };
      const perKwh = ratio(b1t2, sum(k2, (y) => y.energy_facility_kwh));
      const yearsInService = keepSubjectYears.length;
      breaks[id] = breakEven(dE, b2t2 - b1t2, perKwh, t2 > 0 ? (b1t2 - b2t2) / t2 : null, b1all > 0 && yearsInService > 0 ? aOld / (b1all / yearsInService) : null);
    }
    const mean = (ys: readonly YearFigures[], f: (y: YearFigures) => number) => (ys.length > 0 ? sum(ys, f) / ys.length : 0);
    const wait = (ys: readonly YearFigures[]) => {
      const jobs = sum(ys, (y) => y.jobs);
      return jobs > 0 ? sum(ys, (y) => y.jobs * y.mean_wait_s) / jobs : 0;
    };
    comparisons.push({
      option: p.values.option,
      replace_at: m,
      rebound: r,
      load,
      keep: keep.id,
      replace: p.id,
      t1_years: m - from,
      t2_years: t2,
      delta,
      delta_single_score_pt: p.totals.single_score_pt.total - keep.totals.single_score_pt.total,
      delta_other_rule: Object.fromEntries(ids.map((id) => [id, p.totals.use[id] + p.totals.embodied_other_rule[id] - keep.totals.use[id] - keep.totals.embodied_other_rule[id]])),
      footnote33,
      break_even: Object.fromEntries(ids.map((id) => [id, { ...breaks[id], utilisation: null }])),
      from_replacement: {
        jobs: { keep: sum(k2, (y) => y.jobs), replace: sum(r2, (y) => y.jobs) },
        mean_wait_s: { keep: wait(k2), replace: wait(r2) },
        utilisation: { keep: mean(k2, (y) => y.utilisation), replace: mean(r2, (y) => y.utilisation) },
        energy_facility_kwh: { keep: sum(k2, (y) => y.energy_facility_kwh), replace: sum(r2, (y) => y.energy_facility_kwh) },
      },
    });
  }
  // Utilisation break-even: across the loads of one (replace year, rebound).
  const out = comparisons.map((c) => {
    const same = comparisons.filter((x) => x.replace_at === c.replace_at && x.rebound === c.rebound).sort((a, b) => a.from_replacement.utilisation.keep - b.from_replacement.utilisation.keep);
    if (same.length < 2) return c;
    const be = { ...c.break_even };
    for (const id of ids) be[id] = { ...be[id], utilisation: signChange(same.map((x) => [x.from_replacement.utilisation.keep, x.delta[id].total] as const)) };
    return { ...c, break_even: be };
  });
  const replacing_pays = Object.fromEntries(ids.map((id) => [id, { pays: out.filter((c) => c.footnote33[id].replacing_pays).length, of: out.length, embodied_basis: { replaced: perNode.basis[id], successor: successor.basis[id] } }]));
  return { group: subject.id, group_nodes: subject.count, group_type: subject.type, successor: l.successor, keep_years: l.keep_years ?? null, comparisons: out, replacing_pays };
}

/** The x at which y changes sign between consecutive points (linear), or null. */
export function signChange(points: readonly (readonly [number, number])[]): number | null {
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1];
    const [x1, y1] = points[i];
    if (y0 === 0) return x0;
    if ((y0 < 0) !== (y1 < 0) && x1 !== x0) return x0 + ((0 - y0) * (x1 - x0)) / (y1 - y0);
  }
  const last = points[points.length - 1];
  return last && last[1] === 0 ? last[0] : null;
}
