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
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { InputError } from "../core/index.js";
import { loadScenario, resolveFrom } from "../io/index.js";
import { createPool, type RunPool } from "./pool.js";
import { prepareOutputDir } from "../io/index.js";
import { expandSweep, loadSweep, variantTask, type Variant } from "./spec.js";
import { summarizeSweep, type SweepResult, type SweepSummary } from "./stats.js";

export interface Shard {
  /** 0-based shard number, < n. */
  readonly i: number;
  readonly n: number;
}

export interface SweepProgress {
  /** Variants of this run (shard) finished so far, skipped ones included. */
  readonly done: number;
  readonly total: number;
  /** Variants found already done on resume. */
  readonly skipped: number;
  readonly failed: number;
}

export interface SweepOptions {
  /** Sweep file. */
  readonly file: string;
  /** Worker threads (default: cores, at most one per variant to run); 0 or 1 runs in-process. Ignored with `pool`. */
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
}

export const MANIFEST = "sweep.json";
export const RESULTS = "results.jsonl";
export const SUMMARY = "summary.json";
export const shardFile = (s: Shard) => `results.shard-${s.i}-of-${s.n}.jsonl`;
const SHARD_RE = /^results\.shard-(\d+)-of-(\d+)\.jsonl$/;

/**
 * "i/n" as a Shard.
 * @throws InputError unless 0 <= i < n are integers
 */
export function parseShard(text: string, file = "--shard"): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const shard = m ? { i: Number(m[1]), n: Number(m[2]) } : undefined;
  if (!shard || shard.n < 1 || shard.i >= shard.n) throw new InputError([{ code: "invalid_value", file, message: `expected i/n with 0 <= i < n, e.g. 0/4, got "${text}"`, value: text }]);
  return shard;
}

interface Manifest {
  readonly name: string;
  readonly variants: number;
  readonly digest: string;
}

function manifestOf(name: string, variants: readonly Variant[]): Manifest {
  return { name, variants: variants.length, digest: createHash("sha256").update(JSON.stringify(variants)).digest("hex") };
}

function readManifest(dir: string): Manifest | undefined {
  const p = join(dir, MANIFEST);
  return existsSync(p) ? (JSON.parse(readFileSync(p, "utf8")) as Manifest) : undefined;
}

/** The parsable lines of a JSON-lines file (a truncated last line of an interrupted run is dropped). */
function readLines(path: string): { line: string; result: SweepResult }[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .flatMap((line) => {
      if (line.trim() === "") return [];
      try {
        return [{ line, result: JSON.parse(line) as SweepResult }];
      } catch {
        return [];
      }
    });
}

