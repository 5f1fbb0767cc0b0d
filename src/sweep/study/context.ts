/**
 * A study with everything it refers to, read and checked before anything
 * runs: the study file, its base scenario and platform, the node types it
 * adds (inline or from files), the base workload's span and the spans of the
 * grid series each year will read. Every problem is collected with the study
 * file's JSON path and thrown as one InputError.
 */
import { resolve } from "node:path";
import { AdjustmentLog, InputError, SECONDS_PER_YEAR, type Issue } from "../../core/index.js";
import {
  checkNodeType,
  jsonIssue,
  loadPlatform,
  loadScenario,
  loadStudy,
  openSwf,
  readElectricityFactors,
  readJsonFile,
  readSeriesCsv,
  resolveFrom,
  shippedPath,
  type NodeTypeSpec,
  type PlatformSpec,
  type ScenarioSpec,
  type StudySpec,
} from "../../io/index.js";

/** When a series starts and ends (epoch seconds; the end is one step after the last row). */
export interface SeriesSpan {
  readonly file: string;
  readonly from: number;
  readonly until: number;
}

export interface StudyContext {
  readonly file: string;
  readonly spec: StudySpec;
  readonly scenarioPath: string;
  readonly scenario: ScenarioSpec;
  readonly platformPath: string;
  readonly platform: PlatformSpec;
  /** The platform's node types and the study's (the study's may not reuse a name). */
  readonly nodeTypes: Readonly<Record<string, NodeTypeSpec>>;
  /** Where each node type of the study came from (file or study file), for messages. */
  readonly nodeTypeFiles: Readonly<Record<string, string>>;
  /** Calendar years of the horizon. */
  readonly years: readonly number[];
  /** Absolute path of the base workload. */
  readonly workload: string;
  /** Epoch seconds of simulation time 0 (the base scenario's start). */
  readonly t0Epoch: number;
  /** Submit time and known run time of every job of the base workload, s, for the span a workload factor needs. */
  readonly jobs: readonly { readonly submit: number; readonly run: number }[];
  /** Seconds between copies of the base workload when it is repeated to fill a year. */
  readonly periodS: number;
  /** Span of each platform site's series, and of each yearly series file ("site/year"). */
  readonly spans: ReadonlyMap<string, SeriesSpan>;
}

/** Seconds in a simulated year (core/units.ts's year: 365 days). */
export const YEAR_S = SECONDS_PER_YEAR;

/**
 * The latest end a simulated year at workload factor `scale` needs covered, s
 * after time 0, without waiting: the workload repeated every periodS seconds,
 * copies kept while their submit time / scale falls within the year.
 */
export function neededEnd(ctx: Pick<StudyContext, "jobs" | "periodS">, scale: number): number {
  let end = 0;
  for (let r = 0; r * ctx.periodS < scale * YEAR_S; r++) {
    for (const j of ctx.jobs) {
      const submit = j.submit + r * ctx.periodS;
      if (submit < scale * YEAR_S) end = Math.max(end, submit / scale + j.run);
    }
  }
  return end;
}

async function spanOf(file: string, timeColumn: string, valueColumn: string, timezone: string, label: string): Promise<SeriesSpan> {
  const raw = await readSeriesCsv(file, { timeColumn, valueColumns: [valueColumn], timezone, gaps: "hold", log: new AdjustmentLog(), label });
  return { file, from: raw.times[0], until: raw.times[raw.times.length - 1] + raw.step };
}

/**
 * Reads a study file and what it refers to.
 * @throws InputError with every problem found (file, JSON path, reason)
 */
