/**
 * The files each simulation of a study reads, written into the study's
 * `inputs/` folder: a platform per run (the fleet in service, the year's
 * grid), a scenario per run (the base scenario pointing at it), carbon-
 * intensity series scaled by a trajectory's factor, a year of the base
 * workload repeated (per workload factor) and, for a year split between a CPU
 * fleet and a GPU partition, its two halves. Every file
 * is a pure function of the run it serves, so shards and workers that write
 * the same file write the same bytes; runScenario then reads them as any
 * scenario, with their hashes in each run's provenance.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { AdjustmentLog, categoryIndex, hashUnit } from "../../core/index.js";
import { readElectricityFactors, readSeriesCsv, resolveFrom, shippedPath, type PlatformSpec, type ScenarioSpec } from "../../io/index.js";
import { gpuNodeForCpuJobs } from "../../models/index.js";
import { writeAtomic, writeAtomicBytes } from "../batch.js";
import type { RunTask } from "../pool.js";
import { YEAR_S, type StudyContext } from "./context.js";
import type { GridChoice, StudyRun } from "./plan.js";

export const INPUTS_DIR = "inputs";
const FACTORS = shippedPath("platforms/electricity/electricity_factors_by_zone.csv");
const short = (x: unknown) => createHash("sha256").update(typeof x === "string" ? x : JSON.stringify(x)).digest("hex").slice(0, 16);

/** Writes `text` unless the file already holds it (another shard wrote it). */
function put(path: string, text: string): void {
  if (existsSync(path) && readFileSync(path, "utf8") === text) return;
  mkdirSync(dirname(path), { recursive: true });
  writeAtomic(path, text);
}

/** `target` as written in a file at `from`: relative, with forward slashes. */
const rel = (from: string, target: string) => relative(dirname(from), resolve(target)).split("\\").join("/");

/** Times as ISO 8601 with an offset, so readers take them as UTC whatever the series' time zone. */
const isoUtc = (t: number) => new Date(t * 1000).toISOString();

/**
 * Writes every run's files; returns the run task of each run, by key.
 * @param dir the study's output folder
 */
export async function writeRunInputs(ctx: StudyContext, runs: readonly StudyRun[], dir: string): Promise<Map<string, RunTask>> {
  const root = join(dir, INPUTS_DIR);
  const series = new Map<string, string>();
  const workloads = new Map<string, string>();
  let zones: Awaited<ReturnType<typeof readElectricityFactors>> | undefined;
  const tasks = new Map<string, RunTask>();
  for (const run of runs) {
    const runDir = join(root, run.key.slice(0, 16));
    const platformFile = join(runDir, "platform.json");
    const scenarioFile = join(runDir, "scenario.json");
    const sites: PlatformSpec["sites"][number][] = [];
    const allSites = [...ctx.platform.sites.map((s) => ({ ...s, extra: false })), ...(ctx.spec.sites ?? []).map((s) => ({ ...s, nodes: [], extra: true }))];
    for (const site of allSites) {
      const nodes = run.groups.filter((g) => g.site === site.id).map((g) => ({ type: g.type, count: g.count }));
      if (nodes.length === 0) continue;
      const choice = run.grid[site.id] ?? { factor: 1 };
      const base = site.extra ? undefined : ctx.platform.sites.find((s) => s.id === site.id);
      const grid = await gridFor(ctx, site.id, base?.grid ?? site.grid, choice, platformFile, root, series, async () => (zones ??= await readElectricityFactors(FACTORS)));
      const { extra: _extra, ...spec } = site;
      sites.push({
        ...spec,
        nodes,
        grid,
        ...(base?.power_budget_series ? { power_budget_series: { ...base.power_budget_series, file: rel(platformFile, resolveFrom(ctx.platformPath, base.power_budget_series.file)) } } : {}),
      } as PlatformSpec["sites"][number]);
    }
    const used = new Set(run.groups.map((g) => g.type));
    const nodeTypes = Object.fromEntries(
      Object.entries(ctx.nodeTypes)
        .filter(([n]) => used.has(n))
        .map(([n, t]) => [n, run.part?.kind === "gpu" ? gpuNodeForCpuJobs(t, run.part.speedup, `the GPU share of the trace runs ${run.part.speedup} x faster on it (${run.part.source})`) : t]),
    );
    const ids = new Set(sites.map((s) => s.id));
    const platform: PlatformSpec = {
      ...ctx.platform,
      name: `${ctx.platform.name} (study ${ctx.spec.name})`,
      node_types: nodeTypes,
      sites,
      ...(ctx.platform.links ? { links: ctx.platform.links.filter((l) => ids.has(l.from) && ids.has(l.to)) } : {}),
    };
    put(platformFile, JSON.stringify(platform, null, 2) + "\n");

    const yearKey = `year/${run.scale}`;
    if (!workloads.has(yearKey)) workloads.set(yearKey, writeYearWorkload(ctx, run.scale, root));
    let workload = workloads.get(yearKey)!;
    if (run.part) {
      const k = `${yearKey}/${run.part.kind}/${run.part.share}/${run.part.seed}/${run.part.maxCores}`;
      if (!workloads.has(k)) workloads.set(k, writeWorkloadPart(workload, run.part, root));
      workload = workloads.get(k)!;
    }
    const s = ctx.scenario;
    const scenario: ScenarioSpec = {
      ...s,
      name: `${ctx.spec.name}-${run.key.slice(0, 8)}`,
      description: `One simulation of study ${ctx.spec.name} (${ctx.file}): ${run.groups.map((g) => `${g.count} ${g.type} at ${g.site}`).join(", ")}; arrivals x ${run.scale}${run.part ? `; ${run.part.kind === "gpu" ? "the GPU" : "the CPU"} share of the jobs` : ""}. Written by impactsim study.`,
      platform: rel(scenarioFile, platformFile),
      workload: { ...s.workload, file: rel(scenarioFile, workload) },
      ...(s.policy.module ? { policy: { ...s.policy, module: rel(scenarioFile, resolveFrom(ctx.scenarioPath, s.policy.module)) } } : {}),
      output: { dir: "out" },
    };
    put(scenarioFile, JSON.stringify(scenario, null, 2) + "\n");
    tasks.set(run.key, { id: run.key, scenario: scenarioFile, overrides: { workloadScale: run.scale } });
  }
  return tasks;
}