/** Writes `text` to `path` through a temporary file and a rename, so readers never see half a file. */
function writeAtomic(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

function writeSummary(dir: string, results: readonly SweepResult[]): SweepSummary {
  const summary = summarizeSweep(results);
  writeAtomic(join(dir, SUMMARY), JSON.stringify(summary, null, 2) + "\n");
  return summary;
}

/** The line of a variant's result: fixed key order, so it is the same from any thread. */
function resultLine(v: Variant, outcome: Pick<SweepResult, "summary" | "error">): string {
  const r: SweepResult = { index: v.index, group: v.group, replica: v.replica, values: v.values, ...(v.seed !== undefined ? { seed: v.seed } : {}), ...outcome };
  return JSON.stringify(r);
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
  const manifest = manifestOf(spec.name, variants);
  const previous = readManifest(dir);
  if (options.resume && previous && previous.digest !== manifest.digest) {
    throw new InputError([{ code: "invalid_value", file: join(dir, MANIFEST), message: `expected the results of sweep "${spec.name}" (${variants.length} variants) to resume, got those of "${previous.name}" (${previous.variants} variants) or of an edited sweep` }]);
  }
  writeAtomic(join(dir, MANIFEST), JSON.stringify(manifest, null, 2) + "\n");

  const results = join(dir, shard ? shardFile(shard) : RESULTS);
  const partial = `${results}.partial`;
  const lines = new Map<number, string>();
  const parsed = new Map<number, SweepResult>();
  if (options.resume) {
    const mineByIndex = new Map(mine.map((v) => [v.index, v]));
    for (const { line, result } of [...readLines(results), ...readLines(partial)]) {
      const v = mineByIndex.get(result.index);
      if (!v || result.summary === undefined || lines.has(v.index)) continue;
      if (JSON.stringify(result.values) !== JSON.stringify(v.values) || result.seed !== v.seed) continue;
      lines.set(v.index, line);
      parsed.set(v.index, result);
    }
  }
  // The partial file restarts from the kept lines, without any truncated or failed one.
  writeFileSync(partial, [...lines.values()].map((l) => l + "\n").join(""));
  const skipped = lines.size;
  const todo = mine.filter((v) => !lines.has(v.index));

  let failed = 0;
  const failures: { index: number; name: string; message: string }[] = [];
  const progress = () => options.onProgress?.({ done: lines.size, total: mine.length, skipped, failed });
  progress();
  const pool = options.pool ?? createPool({ workers: Math.min(options.workers ?? availableParallelism(), todo.length) });
  try {
    await Promise.all(
      todo.map((v) =>
        pool.run(variantTask(v, scenarioPath, scenario)).then(
          (r) => ({ summary: r.summary }),
          (err: unknown) => {
            failed++;
            const error = err instanceof Error ? { name: err.name, message: err.message } : { name: "Error", message: String(err) };
            failures.push({ index: v.index, ...error });
            return { error };
          },
        ).then((outcome) => {
          const line = resultLine(v, outcome);
          appendFileSync(partial, line + "\n");
          lines.set(v.index, line);
          parsed.set(v.index, JSON.parse(line) as SweepResult);
          progress();
        }),
      ),
    );
  } finally {
    if (!options.pool) await pool.close();
  }

  const order = [...lines.keys()].sort((a, b) => a - b);
  writeAtomic(results, order.map((i) => lines.get(i) + "\n").join(""));
  rmSync(partial, { force: true });
  const summary = shard ? undefined : writeSummary(dir, order.map((i) => parsed.get(i)!));
  failures.sort((a, b) => a.index - b.index);
  return { dir, results, variants: mine.length, ran: todo.length, skipped, failed, failures, ...(summary ? { summary } : {}) };
}

/**
 * Combines the shard files of `dir` (results.shard-i-of-n.jsonl, all n of
 * them) into results.jsonl, byte-identical to an unsharded run's, and writes
 * summary.json. Returns the path of results.jsonl.
 * @throws InputError on no shard files, shards of different counts, a missing shard,
 *   a variant missing or present twice, or no sweep.json
 */
export function mergeShards(dir: string): string {
  const manifest = readManifest(dir);
  const fail = (message: string, file = dir): never => {
    throw new InputError([{ code: "invalid_value", file, message }]);
  };
  if (!manifest) fail(`expected ${MANIFEST} of the sweep, got none`);
  const shards = readdirSync(dir).flatMap((f) => {
    const m = SHARD_RE.exec(f);
    return m ? [{ file: f, i: Number(m[1]), n: Number(m[2]) }] : [];
  });
  if (shards.length === 0) fail("expected shard files results.shard-i-of-n.jsonl, got none");
  const n = shards[0].n;
  if (shards.some((s) => s.n !== n)) fail(`expected shards of one count, got ${[...new Set(shards.map((s) => s.n))].join(" and ")}`);
  const missingShards = Array.from({ length: n }, (_, i) => i).filter((i) => !shards.some((s) => s.i === i));
  if (missingShards.length > 0) fail(`expected all ${n} shards, missing ${missingShards.map((i) => `${i}/${n}`).join(", ")}`);

  const lines = new Map<number, { line: string; result: SweepResult }>();
  for (const s of shards.sort((a, b) => a.i - b.i)) {
    for (const entry of readLines(join(dir, s.file))) {
      const { index } = entry.result;
      if (index % n !== s.i) fail(`expected variants whose index % ${n} is ${s.i}, got variant ${index}`, join(dir, s.file));
      if (lines.has(index)) fail(`expected variant ${index} once, got it twice`, join(dir, s.file));
      lines.set(index, entry);
    }
  }
  const missing = Array.from({ length: manifest!.variants }, (_, i) => i).filter((i) => !lines.has(i));
  if (missing.length > 0) fail(`expected all ${manifest!.variants} variants, missing ${missing.length}: ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? ", …" : ""}`);
  const order = [...lines.keys()].sort((a, b) => a - b);
  const out = join(dir, RESULTS);
  writeAtomic(out, order.map((i) => lines.get(i)!.line + "\n").join(""));
  writeSummary(dir, order.map((i) => lines.get(i)!.result));
  return out;
}
