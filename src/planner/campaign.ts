/**
 * Campaign planning: allocate the node-hours of a campaign (per job class, each with a
 * release and a deadline slot and the sites where it can run) to sites and time slots so
 * that the forecast impact is least. The live planner uses the plan as a target. Pure
 * functions over plain data: no clock (callers may pass one to time the solve), no
 * randomness, no I/O.
 *
 * The LP (planCampaign, solved by javascript-lp-solver's simplex):
 *   variables x[c,s,t] >= 0, node-hours of class c at site s in slot t, one for each
 *     release(c) <= t < deadline(c) and each site with nodes > 0 where class c can run;
 *   minimise   sum x[c,s,t] * cost[c,s,t],
 *     cost[c,s,t] = watts[c][s] * pue[s] * intensity[s][t] * 3600 s + embodied[s]
 *     (impact per node-hour, nodeHourCost: the accountant's use phase over an hour of
 *     the slot's intensity, models/charge.ts, plus embodied impact per node-hour);
 *   subject to sum over (s,t) of x[c,s,t] = nodeHours[c]            (one row per class)
 *              sum over c of x[c,s,t] <= nodes[s] * slotSeconds/3600  (one row per cell).
 * This is a transportation problem (classes supply node-hours, cells have capacity), so it
 * is also a min-cost flow; see bench/campaign.ts for what size the simplex reaches.
 *
 * For one class the greedy (cheapest cells first) is exact: with a single demand row and
 * unit coefficients the LP is a fractional knapsack of unit weight. With several classes it
 * is a baseline, and may fail where the LP succeeds.
 */
import solver, { type LpModel } from "javascript-lp-solver";
import { ExactSum } from "../core/index.js";
import { useImpact } from "../models/index.js";

/** A class of work in a campaign. */
export interface CampaignClass {
  readonly name: string;
  readonly nodeHours: number;
  /** earliest slot index and deadline slot (exclusive) */
  readonly release: number;
  readonly deadline: number;
  /** node draw when busy, W, per site (Infinity/undefined where it can't run; may be shorter than sites) */
  readonly wattsPerSite: readonly number[];
}

/** A campaign: sites, slots, forecast intensity per site and slot, and the classes of work. */
export interface CampaignProblem {
  readonly sites: readonly { readonly id: string; readonly nodes: number; readonly pue: number }[];
  /** Length of a slot, s (e.g. 3600). */
  readonly slotSeconds: number;
  /** Number of slots (e.g. 24*28). */
  readonly slots: number;
  /** forecast intensity per site and slot, kg CO2e (or any impact unit) per joule: intensity[site][slot] */
  readonly intensity: readonly (readonly number[])[];
  readonly classes: readonly CampaignClass[];
  /** optional embodied impact per node-hour per site (counted for allocated node-hours) */
  readonly embodiedPerNodeHour?: readonly number[];
}

/** A plan, or why there is none. */
export interface CampaignPlan {
  readonly feasible: boolean;
  /** Total impact of the allocation (0 when infeasible), in the unit of intensity times J. */
  readonly impact: number;
  /** node-hours of class c at site s in slot t: alloc[c][s][t] (all zero when infeasible) */
  readonly alloc: number[][][];
  /** Milliseconds spent in the solver, when a clock was given. */
  readonly solveMs?: number;
  /** Size of the LP: variables x[c,s,t], and rows (one per class with work, one per usable cell). */
  readonly variables: number;
  readonly constraints: number;
  /** Why the plan is infeasible. */
  readonly reason?: string;
}

export interface CampaignOptions {
  /** Clock in ms (e.g. performance.now) used only to fill `solveMs`. */
  readonly clock?: () => number;
}

/** One LP column: class, site, slot and impact per node-hour. */
interface Cell {
  readonly c: number;
  readonly s: number;
  readonly t: number;
  readonly cost: number;
}

/** Validated problem with the LP's columns, cell capacities and the rows' count. */
interface Prepared {
  readonly cells: readonly Cell[];
  /** Node-hours per slot, per site. */
  readonly cap: readonly number[];
  readonly constraints: number;
  /** Reason the problem is infeasible on its face (a class without room), if so. */
  readonly reason?: string;
}

/**
 * Tolerance of the simplex (pivots, reduced costs) and the rounding of its values. Its
 * default, 1e-8, stops up to ~1e-8 (relative) short of the optimum on random campaigns;
 * 1e-12 lands within ~2e-12 of an exact min-cost flow at the same speed. The constraint
 * matrix is 0/1 (a transportation problem), so pivots stay well away from the tolerance.
 */
