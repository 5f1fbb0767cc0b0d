/**
 * A study expanded into plans (one per option and parameter), each a fleet
 * timeline over the horizon with, per year, the work it gets, its embodied
 * charges and the simulations whose figures make that year. Simulations are
 * plain data (`StudyRun`), keyed by their content, so a year that two plans
 * share (the years before a replacement, a keep plan under several rebound
 * values) is simulated once.
 *
 * A year's simulation is one year of arrivals: the base scenario's workload
 * repeated back to back (one copy every P seconds, P its span of submissions
 * or period_days) for 365 days at the year's workload factor w (growth x load
 * x rebound: w times as many arrivals), on the fleet in service that year, on
 * that year's grid, run until its last job ends. Its figures are the year's.
 *
 * Grid per site and year: the platform's (factor 1), a factor on its carbon
 * intensity (change_per_year compounded from the first year, or factors), a
 * series file per year, or another zone's static factors. Factors act on
 * climate change only: the other categories' per-kWh figures stay the zone's.
 *
 * Rebound (lifetime studies): the successor's extra capacity invites work:
 * w = base x (1 + r x max(0, C / C_ref - 1)), C the plan's compute capacity
 * that year (nodes x cores x speed) and C_ref the reference plan's.
 */
import { createHash } from "node:crypto";
import { InputError, type Issue, N_COORDS, N_PHASES } from "../../core/index.js";
import { jsonIssue, resolveFrom, type FleetEventSpec, type GrowthOptionSpec } from "../../io/index.js";
import { embodiedByYear, embodiedPerNode, fleetCapacity, fleetInYear, fleetTimeline, platformGroups, type FleetEmbodiedRule, type NodeEmbodied, type FleetEvent, type FleetGroup } from "../../models/index.js";
import { neededEnd, type StudyContext } from "./context.js";

/** The grid of one site in one year's simulation. */
export interface GridChoice {
  /** Static factors of this zone instead of the platform's grid. */
  readonly zone?: string;
  /** Factor on the carbon intensity (1: as given). */
  readonly factor: number;
  /** A series file (absolute path) replacing the platform's series. */
  readonly file?: string;
}

/** One simulation: plain data, keyed by its content. */
export interface StudyRun {
  readonly key: string;
  /** Node groups in service (site, type, count), in fleet order. */
  readonly groups: readonly { readonly site: string; readonly type: string; readonly count: number }[];
  /** Arrivals scaled by this factor (runScenario's workloadScale). */
  readonly scale: number;
  /** Per site with nodes. */
  readonly grid: Readonly<Record<string, GridChoice>>;
  /** Part of a year split between a CPU fleet and a GPU partition (growth studies): which jobs and what speedup. */
  readonly part?: {
    readonly kind: "cpu" | "gpu";
    readonly share: number;
    readonly seed: number;
    readonly speedup: number;
    readonly source: string;
    /** Jobs asking for more cores than the GPU partition's largest group holds stay on the CPU fleet. */
    readonly maxCores: number;
  };
}

export interface PlanYear {
  readonly year: number;
  /** Groups in service. */
  readonly groups: readonly FleetGroup[];
  readonly nodes: number;
  /** Compute capacity: nodes x cores x speed. */
  readonly capacity: number;
  /** Work relative to the base workload (growth x load x rebound). */
  readonly workload: number;
  /** The runs whose figures, summed, make the year (two with a GPU partition), each with the ids of its groups in its order. */
  readonly runs: readonly { readonly key: string; readonly groups: readonly string[] }[];
  /** Embodied charges of the year under the study's rule and under the other one, N_PHASES x N_COORDS. */
  readonly embodied: Float64Array;
  readonly embodiedOther: Float64Array;
}

export interface Plan {
  /** Unique within the study. */
  readonly id: string;
  /** The option ("keep", "replace-2023", a growth option or "reference") and its parameters. */
  readonly values: { readonly option: string; readonly rebound?: number; readonly load?: number };
  readonly groups: readonly FleetGroup[];
  readonly years: readonly PlanYear[];
}

