/**
 * Study files (issue 16): capacity studies over years on a base scenario, run
 * as many yearly simulations. A zod schema, checks that need no other file
 * (dates in order, groups touched once a year, trajectories long enough for
 * the horizon), a checker that returns every issue with its JSON path and a
 * loader that throws them all. Checks that need the base scenario and its
 * platform (a group that does not exist, a series that ends before a year)
 * are made by the study planner (sweep/study/plan.ts) before anything runs.
 *
 * Years are calendar labels: `years.from` .. `years.to`, inclusive; events
 * take effect at the start of their year. Paths are relative to the study file.
 */
import { z } from "zod";
import { InputError, type Issue } from "../core/index.js";
import { MAX_LIFETIME_YEARS } from "../core/index.js";
import { issuesFromZod, jsonIssue, lazySchema, PARSE_ONCE, readJsonFile } from "./json.js";
import type { NodeTypeSpec } from "./spec.js";

/** Longest horizon a study may cover, years (each year is one or more simulations). */
export const MAX_STUDY_YEARS = 50;

/** A node group named in a study: a platform's "site/type" (or "site/type/2" for its second group of that type), or a name an `add` gave. */
export type GroupRef = string;

export interface StudyGroupSpec {
  /** Name other events use. */
  readonly group: string;
  readonly site: string;
  /** A node type of the platform or of the study's node_types. */
  readonly type: string;
  readonly count: number;
}

export type FleetEventSpec =
  | { readonly year: number; readonly add: StudyGroupSpec }
  | { readonly year: number; readonly retire: GroupRef }
  | { readonly year: number; readonly replace: GroupRef; readonly with: { readonly type: string; readonly count: number; readonly group?: string } };

/** How a site's grid changes over the years (see the module comment of sweep/study/plan.ts). */
export type GridTrajectorySpec = {
  /** Static factors of another zone for this site (its series dropped), e.g. "POL". */
  readonly zone?: string;
  /** Relative change of the carbon intensity per year, compounded: -0.05 = 5 % less each year. */
  readonly change_per_year?: number;
  /** A factor on the carbon intensity per year of the horizon (the first is years.from's). */
  readonly factors?: readonly number[];
  /** One carbon-intensity series per year ("2021": file), read as the platform's series of the site; must cover that year's simulated period. */
  readonly series?: Readonly<Record<string, string>>;
  /** Where the trajectory comes from, or why it is an assumption. */
  readonly source: string;
};

export interface StudySiteSpec {
  readonly id: string;
  readonly name?: string;
  readonly pue: number;
  readonly pue_source: string;
  readonly grid: { readonly zone: string };
}

export interface StudyCommonSpec {
  readonly name: string;
  readonly description?: string;
  /** Base scenario file: workload, platform, policy, grid series of every year. */
  readonly base: string;
  readonly years: { readonly from: number; readonly to: number };
  /** New node types (a platform's node type format) or node-type files ({"file": ...}). */
  readonly node_types?: Readonly<Record<string, NodeTypeSpec | { readonly file: string }>>;
  /** Sites the platform does not have, for groups added there. */
  readonly sites?: readonly StudySiteSpec[];
  /** The reference plan: events every option shares, in date order. */
  readonly fleet?: readonly FleetEventSpec[];
  /** Work per year relative to the base workload: compounded growth or a factor per year. */
  readonly workload?: { readonly growth_per_year?: number; readonly factors?: readonly number[]; readonly source?: string };
  readonly grid?: Readonly<Record<string, GridTrajectorySpec>>;
  /** How fabrication, transport and end of life are charged to the years: "purchase" (whole, the year bought; footnote 33) or "amortised". */
  readonly embodied?: { readonly accounting?: "purchase" | "amortised" };
  /** Length of the period a year's simulation represents at workload factor 1, days (default: the base workload's span of submissions). */
  readonly period_days?: number;
  readonly output: { readonly dir: string };
}

export interface LifetimeStudySpec extends StudyCommonSpec {
  readonly kind: "lifetime";
  readonly lifetime: {
    /** The group whose replacement is studied. */
    readonly group: GroupRef;
    /** What replaces it. */
    readonly successor: { readonly type: string; readonly count: number };
    /** "Keep N years": the group's service life in the baseline; renewed by the successor then when that falls within the horizon (default: kept throughout). */
    readonly keep_years?: number;
    /** "Replace at year M": each one an option. */
    readonly replace_at: readonly number[];
    /** Share of the capacity the successor adds that extra work fills (0 = none, 1 = all of it); one comparison per value. */
    readonly rebound?: readonly number[];
    /** Workload factors applied on top of growth, to find the utilisation at which replacing breaks even (default [1]). */
    readonly loads?: readonly number[];
  };
}