const LP_PRECISION = 1e-12;

/**
 * Plans a campaign by linear programming: the allocation of least impact that does every
 * class's node-hours within its window at sites where it can run, within each site's nodes.
 * @throws RangeError naming the field and the value when the problem is malformed
 */
export function planCampaign(p: CampaignProblem, options: CampaignOptions = {}): CampaignPlan {
  const prep = prepareCampaign(p, "planCampaign");
  const size = { variables: prep.cells.length, constraints: prep.constraints };
  if (prep.reason !== undefined) return infeasible(p, size, prep.reason);
  if (prep.cells.length === 0) return { feasible: true, impact: 0, alloc: emptyAlloc(p), ...size };

  // Scale for the solver's absolute tolerances (LP_PRECISION): costs to at most 1 in magnitude,
  // node-hours by the power of two nearest the largest cell (exact). The impact is
  // recomputed from the unscaled plan.
  let costScale = 0;
  for (const cell of prep.cells) costScale = Math.max(costScale, Math.abs(cell.cost));
  if (costScale === 0) costScale = 1;
  const qScale = 2 ** Math.round(Math.log2(Math.max(...prep.cap)));
  const constraints: Record<string, { equal?: number; max?: number }> = {};
  const variables: Record<string, Record<string, number>> = {};
  p.classes.forEach((k, c) => {
    if (k.nodeHours > 0) constraints[`d${c}`] = { equal: k.nodeHours / qScale };
  });
  prep.cells.forEach(({ c, s, t, cost }, i) => {
    constraints[`k${s}_${t}`] ??= { max: prep.cap[s] / qScale };
    variables[`x${i}`] = { impact: cost / costScale, [`d${c}`]: 1, [`k${s}_${t}`]: 1 };
  });
  const model: LpModel = { optimize: "impact", opType: "min", constraints, variables };

  const t0 = options.clock?.();
  const result = solver.Solve(model, LP_PRECISION);
  const solveMs = t0 === undefined ? undefined : options.clock!() - t0;
  const timed = solveMs === undefined ? size : { ...size, solveMs };
  if (!result.feasible) {
    return infeasible(p, timed, "the classes together need more node-hours than the sites hold in their windows (LP infeasible)");
  }
  const alloc = emptyAlloc(p);
  prep.cells.forEach(({ c, s, t }, i) => {
    const v = result[`x${i}`];
    if (typeof v === "number" && v > 0) alloc[c][s][t] = v * qScale;
  });
  const violation = checkAlloc(p, prep.cap, alloc, 1e-6);
  if (violation !== undefined) return infeasible(p, timed, `the solver returned a plan that breaks a constraint (${violation})`);
  polish(p, prep, alloc);
  return { feasible: true, impact: impactOf(prep.cells, alloc), alloc, ...timed };
}

/**
 * Greedy lower-effort baseline: fills the cleanest feasible (site, slot) cells first per
 * class in deadline order (ties: earlier release, then class index; cells by cost, then
 * slot, then site); for comparison and as a fallback for sizes the LP can't handle. Exact
 * for a single class; with several it may use up capacity that a later class needed.
 * @throws RangeError naming the field and the value when the problem is malformed
 */
export function planCampaignGreedy(p: CampaignProblem): CampaignPlan {
  const prep = prepareCampaign(p, "planCampaignGreedy");
  const size = { variables: prep.cells.length, constraints: prep.constraints };
  if (prep.reason !== undefined) return infeasible(p, size, prep.reason);
  const free = p.sites.map((_, s) => new Array<number>(p.slots).fill(prep.cap[s]));
  const byClass: Cell[][] = p.classes.map(() => []);
  for (const cell of prep.cells) byClass[cell.c].push(cell);
  const order = p.classes.map((_, c) => c);
  order.sort((a, b) => p.classes[a].deadline - p.classes[b].deadline || p.classes[a].release - p.classes[b].release || a - b);
  const alloc = emptyAlloc(p);
  for (const c of order) {
    const need = p.classes[c].nodeHours;
    let left = need;
    const cells = byClass[c].sort((a, b) => a.cost - b.cost || a.t - b.t || a.s - b.s);
    for (const { s, t } of cells) {
      if (left <= 0) break;
      const x = Math.min(left, free[s][t]);
      if (x <= 0) continue;
      alloc[c][s][t] += x;
      free[s][t] -= x;
      left -= x;
    }
    if (left > need * 1e-12) {
      const name = JSON.stringify(p.classes[c].name);
      const placed = need - left;
      return infeasible(p, size, `greedy: class ${name} could place only ${placed} of ${need} node-hours; classes placed before it took the room (the LP may still find a plan)`);
    }
  }
  return { feasible: true, impact: impactOf(prep.cells, alloc), alloc, ...size };
}

