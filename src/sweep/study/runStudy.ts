/**
 * Running a study (issue 16) on the sweep machinery: the study is read and
 * checked (context.ts), expanded into plans and distinct simulations
 * (plan.ts), each simulation's input files are written (inputs.ts), the
 * simulations run on the worker pool, sharded and resumable (batch.ts), and
 * an unsharded run (or `mergeStudy` after the shards) turns their summaries
 * into the study's figures and analysis.
 *
 * Files in the output folder:
 * - `study.json`: the study's name, simulation count and a digest of them, so
 *   resume and merge refuse results of another study or an edited one;
 * - `inputs/`: the platform, scenario and series each simulation read;
 * - `results.jsonl` (or `results.shard-i-of-n.jsonl`): one line per
 *   simulation, `{index, group, replica, values: {run, fleet, workload}, summary}`;
 * - `summary.json`: every plan's figures per year and totals, and the
 *   analysis (lifetime: footnote 33 and break-even conditions; growth: the
 *   options and their Pareto front);
 * - `report.html`: the same, drawn (report/studyReport.ts).
 */
import { join } from "node:path";
import { InputError, SECONDS_PER_DAY } from "../../core/index.js";
import { DEFAULT_SCORE_METHOD_PATH, finiteJson, prepareOutputDir, readScoreMethod, resolveFrom } from "../../io/index.js";
import { writeStudyReport } from "../../report/index.js";
import type { RunSummary } from "../../run/index.js";
import { manifestOf, mergeShardFiles, readManifest, runBatch, shardFile, writeAtomic, RESULTS, type Shard, type SweepProgress } from "../batch.js";
import type { RunPool } from "../pool.js";
import type { SweepResult } from "../stats.js";
import type { SweepOptions } from "../runSweep.js";
import { loadStudyContext, type StudyContext } from "./context.js";
import { planFigures, type PlanFigures } from "./figures.js";
import { analyseGrowth, type GrowthAnalysis } from "./growth.js";
import { writeRunInputs } from "./inputs.js";
import { analyseLifetime, type LifetimeAnalysis } from "./lifetime.js";
import { planStudy, type StudyPlan } from "./plan.js";

export const STUDY_MANIFEST = "study.json";
export const STUDY_SUMMARY = "summary.json";
export const STUDY_REPORT = "report.html";

/** A study runs on the sweep machinery, with its options (the file is the study's; output.dir is the study's). */
export interface StudyOptions extends Omit<SweepOptions, "maxVariants"> {
  /** The kind the command asked for; a study of the other kind is refused. */
  readonly kind?: "lifetime" | "growth";
}

export interface StudySummary {
  readonly study: string;
  readonly kind: "lifetime" | "growth";
  readonly description: string;
  readonly years: { readonly from: number; readonly to: number };
  readonly embodied_accounting: "purchase" | "amortised";
  /** Days of the base workload a year's simulation stands for at workload factor 1. */
  readonly period_days: number;
  readonly simulations: number;
  /** How the figures are made, in words. */
  readonly method: readonly string[];
  /** What may bias the figures: work that did not run, long tails past the periods. */
  readonly warnings: readonly string[];
  readonly plans: readonly PlanFigures[];
  readonly lifetime?: LifetimeAnalysis;
  readonly growth?: GrowthAnalysis;
}

export interface StudyOutcome {
  readonly dir: string;
  readonly results: string;
  /** Simulations of this run (shard). */
  readonly simulations: number;
  readonly ran: number;
  readonly skipped: number;
  readonly failed: number;
  readonly failures: readonly { readonly index: number; readonly name: string; readonly message: string }[];
  /** Written by an unsharded run without failures. */
  readonly summary?: StudySummary;
  readonly report?: string;
}