export interface GrowthOptionSpec {
  readonly name: string;
  readonly description?: string;
  /** Events added to the reference plan. */
  readonly events?: readonly FleetEventSpec[];
  /** Groups kept longer than the reference plan retires them, by this many years. */
  readonly extend?: readonly { readonly group: GroupRef; readonly years: number }[];
  /** The share of jobs that can use GPUs runs on the GPU groups this option adds, this many times faster. */
  readonly gpu?: { readonly share: number; readonly speedup: number; readonly source: string };
}

export interface GrowthStudySpec extends StudyCommonSpec {
  readonly kind: "growth";
  readonly growth: {
    /** Extra work to absorb, relative: 0.5 = 50 % more than the reference workload, from `from` on. */
    readonly extra_work: number;
    /** First year with the extra work (default: the second year of the horizon). */
    readonly from?: number;
    readonly options: readonly GrowthOptionSpec[];
  };
}

export type StudySpec = LifetimeStudySpec | GrowthStudySpec;

// ---------------------------------------------------------------------------
// Schema

/** Built on first use (see lazySchema). */
const studySchema = lazySchema(() => {
  const nonEmpty = z.string().min(1);
  const year = z.number().int().min(1900).max(3000);
  const count = z.number().int().min(1);
  const factor = z.number().gt(0).max(100, { error: "a factor beyond 100 is not a trajectory" });
  const groupName = nonEmpty.regex(/^[^\s]+$/, { error: "expected a name without spaces" });

  const groupSpec = z.strictObject({ group: groupName, site: nonEmpty, type: nonEmpty, count });
  const eventSchema = z.union(
    [
      z.strictObject({ year, add: groupSpec }),
      z.strictObject({ year, retire: nonEmpty }),
      z.strictObject({ year, replace: nonEmpty, with: z.strictObject({ type: nonEmpty, count, group: groupName.optional() }) }),
    ],
    { error: 'an event {"year", "add": {...}}, {"year", "retire": group} or {"year", "replace": group, "with": {"type", "count"}}' },
  );

  const gridSchema = z.strictObject({
    zone: z.string().regex(/^[A-Z]{3}$/, { error: "expected a 3-letter zone code" }).optional(),
    change_per_year: z.number().gt(-1).max(10).optional(),
    factors: z.array(factor).min(1).optional(),
    series: z.record(z.string().regex(/^\d{4}$/, { error: "expected a year such as \"2021\"" }), nonEmpty).optional(),
    source: nonEmpty,
  });

  const common = {
    name: nonEmpty,
    description: z.string().optional(),
    base: nonEmpty,
    years: z.strictObject({ from: year, to: year }),
    // Node types are checked with the platform's checker (checkNodeType), which names every field.
    node_types: z.record(nonEmpty, z.record(z.string(), z.unknown())).optional(),
    sites: z
      .array(z.strictObject({ id: nonEmpty, name: z.string().optional(), pue: z.number().min(1).max(5), pue_source: nonEmpty, grid: z.strictObject({ zone: z.string().regex(/^[A-Z]{3}$/, { error: "expected a 3-letter zone code" }) }) }))
      .optional(),
    fleet: z.array(eventSchema).optional(),
    workload: z.strictObject({ growth_per_year: z.number().gt(-1).max(10).optional(), factors: z.array(factor).min(1).optional(), source: nonEmpty.optional() }).optional(),
    grid: z.record(nonEmpty, gridSchema).optional(),
    embodied: z.strictObject({ accounting: z.enum(["purchase", "amortised"]).optional() }).optional(),
    period_days: z.number().gt(0).max(3660).optional(),
    output: z.strictObject({ dir: nonEmpty }),
  };

  const lifetimeSchema = z.strictObject({
    kind: z.literal("lifetime"),
    ...common,
    lifetime: z.strictObject({
      group: nonEmpty,
      successor: z.strictObject({ type: nonEmpty, count }),
      keep_years: z.number().int().min(1).max(MAX_LIFETIME_YEARS).optional(),
      replace_at: z.array(year).min(1),
      rebound: z.array(z.number().min(0).max(10)).min(1).optional(),
      loads: z.array(z.number().gt(0).max(100)).min(1).optional(),
    }),
  });

  const growthSchema = z.strictObject({
    kind: z.literal("growth"),
    ...common,
    growth: z.strictObject({
      extra_work: z.number().min(0).max(100),
      from: year.optional(),
      options: z
        .array(
          z.strictObject({
            name: nonEmpty.regex(/^[A-Za-z0-9_.-]+$/, { error: "expected a name of letters, digits, '_', '.' or '-'" }),
            description: z.string().optional(),
            events: z.array(eventSchema).optional(),
            extend: z.array(z.strictObject({ group: nonEmpty, years: z.number().int().min(1).max(MAX_LIFETIME_YEARS) })).optional(),
            gpu: z.strictObject({ share: z.number().gt(0).max(1), speedup: z.number().gt(0).max(1000), source: nonEmpty }).optional(),
          }),
        )
        .min(1),
    }),
  });

  const studySchema = z.discriminatedUnion("kind", [lifetimeSchema, growthSchema]);

  return studySchema;
});