export interface StudyPlan {
  readonly rule: FleetEmbodiedRule;
  readonly plans: readonly Plan[];
  /** Distinct simulations, in first-use order. */
  readonly runs: readonly StudyRun[];
  /** Whole-life embodied impacts per node of each type in use, and its declared lifetime. */
  readonly perNode: ReadonlyMap<string, NodeEmbodied>;
}

const hash = (x: unknown) => createHash("sha256").update(JSON.stringify(x)).digest("hex");

/** Study events with year indices and the default name of a replacing group ("site/type@year"). */
function toEvents(list: readonly FleetEventSpec[], from: number, siteOf: (group: string) => string | undefined): FleetEvent[] {
  return list.map((e) => {
    const year = e.year - from;
    if ("add" in e) return { year, add: { id: e.add.group, site: e.add.site, type: e.add.type, count: e.add.count } };
    if ("retire" in e) return { year, retire: e.retire };
    return { year, replace: e.replace, with: { id: e.with.group ?? `${siteOf(e.replace) ?? "?"}/${e.with.type}@${e.year}`, type: e.with.type, count: e.with.count } };
  });
}

/** Merges event lists in date order, keeping each list's order within a year (the reference plan's first). */
function merged(...lists: FleetEvent[][]): FleetEvent[] {
  return lists.flatMap((l, li) => l.map((e, i) => ({ e, li, i }))).sort((a, b) => a.e.year - b.e.year || a.li - b.li || a.i - b.i).map((x) => x.e);
}

/** The group an event concerns. */
const subjectOf = (e: FleetEvent) => ("add" in e ? e.add.id : "retire" in e ? e.retire : e.replace);

/**
 * Expands a study into plans and distinct runs, after checking what needs
 * the platform: groups and sites that exist, node types known, grid series
 * covering every year's simulated period.
 * @throws InputError naming the study file and the JSON path of each problem
 */
