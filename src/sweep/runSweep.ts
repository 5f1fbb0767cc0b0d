/**
 * Running a sweep (issue 5): the variants of a sweep file (or of one shard of
 * it) on the worker pool, each result streamed to disk as one JSON line when
 * it finishes, the final file sorted by variant index, and shards merged into
 * the file an unsharded run writes, byte for byte.
 *
 * Files in the output folder:
 * - `sweep.json`: the sweep's name, variant count and a digest of its expansion,
 *   so resume and merge refuse results of another sweep;
 * - `results.jsonl` (or `results.shard-i-of-n.jsonl`): one line per variant,
 *   `{index, group, replica, values, seed?, summary}` (or `error` instead of
 *   `summary` when the run failed), sorted by index;
 * - `<results file>.partial` while running: lines in completion order, appended
 *   as runs finish; an interrupted sweep leaves it behind for `resume`;
 * - `summary.json`: per-group means with 95 % intervals and the Pareto front
 *   (stats.ts), written by an unsharded run and by mergeShards.
 *
 * A variant's line depends only on the variant (runs are pure functions of
 * their task), and lines are ordered by index, so the output is the same
 * whatever the number of workers and however the sweep is sharded.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../core/index.js";
import { loadScenario, resolveFrom } from "../io/index.js";
import { prepareOutputDir } from "../io/index.js";
import { manifestOf, mergeShardFiles, runBatch, shardFile, writeAtomic, RESULTS, type Shard, type SweepProgress } from "./batch.js";
import type { RunPool } from "./pool.js";
import { expandSweep, loadSweep, variantTask } from "./spec.js";
import { summarizeSweep, type SweepResult, type SweepSummary } from "./stats.js";

export { parseShard, shardFile, RESULTS, type Shard, type SweepProgress } from "./batch.js";

export interface SweepOptions {
  /** Sweep file. */
  readonly file: string;
  /** Lanes (default: up to cores, at most one per variant to run, worker threads started once the work left repays them: pool.ts, "when-worth-it"); 0 or 1 runs in-process. Ignored with `pool`. */
  readonly workers?: number;
  /** Run only the variants whose index % n === i. */
  readonly shard?: Shard;
  /** Keep the results already in the output folder and run only the missing (or failed) variants. */
  readonly resume?: boolean;
  /** Output folder, instead of the sweep file's output.dir (relative to the sweep file). */
  readonly out?: string;
  readonly onProgress?: (p: SweepProgress) => void;
  /** An existing pool (left open). */
  readonly pool?: RunPool;
  /** Refuse sweeps of more variants (default MAX_SWEEP_VARIANTS). */
  readonly maxVariants?: number;
}

export interface SweepOutcome {
  readonly dir: string;
  /** The results file written. */
  readonly results: string;
  /** Variants of this run (shard). */
  readonly variants: number;
  readonly ran: number;
  readonly skipped: number;
  readonly failed: number;
  /** The variants that failed in this run, in index order, with their error's class and message. */
  readonly failures: readonly { readonly index: number; readonly name: string; readonly message: string }[];
  /** Written to summary.json by an unsharded run; undefined for a shard. */
  readonly summary?: SweepSummary;
  /** Lanes the variants ran on (batch.ts BatchOutcome.lanes). */
  readonly lanes: number;
}

export const MANIFEST = "sweep.json";
export const SUMMARY = "summary.json";
/** The manifest of a study folder (sweep/study/): merged by impactsim study merge, not as a sweep. */
const STUDY_MANIFEST = "study.json";

function writeSummary(dir: string, results: readonly SweepResult[]): SweepSummary {
  const summary = summarizeSweep(results);
  writeAtomic(join(dir, SUMMARY), JSON.stringify(summary, null, 2) + "\n");
  return summary;
}

/**
 * Runs a sweep file (or one shard of it) and writes its results (see the module comment).
 * A variant whose run fails gets an `error` line and the sweep goes on; resume runs it again.
 * @throws InputError on a bad sweep or base scenario file, or on resume into the folder of another sweep
 */
export async function runSweep(options: SweepOptions): Promise<SweepOutcome> {
  const { file, shard } = options;
  const spec = await loadSweep(file);
  const variants = expandSweep(spec, file, options.maxVariants);
  const scenarioPath = resolveFrom(file, spec.base);
  const scenario = await loadScenario(scenarioPath);
  const mine = shard ? variants.filter((v) => v.index % shard.n === shard.i) : variants;

  const dir = options.out ?? resolveFrom(file, spec.output.dir);
  prepareOutputDir(dir, options.out !== undefined ? "--out" : `${file}: output.dir`);
  const results = join(dir, shard ? shardFile(shard) : RESULTS);
  const outcome = await runBatch({
    dir,
    manifestFile: MANIFEST,
    manifest: manifestOf(spec.name, variants),
    what: "sweep",
    items: mine.map((v) => ({ index: v.index, group: v.group, replica: v.replica, values: v.values, ...(v.seed !== undefined ? { seed: v.seed } : {}), task: variantTask(v, scenarioPath, scenario) })),
    results,
    resume: options.resume,
    workers: options.workers,
    pool: options.pool,
    onProgress: options.onProgress,
  });
  const summary = shard ? undefined : writeSummary(dir, outcome.results);
  return { dir, results, variants: mine.length, ran: outcome.ran, skipped: outcome.skipped, failed: outcome.failed, failures: outcome.failures, lanes: outcome.lanes, ...(summary ? { summary } : {}) };
}

/**
 * Combines the shard files of `dir` (results.shard-i-of-n.jsonl, all n of
 * them) into results.jsonl, byte-identical to an unsharded run's, and writes
 * summary.json. Returns the path of results.jsonl.
 * @throws InputError on no shard files, shards of different counts, a missing shard,
 *   a variant missing or present twice, no sweep.json, or the folder of a study
 */
export function mergeShards(dir: string): string {
  if (existsSync(join(dir, STUDY_MANIFEST)) && !existsSync(join(dir, MANIFEST))) {
    throw new InputError([{ code: "invalid_value", file: dir, message: `expected a sweep folder, got a study's (${STUDY_MANIFEST}): merge it with impactsim study merge ${dir}` }]);
  }
  const { path, results } = mergeShardFiles(dir, MANIFEST, "sweep");
  writeSummary(dir, results);
  return path;
}