// ---------------------------------------------------------------------------
// Checks beyond the shape (no other file needed)

type Path = readonly PropertyKey[];

/** The group an event touches ("add" creates it), with the event's JSON path. */
function touched(e: FleetEventSpec): string {
  return "add" in e ? e.add.group : "retire" in e ? e.retire : e.replace;
}

/**
 * Events in date order, each group touched at most once a year, nothing done
 * to a group after it was retired or replaced, names not reused, years within
 * the horizon. `retired` carries what earlier lists (the reference plan)
 * retired, for an option's events.
 */
function checkEvents(events: readonly FleetEventSpec[], at: Path, file: string, years: { from: number; to: number }, push: (i: Issue) => void, known = new Map<string, number>()): Map<string, number> {
  const gone = new Map(known);
  const touchedIn = new Map<string, number>();
  const named = new Set<string>();
  let last = -Infinity;
  events.forEach((e, i) => {
    const p = [...at, i];
    if (e.year < last) push(jsonIssue("invalid_value", file, [...p, "year"], `expected events in date order (the previous one is in ${last}), got ${e.year}: dates go backwards`, e.year));
    last = Math.max(last, e.year);
    if (e.year < years.from || e.year > years.to) push(jsonIssue("invalid_value", file, [...p, "year"], `expected a year of the horizon ${years.from}..${years.to}, got ${e.year}`, e.year));
    const g = touched(e);
    const key = `${g}@${e.year}`;
    if (touchedIn.has(key)) push(jsonIssue("invalid_value", file, p, `expected one event per group and year, got a second one for "${g}" in ${e.year} (events overlap)`, g));
    touchedIn.set(key, i);
    const end = gone.get(g);
    if (end !== undefined && e.year >= end && !("add" in e)) push(jsonIssue("invalid_value", file, p, `expected a group in service in ${e.year}, got "${g}", retired or replaced from ${end} (events overlap)`, g));
    if ("add" in e) {
      if (named.has(g)) push(jsonIssue("duplicate_id", file, [...p, "add", "group"], `expected a new group name, got "${g}" added twice`, g));
      named.add(g);
    } else if (end === undefined || e.year < end) gone.set(g, e.year);
    if ("replace" in e && e.with.group !== undefined) {
      if (named.has(e.with.group)) push(jsonIssue("duplicate_id", file, [...p, "with", "group"], `expected a new group name, got "${e.with.group}" used twice`, e.with.group));
      named.add(e.with.group);
    }
  });
  return gone;
}

/** A per-year list must hold one value per year of the horizon (the grid and workload trajectories). */
function checkPerYear(list: readonly unknown[] | undefined, at: Path, file: string, n: number, what: string, push: (i: Issue) => void): void {
  if (list !== undefined && list.length < n) push(jsonIssue("invalid_value", file, at, `expected ${n} ${what} (one per year of the horizon), got ${list.length}: the horizon runs past the data`, list.length));
}