/** The method in words, for summary.json and the report. */
function methodText(ctx: StudyContext, plan: StudyPlan): string[] {
  return [
    `Each year of ${ctx.spec.years.from}..${ctx.spec.years.to} is a simulation of the base scenario (${ctx.spec.base}): its workload, arrivals scaled by the year's workload factor w, on the fleet in service that year, on that year's grid, replaying the base scenario's calendar from ${ctx.scenario.workload.start}.`,
    `A year's workload is the base workload repeated back to back, one copy every ${(ctx.periodS / SECONDS_PER_DAY).toFixed(2)} days (${ctx.spec.period_days !== undefined ? "period_days" : "its span of submissions"}), for 365 days at w times its arrival rate (an assumption: the base workload stands for every part of the year); the simulation runs until the year's last job ends, and its figures are the year's.`,
    "Use-phase impacts and energy come from the simulations (jobs and idle nodes, PUE, the grid's intensity at each instant); embodied impacts (fabrication, transport, end of life) from the fleet: " +
      (plan.rule === "purchase" ? "whole, in the year a group is bought (footnote 33's accounting); the fleet in service in the first year is bought then." : "straight-line over each node type's declared lifetime while in service, the rest charged when a group is retired early, what is left at the horizon's end not charged.") +
      ` Totals under the other rule (${plan.rule === "purchase" ? "amortised" : "purchase"}) are given beside them.`,
    "Grid trajectories scale the carbon intensity (climate change) only; other categories keep their zones' per-kWh figures.",
    "Totals over the horizon are the sums of the years.",
  ];
}

/** Work that did not run, and tails past the simulated periods, in words. */
function warningsOf(plans: readonly PlanFigures[]): string[] {
  const out: string[] = [];
  for (const p of plans) {
    const years = p.years.filter((y) => y.jobs_not_run > 0);
    if (years.length > 0) out.push(`plan ${p.id}: ${years.map((y) => `${Math.round(y.jobs_not_run)} jobs in ${y.year}`).join(", ")} did not run (no pool could hold them, rejected, or never started): its impacts and waits miss that work`);
  }
  for (const p of plans) {
    const long = p.years.filter((y) => y.span_days > 365 * 1.05);
    if (long.length > 0) out.push(`plan ${p.id}: the year's last jobs end more than 5 % past its 365 days in ${long.map((y) => `${y.year} (${y.span_days.toFixed(0)} days)`).join(", ")}: the fleet does not keep up (a queue that grows), so that year's figures hold part of the next one's draw`);
  }
  return out;
}

/** Summaries of every simulation, by run key. @throws InputError naming the failed simulations */
function summariesOf(plan: StudyPlan, results: readonly SweepResult[], what: string): Map<string, RunSummary> {
  const failed = results.filter((r) => r.summary === undefined);
  if (failed.length > 0) {
    throw new InputError(failed.slice(0, 5).map((r) => ({ code: "invalid_value", file: what, path: `simulation ${r.index}`, message: `expected a summary, got ${r.error ? `${r.error.name}: ${r.error.message}` : "none"}` })));
  }
  return new Map(results.map((r) => [plan.runs[r.index].key, r.summary!]));
}

/** Figures and analysis of a study from its simulations' summaries. */
export async function summarizeStudy(ctx: StudyContext, plan: StudyPlan, summaries: ReadonlyMap<string, RunSummary>): Promise<StudySummary> {
  const method = await readScoreMethod(DEFAULT_SCORE_METHOD_PATH);
  const plans = plan.plans.map((p) => planFigures(ctx, plan, p, summaries, method));
  const spec = ctx.spec;
  return {
    study: spec.name,
    kind: spec.kind,
    description: spec.description ?? "",
    years: spec.years,
    embodied_accounting: plan.rule,
    period_days: ctx.periodS / SECONDS_PER_DAY,
    simulations: plan.runs.length,
    method: methodText(ctx, plan),
    warnings: warningsOf(plans),
    plans,
    ...(spec.kind === "lifetime" ? { lifetime: analyseLifetime(ctx, plan, plans) } : { growth: analyseGrowth(ctx, plans) }),
  };
}