/** Checks the problem, lists the LP's columns and finds classes that cannot fit on their own. */
function prepareCampaign(p: CampaignProblem, fn: string): Prepared {
  const bad = (path: string, expected: string, value: unknown): never => {
    throw new RangeError(`${fn}: ${path}: expected ${expected}, got ${typeof value === "string" ? JSON.stringify(value) : String(value)}`);
  };
  const isInt = (v: number) => Number.isInteger(v) && v >= 0;
  if (!(Number.isFinite(p.slotSeconds) && p.slotSeconds > 0)) bad("slotSeconds", "seconds > 0", p.slotSeconds);
  if (!(isInt(p.slots) && p.slots > 0)) bad("slots", "an integer > 0", p.slots);
  if (p.sites.length === 0) bad("sites.length", "at least 1", 0);
  p.sites.forEach((site, s) => {
    if (!isInt(site.nodes)) bad(`sites[${s}].nodes`, "an integer >= 0", site.nodes);
    if (!(Number.isFinite(site.pue) && site.pue >= 1)) bad(`sites[${s}].pue`, "a finite number >= 1", site.pue);
  });
  if (p.intensity.length !== p.sites.length) bad("intensity.length", `one row per site (${p.sites.length})`, p.intensity.length);
  p.intensity.forEach((row, s) => {
    if (row.length !== p.slots) bad(`intensity[${s}].length`, `one value per slot (${p.slots})`, row.length);
    for (let t = 0; t < p.slots; t++) if (!Number.isFinite(row[t])) bad(`intensity[${s}][${t}]`, "a finite number", row[t]);
  });
  const embodied = p.embodiedPerNodeHour ?? p.sites.map(() => 0);
  if (embodied.length !== p.sites.length) bad("embodiedPerNodeHour.length", `one value per site (${p.sites.length})`, embodied.length);
  for (let s = 0; s < p.sites.length; s++) {
    if (!(Number.isFinite(embodied[s]) && embodied[s] >= 0)) bad(`embodiedPerNodeHour[${s}]`, "a finite number >= 0", embodied[s]);
  }
  const cap = p.sites.map((site) => (site.nodes * p.slotSeconds) / 3600);
  const cells: Cell[] = [];
  const usedCell = new Set<number>();
  let rows = 0;
  let reason: string | undefined;
  p.classes.forEach((k, c) => {
    const at = `classes[${c}]`;
    if (!(Number.isFinite(k.nodeHours) && k.nodeHours >= 0)) bad(`${at}.nodeHours`, "a finite number >= 0", k.nodeHours);
    if (!(isInt(k.release) && k.release <= p.slots)) bad(`${at}.release`, `an integer in [0, slots=${p.slots}]`, k.release);
    if (!(isInt(k.deadline) && k.deadline >= k.release && k.deadline <= p.slots)) {
      bad(`${at}.deadline`, `an integer in [release=${k.release}, slots=${p.slots}]`, k.deadline);
    }
    if (k.wattsPerSite.length > p.sites.length) bad(`${at}.wattsPerSite.length`, `at most one value per site (${p.sites.length})`, k.wattsPerSite.length);
    let room = 0;
    for (let s = 0; s < p.sites.length; s++) {
      const w = k.wattsPerSite[s];
      if (w === undefined || w === Infinity) continue;
      if (!(Number.isFinite(w) && w >= 0)) bad(`${at}.wattsPerSite[${s}]`, "W >= 0, or Infinity where the class cannot run", w);
      if (cap[s] === 0 || k.nodeHours === 0) continue;
      for (let t = k.release; t < k.deadline; t++) {
        cells.push({ c, s, t, cost: nodeHourCost(w, p.sites[s].pue, p.intensity[s][t], embodied[s]) });
        usedCell.add(s * p.slots + t);
        room += cap[s];
      }
    }
    if (k.nodeHours > 0) rows++;
    if (reason === undefined && k.nodeHours > room * (1 + 1e-12)) {
      const name = JSON.stringify(k.name);
      reason =
        room === 0
          ? `class ${name} needs ${k.nodeHours} node-hours but has no slot in [${k.release}, ${k.deadline}) at a site with nodes where it can run`
          : `class ${name} needs ${k.nodeHours} node-hours but its window [${k.release}, ${k.deadline}) holds at most ${room}`;
    }
  });
  const prep = { cells, cap, constraints: rows + usedCell.size };
  return reason === undefined ? prep : { ...prep, reason };
}