export async function loadStudyContext(file: string): Promise<StudyContext> {
  const spec = await loadStudy(file);
  const issues: Issue[] = [];
  const at = (path: readonly PropertyKey[], message: string, value?: unknown, code: Issue["code"] = "invalid_value") => issues.push(jsonIssue(code, file, path, message, value));
  const scenarioPath = resolveFrom(file, spec.base);
  const scenario = await loadScenario(scenarioPath);
  const platformPath = resolveFrom(scenarioPath, scenario.platform);
  const platform = await loadPlatform(platformPath);
  if (scenario.workflows?.length) at(["base"], `expected a scenario without workflows (a year's workload is its trace, scaled), got ${scenario.workflows.length} workflow(s) in ${scenarioPath}`, spec.base);

  const nodeTypes: Record<string, NodeTypeSpec> = { ...platform.node_types };
  const nodeTypeFiles: Record<string, string> = {};
  for (const [name, entry] of Object.entries(spec.node_types ?? {})) {
    if (platform.node_types[name]) {
      at(["node_types", name], `expected a name the platform does not use, got "${name}" (a node type of ${platformPath})`, name, "duplicate_id");
      continue;
    }
    let json: unknown = entry;
    let where = file;
    if ("file" in entry && Object.keys(entry).length === 1) {
      where = resolveFrom(file, String(entry.file));
      const read = await readJsonFile(where);
      issues.push(...read.issues);
      json = read.value;
    }
    if (json === undefined) continue;
    // A file's issues name that file; an inline node type's are re-rooted at node_types.<name> of the study.
    const root = `node_types${formatKey(name)}`;
    for (const i of checkNodeType(json, where, platform.lca_references)) {
      issues.push(where === file ? { ...i, path: i.path ? `${root}${i.path.startsWith("[") ? "" : "."}${i.path}` : root } : i);
    }
    nodeTypes[name] = json as NodeTypeSpec;
    nodeTypeFiles[name] = where;
  }

  const years = Array.from({ length: spec.years.to - spec.years.from + 1 }, (_, k) => spec.years.from + k);
  const workload = resolve(resolveFrom(scenarioPath, scenario.workload.file));
  const t0Epoch = Date.parse(scenario.workload.start) / 1000;
  const jobs: { submit: number; run: number }[] = [];
  const reader = await openSwf(workload, { mode: scenario.workload.mode, log: new AdjustmentLog(), label: scenario.workload.file });
  for await (const batch of reader.batches()) for (const j of batch) jobs.push({ submit: j.submit, run: Math.min(j.runtime, j.walltime) });
  const lastSubmit = jobs.reduce((m, j) => Math.max(m, j.submit), 0);
  const periodS = spec.period_days !== undefined ? spec.period_days * 86_400 : lastSubmit;
  if (!(periodS > 0)) at(["period_days"], `expected the period after which the base workload repeats, got none: its submissions span 0 s (give period_days)`);

  const siteIds = new Set(platform.sites.map((s) => s.id));
  for (const s of spec.sites ?? []) if (siteIds.has(s.id)) at(["sites"], `expected a site the platform does not have, got "${s.id}"`, s.id, "duplicate_id");
  const allSites = new Set([...siteIds, ...(spec.sites ?? []).map((s) => s.id)]);
  const spans = new Map<string, SeriesSpan>();
  for (const site of platform.sites) {
    const series = site.grid.series;
    if (series?.kind !== "carbon_intensity") continue;
    spans.set(site.id, await spanOf(resolveFrom(platformPath, series.file), series.time_column, series.value_column, series.timezone, series.file));
  }
  for (const [id, g] of Object.entries(spec.grid ?? {})) {
    if (!allSites.has(id)) {
      at(["grid", id], `expected a site of the platform or of the study (${[...allSites].join(", ")}), got "${id}"`, id, "unknown_reference");
      continue;
    }
    const site = platform.sites.find((s) => s.id === id);
    const series = site?.grid.series;
    const scaled = g.change_per_year !== undefined || g.factors !== undefined;
    if (series?.kind === "generation_mix" && !g.zone && (scaled || g.series)) {
      at(["grid", id], `expected a site whose grid is a carbon-intensity series or static factors, got a generation mix (a factor on generation amounts is no trajectory; give a zone)`);
    }
    if (g.series) {
      if (series?.kind !== "carbon_intensity") {
        at(["grid", id, "series"], `expected a site with a carbon-intensity series in the platform (yearly files are read in its format), got ${series ? "a generation mix" : "static factors"}`);
        continue;
      }
      for (const [y, rel] of Object.entries(g.series)) {
        const path = resolveFrom(file, rel);
        try {
          spans.set(`${id}/${y}`, await spanOf(path, series.time_column, series.value_column, series.timezone, rel));
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          at(["grid", id, "series", y], `expected a readable carbon-intensity series (${series.time_column}, ${series.value_column}), got: ${e.issues[0]?.message ?? e.message}`, rel);
        }
      }
    }
  }
  const zones = await readElectricityFactors(shippedPath("platforms/electricity/electricity_factors_by_zone.csv"));
  const zoneKnown = (z: string, path: PropertyKey[]) => {
    if (!zones.has(z)) at(path, `expected a zone of the electricity factor table (e.g. ${["FRA", "DEU", "SWE", "POL", "EEE"].filter((x) => zones.has(x)).join(", ")}), got "${z}"`, z, "unknown_reference");
  };
  (spec.sites ?? []).forEach((s, i) => zoneKnown(s.grid.zone, ["sites", i, "grid", "zone"]));
  for (const [id, g] of Object.entries(spec.grid ?? {})) if (g.zone) zoneKnown(g.zone, ["grid", id, "zone"]);
  if (issues.length > 0) throw new InputError(issues);
  return { file, spec, scenarioPath, scenario, platformPath, platform, nodeTypes, nodeTypeFiles, years, workload, t0Epoch, jobs, periodS, spans };
}

/** `["name"]` or `.name`, as formatJsonPath writes a key. */
function formatKey(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
}