async function prepare(options: StudyOptions): Promise<{ ctx: StudyContext; plan: StudyPlan; dir: string }> {
  const ctx = await loadStudyContext(options.file);
  if (options.kind && ctx.spec.kind !== options.kind) {
    throw new InputError([{ code: "invalid_value", file: options.file, path: "kind", message: `expected a ${options.kind} study (impactsim study ${options.kind}), got "${ctx.spec.kind}": run impactsim study ${ctx.spec.kind} ${options.file}`, value: ctx.spec.kind }]);
  }
  const plan = await planStudy(ctx);
  const dir = options.out ?? resolveFrom(options.file, ctx.spec.output.dir);
  prepareOutputDir(dir, options.out !== undefined ? "--out" : `${options.file}: output.dir`);
  return { ctx, plan, dir };
}

async function finish(ctx: StudyContext, plan: StudyPlan, dir: string, results: readonly SweepResult[]): Promise<{ summary: StudySummary; report: string }> {
  const summary = await summarizeStudy(ctx, plan, summariesOf(plan, results, join(dir, RESULTS)));
  writeAtomic(join(dir, STUDY_SUMMARY), finiteJson(summary, join(dir, STUDY_SUMMARY), 2) + "\n");
  const report = await writeStudyReport(dir);
  return { summary, report };
}

/**
 * Runs a study (or one shard of its simulations) and, unsharded, writes its summary and report.
 * @throws InputError on a bad study (every problem with its JSON path, before anything runs), or on resume into the folder of another study
 */
export async function runStudy(options: StudyOptions): Promise<StudyOutcome> {
  const { ctx, plan, dir } = await prepare(options);
  const tasks = await writeRunInputs(ctx, plan.runs, dir);
  const { shard } = options;
  const items = plan.runs
    .map((r, index) => ({
      index,
      group: index,
      replica: 0,
      values: { run: r.key.slice(0, 16), fleet: r.groups.map((g) => `${g.count} ${g.type}@${g.site}`).join(", "), workload: r.scale, ...(r.part ? { part: r.part.kind } : {}) },
      task: tasks.get(r.key)!,
    }))
    .filter((v) => !shard || v.index % shard.n === shard.i);
  const results = join(dir, shard ? shardFile(shard) : RESULTS);
  const outcome = await runBatch({
    dir,
    manifestFile: STUDY_MANIFEST,
    manifest: manifestOf(ctx.spec.name, plan.runs),
    what: "study",
    items,
    results,
    resume: options.resume,
    workers: options.workers,
    pool: options.pool,
    onProgress: options.onProgress,
  });
  const base = { dir, results, simulations: items.length, ran: outcome.ran, skipped: outcome.skipped, failed: outcome.failed, failures: outcome.failures };
  if (shard || outcome.failed > 0) return base;
  return { ...base, ...(await finish(ctx, plan, dir, outcome.results)) };
}

/**
 * Combines the shard files of a study's output folder into results.jsonl
 * (byte-identical to an unsharded run's) and writes its summary and report.
 * @throws InputError on a bad study, shards missing or of another study, or failed simulations
 */
export async function mergeStudy(options: Pick<StudyOptions, "file" | "out">): Promise<{ dir: string; results: string; summary: StudySummary; report: string }> {
  const { ctx, plan, dir } = await prepare(options);
  const manifest = manifestOf(ctx.spec.name, plan.runs);
  const previous = readManifest(dir, STUDY_MANIFEST);
  if (previous && previous.digest !== manifest.digest) {
    throw new InputError([{ code: "invalid_value", file: join(dir, STUDY_MANIFEST), message: `expected the shards of study "${manifest.name}" (${manifest.variants} simulations), got those of "${previous.name}" (${previous.variants} simulations) or of an edited study` }]);
  }
  const { path, results } = mergeShardFiles(dir, STUDY_MANIFEST, "study");
  return { dir, results: path, ...(await finish(ctx, plan, dir, results)) };
}