export async function planStudy(ctx: StudyContext): Promise<StudyPlan> {
  const { spec, file, years } = ctx;
  const H = years.length;
  const from = spec.years.from;
  const issues: Issue[] = [];
  const at = (path: readonly PropertyKey[], message: string, value?: unknown, code: Issue["code"] = "invalid_value") => issues.push(jsonIssue(code, file, path, message, value));
  const rule: FleetEmbodiedRule = spec.embodied?.accounting ?? "purchase";
  const other: FleetEmbodiedRule = rule === "purchase" ? "amortised" : "purchase";

  const initial = platformGroups(ctx.platform);
  const siteIds = new Set([...ctx.platform.sites.map((s) => s.id), ...(spec.sites ?? []).map((s) => s.id)]);
  const siteOfGroup = new Map(initial.map((g) => [g.id, g.site]));
  const checkAdd = (list: readonly FleetEventSpec[], path: PropertyKey[]) =>
    list.forEach((e, i) => {
      if ("add" in e) {
        siteOfGroup.set(e.add.group, e.add.site);
        if (!siteIds.has(e.add.site)) at([...path, i, "add", "site"], `expected a site of the platform or of the study's sites (${[...siteIds].join(", ")}), got "${e.add.site}"`, e.add.site, "unknown_reference");
        if (!ctx.nodeTypes[e.add.type]) at([...path, i, "add", "type"], `expected a node type of the platform or of the study (${Object.keys(ctx.nodeTypes).join(", ")}), got "${e.add.type}"`, e.add.type, "unknown_reference");
      }
      if ("replace" in e && !ctx.nodeTypes[e.with.type]) at([...path, i, "with", "type"], `expected a node type of the platform or of the study (${Object.keys(ctx.nodeTypes).join(", ")}), got "${e.with.type}"`, e.with.type, "unknown_reference");
    });
  checkAdd(spec.fleet ?? [], ["fleet"]);
  const reference = toEvents(spec.fleet ?? [], from, (g) => siteOfGroup.get(g));

  /** A timeline, its problems mapped to the JSON paths of the events that caused them. */
  const timeline = (events: FleetEvent[], paths: (readonly PropertyKey[])[]): FleetGroup[] => {
    const { groups, problems } = fleetTimeline(initial, events, H);
    for (const p of problems) at(paths[p.event], `${p.message.replace(/year index (\d+)/g, (_, k) => String(from + Number(k)))} (known groups: ${[...new Set([...initial.map((g) => g.id), ...siteOfGroup.keys()])].join(", ")})`);
    return groups;
  };
  const refPaths = (spec.fleet ?? []).map((_, i) => ["fleet", i]);
  const refGroups = timeline(reference, refPaths);
  const refCapacity = years.map((_, y) => safeCapacity(fleetInYear(refGroups, y), ctx));

  // Work per year before load and rebound.
  const w = spec.workload;
  const growth = years.map((_, y) => (w?.factors ? w.factors[y] : (1 + (w?.growth_per_year ?? 0)) ** y));

  const raw: { id: string; values: Plan["values"]; groups: FleetGroup[]; work: number[]; gpu?: GrowthOptionSpec["gpu"]; gpuGroups?: Set<string> }[] = [];
  if (spec.kind === "lifetime") {
    const l = spec.lifetime;
    const subject = refGroups.find((g) => g.id === l.group);
    if (!subject) at(["lifetime", "group"], `expected a group of the fleet (${refGroups.map((g) => g.id).join(", ")}), got "${l.group}"`, l.group, "unknown_reference");
    else if (subject.from !== 0) at(["lifetime", "group"], `expected a group in service from ${from} (the study replaces hardware it starts with), got "${l.group}", which enters in ${from + subject.from}`, l.group);
    if (!ctx.nodeTypes[l.successor.type]) at(["lifetime", "successor", "type"], `expected a node type of the platform or of the study (${Object.keys(ctx.nodeTypes).join(", ")}), got "${l.successor.type}"`, l.successor.type, "unknown_reference");
    const site = subject?.site ?? "?";
    const replaceAt = (year: number): FleetEvent => ({ year: year - from, replace: l.group, with: { id: `${site}/${l.successor.type}@${year}`, type: l.successor.type, count: l.successor.count } });
    const options: { option: string; events: FleetEvent[]; path: PropertyKey[] }[] = [];
    const keepEnd = l.keep_years !== undefined ? from + l.keep_years : undefined;
    options.push({ option: "keep", events: keepEnd !== undefined && keepEnd <= spec.years.to ? [replaceAt(keepEnd)] : [], path: ["lifetime", "keep_years"] });
    l.replace_at.forEach((m, i) => options.push({ option: `replace-${m}`, events: [replaceAt(m)], path: ["lifetime", "replace_at", i] }));
    if (subject && issues.length === 0) {
      for (const o of options) {
        const groups = timeline(merged(reference, o.events), [...refPaths, ...o.events.map(() => o.path)]);
        for (const r of l.rebound ?? [0]) {
          for (const load of l.loads ?? [1]) {
            const work = years.map((_, y) => growth[y] * load * (1 + r * Math.max(0, safeCapacity(fleetInYear(groups, y), ctx) / refCapacity[y] - 1)));
            raw.push({ id: `${o.option}|rebound=${r}|load=${load}`, values: { option: o.option, rebound: r, load }, groups, work });
          }
        }
      }
    }
  } else {
    const g = spec.growth;
    const start = (g.from ?? Math.min(from + 1, spec.years.to)) - from;
    const work = years.map((_, y) => growth[y] * (y >= start ? 1 + g.extra_work : 1));
    raw.push({ id: "reference", values: { option: "reference" }, groups: refGroups, work });
    g.options.forEach((o, i) => {
      checkAdd(o.events ?? [], ["growth", "options", i, "events"]);
      // Extending a group moves the reference plan's event on it later (past the horizon: dropped).
      const moved = reference.flatMap((e) => {
        const x = o.extend?.find((v) => v.group === subjectOf(e));
        if (!x || "add" in e) return [e];
        return e.year + x.years < H ? [{ ...e, year: e.year + x.years }] : [];
      });
      const own = toEvents(o.events ?? [], from, (name) => siteOfGroup.get(name));
      const list = merged(moved, own);
      const paths = list.map((e) => {
        const k = own.indexOf(e);
        return k >= 0 ? ["growth", "options", i, "events", k] : refPaths[reference.findIndex((r) => subjectOf(r) === subjectOf(e) && r.year <= e.year)] ?? ["fleet"];
      });
      const groups = timeline(list, paths);
      let gpuGroups: Set<string> | undefined;
      if (o.gpu) {
        const added = new Set(own.map((e) => ("add" in e ? e.add.id : "replace" in e ? e.with.id : "")));
        gpuGroups = new Set(groups.filter((x) => added.has(x.id) && ctx.nodeTypes[x.type]?.gpus).map((x) => x.id));
        if (gpuGroups.size === 0) at(["growth", "options", i, "gpu"], "expected events adding groups of a node type with gpus for the GPU share of work, got none");
        for (const x of groups.filter((x) => gpuGroups!.has(x.id))) {
          const t = ctx.nodeTypes[x.type];
          if ("profile" in t.power || (t.gpus && "profile" in t.gpus.power)) at(["growth", "options", i, "gpu"], `expected GPU nodes with measured CPU and GPU power (idle_w, curve_w or max_w), got a power profile on "${x.type}"`);
        }
      }
      raw.push({ id: o.name, values: { option: o.name }, groups, work, ...(o.gpu ? { gpu: o.gpu, gpuGroups } : {}) });
    });
  }
  if (issues.length > 0) throw new InputError(issues);

  const typesInUse = new Set(raw.flatMap((p) => p.groups.map((g) => g.type)));
  const perNode = await embodiedPerNode({ ...ctx.platform, node_types: Object.fromEntries(Object.entries(ctx.nodeTypes).filter(([n]) => typesInUse.has(n))) }, ctx.platformPath);

  const runs = new Map<string, StudyRun>();
  const covered = new Map<number, number>();
  const use = (r: Omit<StudyRun, "key">, path: readonly PropertyKey[], year: number): string => {
    const key = hash(r);
    if (!runs.has(key)) {
      runs.set(key, { key, ...r });
      checkCoverage(ctx, r, year, covered, path, issues);
    }
    return key;
  };
  const plans: Plan[] = raw.map((p) => ({
    id: p.id,
    values: p.values,
    groups: p.groups,
    years: years.map((year, y) => {
      const groups = fleetInYear(p.groups, y);
      const embodied = new Float64Array(N_PHASES * N_COORDS);
      const embodiedOther = new Float64Array(N_PHASES * N_COORDS);
      for (const g of p.groups) {
        const e = perNode.get(g.type)!;
        const a = embodiedByYear(g, e.totals, e.lifetimeYears, rule, H)[y];
        const b = embodiedByYear(g, e.totals, e.lifetimeYears, other, H)[y];
        for (let i = 0; i < a.length; i++) {
          embodied[i] += a[i];
          embodiedOther[i] += b[i];
        }
      }
      const scale = p.work[y];
      const grid = gridOf(ctx, groups, y);
      const strip = (gs: readonly FleetGroup[]) => gs.map((g) => ({ site: g.site, type: g.type, count: g.count }));
      const path = spec.kind === "lifetime" ? ["lifetime"] : ["growth"];
      let keys: { key: string; groups: string[] }[];
      const ids = (gs: readonly FleetGroup[]) => gs.map((g) => g.id);
      const gpu = p.gpu && p.gpuGroups ? groups.filter((g) => p.gpuGroups!.has(g.id)) : [];
      if (p.gpu && gpu.length > 0) {
        const cpu = groups.filter((g) => !p.gpuGroups!.has(g.id));
        const maxCores = Math.max(...gpu.map((g) => g.count * ctx.nodeTypes[g.type].cores));
        const part = { share: p.gpu.share, seed: ctx.scenario.seed, speedup: p.gpu.speedup, source: p.gpu.source, maxCores };
        keys = [];
        if (cpu.length > 0) keys.push({ key: use({ groups: strip(cpu), scale, grid: gridOf(ctx, cpu, y), part: { kind: "cpu", ...part } }, path, year), groups: ids(cpu) });
        keys.push({ key: use({ groups: strip(gpu), scale, grid: gridOf(ctx, gpu, y), part: { kind: "gpu", ...part } }, path, year), groups: ids(gpu) });
      } else keys = [{ key: use({ groups: strip(groups), scale, grid }, path, year), groups: ids(groups) }];
      return {
        year,
        groups,
        nodes: groups.reduce((a, g) => a + g.count, 0),
        capacity: safeCapacity(groups, ctx),
        workload: scale,
        runs: keys,
        embodied,
        embodiedOther,
      };
    }),
  }));
  for (const p of plans) for (const y of p.years) if (y.groups.length === 0) issues.push(jsonIssue("invalid_value", file, ["fleet"], `expected nodes in service every year, got none in ${y.year} in plan ${p.id}`));
  if (issues.length > 0) throw new InputError(issues);
  return { rule, plans, runs: [...runs.values()], perNode };
}