type Grid = PlatformSpec["sites"][number]["grid"];

/** A site's grid in a run: its own, a scaled copy of its series, a yearly file, or a zone's (constant series when scaled). */
async function gridFor(ctx: StudyContext, site: string, own: Grid, c: GridChoice, platformFile: string, root: string, cache: Map<string, string>, zones: () => Promise<Map<string, { values: Float64Array; source: string }>>): Promise<Grid> {
  const trajectory = ctx.spec.grid?.[site]?.source ?? "";
  if (c.zone && c.factor === 1) return { zone: c.zone };
  if (c.zone) {
    const key = `zone/${c.zone}/${c.factor}`;
    if (!cache.has(key)) {
      const zone = (await zones()).get(c.zone);
      const g = (zone?.values[categoryIndex("CC")] ?? NaN) * 3.6e9; // kg per J -> g per kWh
      const path = join(root, "series", `${site}-${c.zone}-${short(key)}.csv`);
      // Two rows ten years apart: constant over any simulated period of the study.
      put(path, `time,ci_g_per_kwh\n${isoUtc(ctx.t0Epoch - 366 * 86_400)},${g * c.factor}\n${isoUtc(ctx.t0Epoch + 10 * 365 * 86_400)},${g * c.factor}\n`);
      cache.set(key, path);
    }
    return { zone: c.zone, series: { kind: "carbon_intensity", file: rel(platformFile, cache.get(key)!), time_column: "time", value_column: "ci_g_per_kwh", timezone: "UTC", unit: "gCO2e/kWh", source: `zone ${c.zone}'s static climate-change factor (${FACTORS}) x ${c.factor}: study trajectory (${trajectory})` } };
  }
  const series = own.series;
  if (!series) return { zone: own.zone };
  const file = c.file ?? resolveFrom(ctx.platformPath, series.file);
  if (c.factor === 1 || series.kind !== "carbon_intensity") {
    return { ...own, series: { ...series, file: rel(platformFile, file), ...(c.file ? { source: `${series.source}; replaced for this year by ${file} (study trajectory: ${trajectory})` } : {}) } };
  }
  const key = `${file}/${c.factor}`;
  if (!cache.has(key)) {
    const raw = await readSeriesCsv(file, { timeColumn: series.time_column, valueColumns: [series.value_column], timezone: series.timezone, gaps: "hold", log: new AdjustmentLog(), label: series.file });
    const rows = Array.from(raw.times, (t, i) => `${isoUtc(t)},${raw.values[i] * c.factor}`);
    const path = join(root, "series", `${site}-${short(key)}.csv`);
    put(path, `time,ci_g_per_kwh\n${rows.join("\n")}\n`);
    cache.set(key, path);
  }
  return { ...own, series: { kind: "carbon_intensity", file: rel(platformFile, cache.get(key)!), time_column: "time", value_column: "ci_g_per_kwh", timezone: "UTC", unit: "gCO2e/kWh", source: `${series.source}; times ${c.factor} (study trajectory: ${trajectory})` } };
}

