/**
 * A fleet over years (issue 16): node groups that enter and leave service at
 * year boundaries, what each year's fleet is, how much it can compute, and how
 * its embodied impacts (fabrication, transport, end of life) are charged to the
 * years. Years are indices 0 .. horizon - 1 here; the study planner maps them
 * to calendar years.
 *
 * Embodied charges, per group (`FleetEmbodiedRule`):
 * - "purchase": the whole embodied impacts in the year the group is bought,
 *   the accounting of SPECTRUM D6.1's footnote 33 (a fabrication is paid once,
 *   when it happens). The fleet in service in the first year is bought then.
 * - "amortised": straight-line over the node type's declared lifetime while in
 *   service (nothing past it, as the "paid" rule of embodied.ts); a group
 *   retired before the end of its life is charged the rest in the year it
 *   leaves (no one else uses it); what is left when the horizon ends is not
 *   charged (it belongs to the years after).
 */
import { Basis, INDICATORS, N_COORDS, N_PHASES, PHASE_INDEX } from "../core/index.js";
import { yearsToSeconds } from "../core/index.js";
import type { NodeTypeSpec, PlatformSpec, PowerSpec } from "../io/index.js";
import { embodiedPerNodeSecond, embodiedShare } from "./embodied.js";
import { buildNodeTypes } from "./nodeType.js";
import { powerCurveFromSpec } from "./power.js";

/** A group of identical nodes over its time in service. */
export interface FleetGroup {
  readonly id: string;
  readonly site: string;
  readonly type: string;
  readonly count: number;
  /** First year in service (index). */
  readonly from: number;
  /** First year out of service (index); the horizon when kept to its end. */
  readonly until: number;
  /** The group this one replaced. */
  readonly replaces?: string;
}

/** A change of the fleet at the start of a year (index). */
export type FleetEvent =
  | { readonly year: number; readonly add: { readonly id: string; readonly site: string; readonly type: string; readonly count: number } }
  | { readonly year: number; readonly retire: string }
  | { readonly year: number; readonly replace: string; readonly with: { readonly id: string; readonly type: string; readonly count: number } };

/** A problem with one event, as data (the caller knows the event's JSON path). */
export interface FleetProblem {
  /** Index of the event in the list given. */
  readonly event: number;
  readonly message: string;
}

/**
 * The groups of a platform, named "site/type" ("site/type/2" for the second
 * group of that type on that site), in file order.
 */
export function platformGroups(spec: PlatformSpec): { id: string; site: string; type: string; count: number }[] {
  const out: { id: string; site: string; type: string; count: number }[] = [];
  for (const site of spec.sites) {
    const seen = new Map<string, number>();
    for (const g of site.nodes) {
      const k = (seen.get(g.type) ?? 0) + 1;
      seen.set(g.type, k);
      out.push({ id: k === 1 ? `${site.id}/${g.type}` : `${site.id}/${g.type}/${k}`, site: site.id, type: g.type, count: g.count });
    }
  }
  return out;
}

/**
 * The fleet's groups over a horizon: the initial groups from year 0, changed by
 * `events` (applied in list order, each at the start of its year).
 * Problems (an unknown or retired group, a name used twice, a year outside
 * the horizon) come back as data and the event is skipped.
 * @param horizon years, >= 1
 */
export function fleetTimeline(
  initial: readonly { id: string; site: string; type: string; count: number }[],
  events: readonly FleetEvent[],
  horizon: number,
): { groups: FleetGroup[]; problems: FleetProblem[] } {
  if (!(Number.isInteger(horizon) && horizon >= 1)) throw new RangeError(`fleetTimeline: expected a horizon of whole years >= 1, got ${horizon}`);
  const groups: { -readonly [K in keyof FleetGroup]: FleetGroup[K] }[] = initial.map((g) => ({ ...g, from: 0, until: horizon }));
  const problems: FleetProblem[] = [];
  const byId = new Map(groups.map((g) => [g.id, g]));
  const known = (id: string) => byId.get(id);
  events.forEach((e, i) => {
    if (!(Number.isInteger(e.year) && e.year >= 0 && e.year < horizon)) {
      problems.push({ event: i, message: `expected a year of the horizon, got year index ${e.year}` });
      return;
    }
    const fresh = (id: string) => {
      if (!byId.has(id)) return true;
      problems.push({ event: i, message: `expected a new group name, got "${id}", which already exists` });
      return false;
    };
    if ("add" in e) {
      if (fresh(e.add.id)) {
        const g = { ...e.add, from: e.year, until: horizon };
        groups.push(g);
        byId.set(g.id, g);
      }
      return;
    }
    const id = "retire" in e ? e.retire : e.replace;
    const g = known(id);
    if (!g) {
      problems.push({ event: i, message: `expected a group of the fleet (${[...byId.keys()].join(", ")}), got "${id}"` });
      return;
    }
    if (!(g.from <= e.year && e.year < g.until) || e.year === g.from) {
      const why = e.year < g.from || e.year === g.from ? `it enters service in year index ${g.from}` : `it left service in year index ${g.until}`;
      problems.push({ event: i, message: `expected "${id}" in service before and in that year, got ${why}` });
      return;
    }
    g.until = e.year;
    if ("replace" in e && fresh(e.with.id)) {
      const n = { id: e.with.id, site: g.site, type: e.with.type, count: e.with.count, from: e.year, until: horizon, replaces: g.id };
      groups.push(n);
      byId.set(n.id, n);
    }
  });
  return { groups, problems };
}