function checkSemantics(s: StudySpec, file: string, push: (i: Issue) => void): void {
  const { from, to } = s.years;
  if (to < from) {
    push(jsonIssue("invalid_value", file, ["years", "to"], `expected a year >= years.from (${from}), got ${to}: dates go backwards`, to));
    return;
  }
  const n = to - from + 1;
  if (n > MAX_STUDY_YEARS) push(jsonIssue("invalid_value", file, ["years"], `expected at most ${MAX_STUDY_YEARS} years, got ${n}`, n));
  const retired = checkEvents(s.fleet ?? [], ["fleet"], file, s.years, push);

  if (s.workload?.factors && s.workload.growth_per_year !== undefined) push(jsonIssue("invalid_value", file, ["workload"], "expected growth_per_year or factors, got both"));
  checkPerYear(s.workload?.factors, ["workload", "factors"], file, n, "workload factors", push);
  for (const [site, g] of Object.entries(s.grid ?? {})) {
    const given = [g.change_per_year, g.factors, g.series].filter((x) => x !== undefined).length;
    if (given > 1) push(jsonIssue("invalid_value", file, ["grid", site], "expected at most one of change_per_year, factors and series, got several"));
    if (g.series && g.zone) push(jsonIssue("invalid_value", file, ["grid", site], "expected zone (static factors) or series, got both"));
    if (given === 0 && !g.zone) push(jsonIssue("missing_field", file, ["grid", site], "expected zone, change_per_year, factors or series, got none"));
    checkPerYear(g.factors, ["grid", site, "factors"], file, n, "grid factors", push);
    if (g.series) {
      const missing = Array.from({ length: n }, (_, k) => String(from + k)).filter((y) => g.series![y] === undefined);
      if (missing.length > 0) push(jsonIssue("invalid_value", file, ["grid", site, "series"], `expected a series for every year ${from}..${to}, missing ${missing.join(", ")}: the horizon runs past the grid data`));
      for (const y of Object.keys(g.series)) if (Number(y) < from || Number(y) > to) push(jsonIssue("invalid_value", file, ["grid", site, "series", y], `expected a year of the horizon ${from}..${to}, got ${y}`, y));
    }
  }
  const siteIds = new Set<string>();
  (s.sites ?? []).forEach((site, i) => {
    if (siteIds.has(site.id)) push(jsonIssue("duplicate_id", file, ["sites", i, "id"], `expected a new site id, got "${site.id}" twice`, site.id));
    siteIds.add(site.id);
  });

  if (s.kind === "lifetime") {
    const l = s.lifetime;
    const seen = new Set<number>();
    l.replace_at.forEach((m, i) => {
      if (m <= from || m > to) push(jsonIssue("invalid_value", file, ["lifetime", "replace_at", i], `expected a year after ${from} and at most ${to} (replacing in the first year leaves no "before"), got ${m}`, m));
      if (seen.has(m)) push(jsonIssue("invalid_value", file, ["lifetime", "replace_at", i], `expected each year once, got ${m} twice`, m));
      if (l.keep_years !== undefined && m >= from + l.keep_years) push(jsonIssue("invalid_value", file, ["lifetime", "replace_at", i], `expected a year before the end of the kept service life (${from} + keep_years ${l.keep_years} = ${from + l.keep_years}), got ${m}`, m));
      seen.add(m);
    });
    const end = retired.get(l.group);
    if (end !== undefined) push(jsonIssue("invalid_value", file, ["lifetime", "group"], `expected a group the reference plan keeps, got "${l.group}", retired or replaced in ${end} by fleet events (events overlap)`, l.group));
  } else {
    const g = s.growth;
    if (g.from !== undefined && (g.from < from || g.from > to)) push(jsonIssue("invalid_value", file, ["growth", "from"], `expected a year of the horizon ${from}..${to}, got ${g.from}`, g.from));
    const names = new Set<string>();
    g.options.forEach((o, i) => {
      if (names.has(o.name) || o.name === "reference") push(jsonIssue("duplicate_id", file, ["growth", "options", i, "name"], `expected a new option name (not "reference", the plan without changes), got "${o.name}"`, o.name));
      names.add(o.name);
      checkEvents(o.events ?? [], ["growth", "options", i, "events"], file, s.years, push, retired);
      (o.extend ?? []).forEach((x, k) => {
        if (!retired.has(x.group)) push(jsonIssue("invalid_value", file, ["growth", "options", i, "extend", k, "group"], `expected a group the reference plan retires or replaces (fleet), got "${x.group}"`, x.group));
      });
      if (!o.events?.length && !o.extend?.length) push(jsonIssue("missing_field", file, ["growth", "options", i], "expected events or extend (what the option changes), got neither"));
      if (o.gpu && !(o.events ?? []).some((e) => "add" in e || "replace" in e)) push(jsonIssue("invalid_value", file, ["growth", "options", i, "gpu"], "expected events that add the GPU nodes the share of work runs on, got none"));
    });
  }
}

/**
 * Every problem of a parsed study file that can be found without reading
 * other files, each with its JSON path. Empty when valid.
 * @param file the name used in messages
 */
export function checkStudy(json: unknown, file: string): Issue[] {
  const schema = studySchema();
  const parsed = schema.safeParse(json, PARSE_ONCE);
  if (!parsed.success) return issuesFromZod(parsed.error.issues, file, schema, json);
  const issues: Issue[] = [];
  checkSemantics(json as StudySpec, file, (i) => issues.push(i));
  return issues;
}

/**
 * Reads and checks a study file (paths inside stay relative to it).
 * @throws InputError holding every issue
 */
export async function loadStudy(path: string): Promise<StudySpec> {
  const { value, issues } = await readJsonFile(path);
  if (value !== undefined || issues.length === 0) issues.push(...checkStudy(value, path));
  if (issues.length > 0) throw new InputError(issues);
  return value as StudySpec;
}