/**
 * Impact of one node-hour drawing `watts` at a site of PUE `pue` and intensity
 * `intensity` per joule, plus `embodied` per node-hour: the accountant's use
 * phase (models/charge useImpact) over an hour's intensity integral.
 */
export function nodeHourCost(watts: number, pue: number, intensity: number, embodied = 0): number {
  return useImpact(watts, pue, intensity * 3600) + embodied;
}

function emptyAlloc(p: CampaignProblem): number[][][] {
  return p.classes.map(() => p.sites.map(() => new Array<number>(p.slots).fill(0)));
}

function infeasible(p: CampaignProblem, size: { variables: number; constraints: number; solveMs?: number }, reason: string): CampaignPlan {
  return { feasible: false, impact: 0, alloc: emptyAlloc(p), ...size, reason };
}

/**
 * Repairs the solver's rounding (it rounds values to LP_PRECISION of its units): scales each cell
 * down to its capacity, then gives each class exactly its node-hours by adding in its
 * cheapest cells with room or taking from its dearest ones.
 */
function polish(p: CampaignProblem, prep: Prepared, alloc: number[][][]): void {
  const used = p.sites.map(() => new Array<number>(p.slots).fill(0));
  for (let s = 0; s < p.sites.length; s++) {
    for (let t = 0; t < p.slots; t++) {
      let u = 0;
      for (let c = 0; c < p.classes.length; c++) u += alloc[c][s][t];
      if (u > prep.cap[s]) {
        const f = prep.cap[s] / u;
        for (let c = 0; c < p.classes.length; c++) alloc[c][s][t] *= f;
        u = prep.cap[s];
      }
      used[s][t] = u;
    }
  }
  const byClass: Cell[][] = p.classes.map(() => []);
  for (const cell of prep.cells) byClass[cell.c].push(cell);
  byClass.forEach((cells, c) => {
    cells.sort((a, b) => a.cost - b.cost || a.t - b.t || a.s - b.s);
    const sum = new ExactSum();
    for (const { s, t } of cells) if (alloc[c][s][t] !== 0) sum.add(alloc[c][s][t]);
    let d = p.classes[c].nodeHours - sum.valueOf();
    for (let i = 0; d > 0 && i < cells.length; i++) {
      const { s, t } = cells[i];
      const x = Math.min(d, prep.cap[s] - used[s][t]);
      if (x <= 0) continue;
      alloc[c][s][t] += x;
      used[s][t] += x;
      d -= x;
    }
    for (let i = cells.length - 1; d < 0 && i >= 0; i--) {
      const { s, t } = cells[i];
      const x = Math.min(-d, alloc[c][s][t]);
      alloc[c][s][t] -= x;
      used[s][t] -= x;
      d += x;
    }
  });
}

/** Exact sum of allocation times cost over the LP's columns. */
function impactOf(cells: readonly Cell[], alloc: readonly (readonly (readonly number[])[])[]): number {
  const sum = new ExactSum();
  for (const { c, s, t, cost } of cells) if (alloc[c][s][t] !== 0) sum.add(alloc[c][s][t] * cost);
  return sum.valueOf();
}

/** The first broken constraint (relative tolerance `tol`), or undefined. */
function checkAlloc(p: CampaignProblem, cap: readonly number[], alloc: readonly (readonly (readonly number[])[])[], tol: number): string | undefined {
  for (let c = 0; c < p.classes.length; c++) {
    const sum = new ExactSum();
    for (const row of alloc[c]) for (const x of row) if (x !== 0) sum.add(x);
    const need = p.classes[c].nodeHours;
    if (Math.abs(sum.valueOf() - need) > tol * Math.max(1, need)) return `class ${JSON.stringify(p.classes[c].name)}: ${sum.valueOf()} of ${need} node-hours`;
  }
  for (let s = 0; s < p.sites.length; s++) {
    for (let t = 0; t < p.slots; t++) {
      let used = 0;
      for (let c = 0; c < p.classes.length; c++) used += alloc[c][s][t];
      if (used > cap[s] * (1 + tol) + tol) return `site ${JSON.stringify(p.sites[s].id)} slot ${t}: ${used} > ${cap[s]} node-hours`;
    }
  }
  return undefined;
}