function safeCapacity(groups: readonly FleetGroup[], ctx: StudyContext): number {
  return fleetCapacity(groups.filter((g) => ctx.nodeTypes[g.type]), ctx.nodeTypes);
}

/** The grid of each site holding one of `groups` in year index y (see the module comment). */
function gridOf(ctx: StudyContext, groups: readonly FleetGroup[], y: number): Record<string, GridChoice> {
  const out: Record<string, GridChoice> = {};
  for (const site of [...new Set(groups.map((g) => g.site))]) {
    const t = ctx.spec.grid?.[site];
    const factor = t?.factors ? t.factors[y] : t?.change_per_year !== undefined ? (1 + t.change_per_year) ** y : 1;
    const file = t?.series ? resolveFrom(ctx.file, t.series[String(ctx.years[y])]) : undefined;
    out[site] = { ...(t?.zone ? { zone: t.zone } : {}), factor, ...(file ? { file } : {}) };
  }
  return out;
}

const iso = (t: number) => new Date(t * 1000).toISOString().slice(0, 16).replace("T", " ");

/**
 * Refuses, before anything runs, a run whose series do not cover its
 * simulated year (from time 0 to its last job's end without waiting),
 * unless the base scenario extends series (series_extension hold or repeat).
 */
function checkCoverage(ctx: StudyContext, r: Omit<StudyRun, "key">, year: number, cache: Map<number, number>, path: readonly PropertyKey[], issues: Issue[]): void {
  if ((ctx.scenario.series_extension ?? "error") !== "error") return;
  let end = cache.get(r.scale);
  if (end === undefined) cache.set(r.scale, (end = neededEnd(ctx, r.scale)));
  const need = { from: ctx.t0Epoch, until: ctx.t0Epoch + end };
  for (const [site, g] of Object.entries(r.grid)) {
    if (g.zone) continue;
    const span = g.file ? ctx.spans.get(`${site}/${year}`) : ctx.spans.get(site);
    if (!span) continue;
    if (span.from <= need.from && span.until >= need.until) continue;
    const where = g.file ? ["grid", site, "series", String(year)] : path;
    const what = g.file ? `the series of ${year} for site ${site}` : `site ${site}'s series (${span.file})`;
    const issue = jsonIssue(
      "series_too_short",
      ctx.file,
      where,
      `expected ${what} to cover ${iso(need.from)}..${iso(need.until)} UTC (the simulated year of ${year} at workload factor ${+r.scale.toFixed(4)}: every year replays the base scenario's calendar), got ${iso(span.from)}..${iso(span.until)}: the horizon runs past its grid data`,
    );
    // Plans that share a year's series (keep and replace before M) would say the same twice.
    if (!issues.some((i) => i.path === issue.path && i.message === issue.message)) issues.push(issue);
  }
}