/** An SWF file's text (gzip detected by its magic bytes, as the reader does). */
function swfText(path: string): string {
  let bytes = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  return bytes.toString("utf8");
}

/** Writes SWF lines gzipped (level 9 and no file name or time in the header: the same bytes from every process). */
function putSwf(path: string, lines: readonly string[]): string {
  const bytes = gzipSync(Buffer.from(lines.join("\n") + "\n", "utf8"), { level: 9 });
  if (!(existsSync(path) && readFileSync(path).equals(bytes))) {
    mkdirSync(dirname(path), { recursive: true });
    writeAtomicBytes(path, bytes);
  }
  return path;
}

/**
 * A year of arrivals at workload factor `scale`: the base workload's jobs
 * repeated every periodS seconds, copies r = 0, 1, ... with submit + r x periodS,
 * kept while that is below scale x 1 year (runScenario then divides submit times
 * by scale), job numbers (and preceding-job numbers) moved past the previous
 * copy's, lines sorted by submit time. Header lines are kept. Returns its path.
 */
function writeYearWorkload(ctx: StudyContext, scale: number, root: string): string {
  const lines = swfText(ctx.workload).split("\n");
  const header = lines.filter((l) => l.trim().startsWith(";"));
  const jobs = lines.filter((l) => l.trim() !== "" && !l.trim().startsWith(";")).map((l) => l.trim().split(/\s+/));
  const maxId = jobs.reduce((m, f) => Math.max(m, Number(f[0]) || 0), 0);
  const out: { submit: number; order: number; line: string }[] = [];
  const limit = scale * YEAR_S;
  for (let r = 0; r * ctx.periodS < limit; r++) {
    for (const f of jobs) {
      const submit = Number(f[1]) + r * ctx.periodS;
      if (!(submit < limit)) continue;
      const g = [...f];
      g[0] = String(Number(f[0]) + r * (maxId + 1));
      g[1] = String(submit);
      if (g.length > 16 && Number(g[16]) > 0) g[16] = String(Number(g[16]) + r * (maxId + 1));
      out.push({ submit, order: out.length, line: g.join(" ") });
    }
  }
  out.sort((a, b) => a.submit - b.submit || a.order - b.order);
  const head = [...header, `; impactsim study ${ctx.spec.name}: ${ctx.workload} repeated every ${ctx.periodS} s for one year at ${scale} x its arrival rate (submit times here / ${scale})`];
  return putSwf(join(root, "workload", `year-${short({ trace: ctx.workload, period: ctx.periodS, scale })}.swf.gz`), [...head, ...out.map((j) => j.line)]);
}

/**
 * One half of a year's workload for a GPU partition: the jobs that can use
 * GPUs (a share drawn per job number from the scenario's seed, as QoS classes
 * are, among the jobs the partition can hold) or the others. Returns its path.
 */
function writeWorkloadPart(trace: string, part: NonNullable<StudyRun["part"]>, root: string): string {
  const keep = swfText(trace)
    .split("\n")
    .filter((line) => {
      const t = line.trim();
      if (t === "") return false;
      if (t.startsWith(";")) return true;
      const f = t.split(/\s+/).map(Number);
      // Requested processors: field 8, else field 5 (as the SWF reader reads them).
      const cores = f[7] > 0 ? f[7] : f[4];
      // Offset from the scenario's seed: its QoS classes are drawn with hashUnit(seed, id), and the GPU share must not follow them.
      const gpu = hashUnit((part.seed + 0x6a09e667) | 0, f[0]) < part.share && cores <= part.maxCores;
      return part.kind === "gpu" ? gpu : !gpu;
    });
  return putSwf(join(root, "workload", `${part.kind}-${short({ trace: basename(trace), share: part.share, seed: part.seed, maxCores: part.maxCores })}.swf.gz`), keep);
}