/** The groups in service in year `y`, in the timeline's order. */
export function fleetInYear(groups: readonly FleetGroup[], y: number): FleetGroup[] {
  return groups.filter((g) => g.from <= y && y < g.until);
}

/** Compute capacity: nodes x cores x speed (core-equivalents of the reference machine of run times). */
export function fleetCapacity(groups: readonly { type: string; count: number }[], types: Readonly<Record<string, NodeTypeSpec>>): number {
  let c = 0;
  for (const g of groups) {
    const t = types[g.type];
    if (!t) throw new RangeError(`fleetCapacity: unknown node type "${g.type}"`);
    c += g.count * t.cores * (t.speed ?? 1);
  }
  return c;
}

export type FleetEmbodiedRule = "purchase" | "amortised";
export const FLEET_EMBODIED_RULES: readonly FleetEmbodiedRule[] = ["purchase", "amortised"];

/**
 * Whole-life embodied impacts of one node of each type (accelerators included),
 * N_PHASES x N_COORDS phase-major, the use phase 0: the per-second rate the
 * runs charge times the declared lifetime, so studies and runs use one figure.
 * @throws InputError on node types the models refuse (unknown parts)
 */
export async function embodiedPerNode(spec: PlatformSpec, file: string): Promise<Map<string, NodeEmbodied>> {
  const built = await buildNodeTypes(spec, { file });
  const out = new Map<string, NodeEmbodied>();
  for (const [name, type] of Object.entries(spec.node_types)) {
    const life = yearsToSeconds(type.embodied.lifetime_years);
    const node = built.get(name)!.embodied;
    const totals = node.perPhase.map((x) => x * life);
    const basis = Uint8Array.from(node.basis);
    for (const acc of [type.gpus, type.fpgas]) {
      if (!acc?.embodied) continue;
      const dev = embodiedPerNodeSecond({ ...type, embodied: acc.embodied }, spec.lca_references);
      const devLife = yearsToSeconds(acc.embodied.lifetime_years);
      for (let i = 0; i < totals.length; i++) {
        totals[i] += acc.count * dev.perPhase[i] * devLife;
        basis[i] = Math.max(basis[i], dev.basis[i]);
      }
    }
    // Worst basis over the embodied phases: a figure is only as good as its weakest part.
    const byIndicator: Record<string, EmbodiedBasis> = {};
    for (const { id, index: c } of INDICATORS) {
      let b = 0;
      for (let p = 0; p < N_PHASES; p++) if (p !== PHASE_INDEX.use) b = Math.max(b, basis[p * N_COORDS + c]);
      byIndicator[id] = b === Basis.Missing ? "missing" : b === Basis.Proxy ? "proxy" : "data";
    }
    out.set(name, { totals, lifetimeYears: type.embodied.lifetime_years, basis: byIndicator });
  }
  return out;
}

/** Whether an indicator's embodied figure is data, a proxy, or missing (counted as 0). */
export type EmbodiedBasis = "data" | "proxy" | "missing";

/** One node's whole-life embodied impacts, its declared lifetime and the basis of each indicator's figure. */
export interface NodeEmbodied {
  /** N_PHASES x N_COORDS, phase-major, the use phase 0. */
  readonly totals: Float64Array;
  readonly lifetimeYears: number;
  readonly basis: Readonly<Record<string, EmbodiedBasis>>;
}

/**
 * What a group is charged of its embodied impacts in each year of the horizon
 * (see the module comment), N_PHASES x N_COORDS phase-major per year.
 * @param perNode whole-life embodied impacts of one node
 * @param lifetimeYears its declared lifetime, > 0 (amortised rule)
 * @throws RangeError on a lifetime that is not > 0 or a vector of the wrong length
 */
export function embodiedByYear(group: FleetGroup, perNode: ArrayLike<number>, lifetimeYears: number, rule: FleetEmbodiedRule, horizon: number): Float64Array[] {
  if (perNode.length !== N_PHASES * N_COORDS) throw new RangeError(`embodiedByYear: expected ${N_PHASES * N_COORDS} figures, got ${perNode.length}`);
  if (!(lifetimeYears > 0 && Number.isFinite(lifetimeYears))) throw new RangeError(`embodiedByYear: expected lifetime_years > 0, got ${lifetimeYears}`);
  const years = Array.from({ length: horizon }, () => new Float64Array(N_PHASES * N_COORDS));
  const add = (y: number, share: number) => {
    if (share === 0 || y < 0 || y >= horizon) return;
    for (let p = 0; p < N_PHASES; p++) {
      if (p === PHASE_INDEX.use) continue;
      for (const { index: c } of INDICATORS) years[y][p * N_COORDS + c] += group.count * share * perNode[p * N_COORDS + c];
    }
  };
  if (rule === "purchase") add(group.from, 1);
  else if (rule === "amortised") {
    let charged = 0;
    for (let y = group.from; y < group.until; y++) {
      const share = embodiedShare(y - group.from, 1, lifetimeYears, "paid");
      add(y, share);
      charged += share;
    }
    // Retired early: the rest of its life is charged when it leaves (the horizon's rest is not).
    if (group.until < horizon && charged < 1) add(group.until, 1 - charged);
  } else throw new RangeError(`embodiedByYear: expected a rule (${FLEET_EMBODIED_RULES.join(", ")}), got ${JSON.stringify(rule)}`);
  return years;
}

/** The value of a measured curve as u -> 0+ and its breakpoints in (0, 1]. */
function curvePoints(p: PowerSpec): { epsilon: number; us: number[] } {
  const pts = p.curve_w ?? [];
  const epsilon = pts.length > 0 && pts[0][0] === 0 ? pts[0][1] : p.idle_w;
  return { epsilon, us: pts.length > 0 ? pts.map(([u]) => u).filter((u) => u > 0) : [1] };
}

/**
 * A GPU node as the CPU-only jobs of a trace see it (growth studies): the jobs
 * that can use GPUs run `speedup` times faster (its speed), and the node draws
 * its CPUs' curve plus its GPUs loaded as its cores are (each GPU's curve at the
 * node's utilisation, over its idle draw, which the GPUs keep adding as devices).
 * Embodied impacts are the node's and its GPUs', unchanged.
 * A reduced model for traces that carry no GPU run times; its assumptions are
 * written into the power source.
 * @throws RangeError when the node type has no GPUs, or a CPU or GPU power that is not a measured curve
 */
export function gpuNodeForCpuJobs(type: NodeTypeSpec, speedup: number, source: string): NodeTypeSpec {
  if (!(speedup > 0 && Number.isFinite(speedup))) throw new RangeError(`gpuNodeForCpuJobs: expected a speedup > 0, got ${speedup}`);
  const gpus = type.gpus;
  if (!gpus) throw new RangeError("gpuNodeForCpuJobs: expected a node type with gpus, got none");
  if ("profile" in type.power) throw new RangeError("gpuNodeForCpuJobs: expected a measured CPU power (idle_w and curve_w or max_w), got a power profile");
  const cpu = type.power;
  const cpuCurve = powerCurveFromSpec(cpu);
  const gpuCurve = powerCurveFromSpec(gpus.power);
  const a = curvePoints(cpu);
  const b = curvePoints(gpus.power);
  const us = [...new Set([...a.us, ...b.us, 1])].sort((x, y) => x - y);
  const extra = (u: number) => gpus.count * (gpuCurve(u) - gpus.power.idle_w);
  const curve: [number, number][] = us.map((u) => [u, cpuCurve(u) + extra(u)]);
  const epsilon = a.epsilon + gpus.count * (b.epsilon - gpus.power.idle_w);
  if (epsilon !== cpu.idle_w) curve.unshift([0, epsilon]);
  // Two linear curves sum to a linear one: a single point at u = 1 is its max_w (curve_w needs two points).
  const shape = curve.length >= 2 ? { curve_w: curve } : { max_w: curve[0][1] };
  return {
    ...type,
    speed: (type.speed ?? 1) * speedup,
    speed_source: source,
    power: {
      idle_w: cpu.idle_w,
      ...shape,
      source: `${cpu.source}; plus ${gpus.count} x ${gpus.model} loaded as the node's cores are (${gpus.power.source}): a GPU node seen by CPU-only trace jobs, an assumption of the growth study`,
    },
  };
}
