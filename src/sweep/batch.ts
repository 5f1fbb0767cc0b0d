/**
 * The machinery sweeps and studies share: run a list of indexed run tasks (or
 * one shard of them) on the worker pool, stream each result to disk as one
 * JSON line when it finishes, keep what an interrupted run wrote on resume,
 * write the final file sorted by index, and merge shard files into the file an
 * unsharded run writes, byte for byte.
 *
 * A line depends only on its item (runs are pure functions of their task) and
 * lines are ordered by index, so the output is the same whatever the number of
 * workers and however the list is sharded.
 */
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../core/index.js";
import { createPool, type RunPool, type RunTask } from "./pool.js";
import type { SweepResult } from "./stats.js";

export interface Shard {
  /** 0-based shard number, < n. */
  readonly i: number;
  readonly n: number;
}

export interface SweepProgress {
  /** Items of this run (shard) finished so far, skipped ones included. */
  readonly done: number;
  readonly total: number;
  /** Items found already done on resume. */
  readonly skipped: number;
  readonly failed: number;
}

/** One run of a batch: where its line goes (index), what identifies it (values, seed) and what to run. */
export interface BatchItem {
  readonly index: number;
  readonly group: number;
  readonly replica: number;
  readonly values: Readonly<Record<string, unknown>>;
  readonly seed?: number;
  readonly task: RunTask;
}

/** The manifest of a batch's folder: resume and merge refuse results of another batch. */
export interface BatchManifest {
  readonly name: string;
  readonly variants: number;
  readonly digest: string;
}

export interface BatchOptions {
  readonly dir: string;
  /** Manifest file name in `dir`. */
  readonly manifestFile: string;
  readonly manifest: BatchManifest;
  /** What the batch is, in messages ("sweep", "study"). */
  readonly what: string;
  /** The items of this run (all, or one shard's). */
  readonly items: readonly BatchItem[];
  /** Path of the results file this run writes. */
  readonly results: string;
  readonly resume?: boolean;
  /** Lanes (default: up to cores, at most one per item to run, worker threads started once the work left repays them: pool.ts, "when-worth-it"); 0 or 1 runs in-process. Ignored with `pool`. */
  readonly workers?: number;
  /** An existing pool (left open). */
  readonly pool?: RunPool;
  readonly onProgress?: (p: SweepProgress) => void;
}

export interface BatchOutcome {
  /** This run's lines in index order (an `error` instead of a `summary` when the run failed). */
  readonly results: readonly SweepResult[];
  readonly ran: number;
  readonly skipped: number;
  readonly failed: number;
  /** The items that failed in this run, in index order, with their error's class and message. */
  readonly failures: readonly { readonly index: number; readonly name: string; readonly message: string }[];
  /** Lanes that ran items (RunPool.lanesUsed; at least 1). */
  readonly lanes: number;
}

export const shardFile = (s: Shard) => `results.shard-${s.i}-of-${s.n}.jsonl`;
const SHARD_RE = /^results\.shard-(\d+)-of-(\d+)\.jsonl$/;
export const RESULTS = "results.jsonl";

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

/** A manifest whose digest covers the whole list of items (as JSON), so any change to it is seen. */
export function manifestOf(name: string, items: readonly unknown[]): BatchManifest {
  return { name, variants: items.length, digest: createHash("sha256").update(JSON.stringify(items)).digest("hex") };
}

export function readManifest(dir: string, file: string): BatchManifest | undefined {
  const p = join(dir, file);
  return existsSync(p) ? (JSON.parse(readFileSync(p, "utf8")) as BatchManifest) : undefined;
}

/** The parsable lines of a JSON-lines file (a truncated last line of an interrupted run is dropped). */
export function readLines(path: string): { line: string; result: SweepResult }[] {
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
export function writeAtomic(path: string, text: string): void {
  writeAtomicBytes(path, text);
}

/** writeAtomic for bytes; the temporary name holds the process id, so processes writing the same file never share one. */
export function writeAtomicBytes(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** The line of an item's result: fixed key order, so it is the same from any thread. */
function resultLine(v: BatchItem, outcome: Pick<SweepResult, "summary" | "error">): string {
  const r: SweepResult = { index: v.index, group: v.group, replica: v.replica, values: v.values, ...(v.seed !== undefined ? { seed: v.seed } : {}), ...outcome };
  return JSON.stringify(r);
}

/**
 * Runs a batch's items (see the module comment) and writes its results file.
 * An item whose run fails gets an `error` line and the batch goes on; resume runs it again.
 * @throws InputError on resume into the folder of another batch
 */
export async function runBatch(o: BatchOptions): Promise<BatchOutcome> {
  const { dir, manifest, items } = o;
  const previous = readManifest(dir, o.manifestFile);
  if (o.resume && previous && previous.digest !== manifest.digest) {
    throw new InputError([{ code: "invalid_value", file: join(dir, o.manifestFile), message: `expected the results of ${o.what} "${manifest.name}" (${manifest.variants} variants) to resume, got those of "${previous.name}" (${previous.variants} variants) or of an edited ${o.what}` }]);
  }
  writeAtomic(join(dir, o.manifestFile), JSON.stringify(manifest, null, 2) + "\n");

  const partial = `${o.results}.partial`;
  const lines = new Map<number, string>();
  const parsed = new Map<number, SweepResult>();
  if (o.resume) {
    const mine = new Map(items.map((v) => [v.index, v]));
    for (const { line, result } of [...readLines(o.results), ...readLines(partial)]) {
      const v = mine.get(result.index);
      if (!v || result.summary === undefined || lines.has(v.index)) continue;
      if (JSON.stringify(result.values) !== JSON.stringify(v.values) || result.seed !== v.seed) continue;
      lines.set(v.index, line);
      parsed.set(v.index, result);
    }
  }
  // The partial file restarts from the kept lines, without any truncated or failed one.
  writeFileSync(partial, [...lines.values()].map((l) => l + "\n").join(""));
  const skipped = lines.size;
  const todo = items.filter((v) => !lines.has(v.index));

  let failed = 0;
  const failures: { index: number; name: string; message: string }[] = [];
  const progress = () => o.onProgress?.({ done: lines.size, total: items.length, skipped, failed });
  progress();
  const pool = o.pool ?? createPool({ workers: o.workers, tasks: todo.length });
  try {
    await Promise.all(
      todo.map((v) =>
        pool.run(v.task).then(
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
    if (!o.pool) await pool.close();
  }

  const order = [...lines.keys()].sort((a, b) => a - b);
  writeAtomic(o.results, order.map((i) => lines.get(i) + "\n").join(""));
  rmSync(partial, { force: true });
  failures.sort((a, b) => a.index - b.index);
  const lanes = Math.max(1, pool.lanesUsed);
  return { results: order.map((i) => parsed.get(i)!), ran: todo.length, skipped, failed, failures, lanes };
}

/**
 * Combines the shard files of `dir` (results.shard-i-of-n.jsonl, all n of
 * them) into results.jsonl, byte-identical to an unsharded run's. Returns the
 * path written and the results in index order.
 * @throws InputError on no manifest, no shard files, shards of different counts,
 *   a missing shard, or an item missing or present twice
 */
export function mergeShardFiles(dir: string, manifestFile: string, what: string): { path: string; results: SweepResult[] } {
  const manifest = readManifest(dir, manifestFile);
  const fail = (message: string, file = dir): never => {
    throw new InputError([{ code: "invalid_value", file, message }]);
  };
  if (!manifest) fail(`expected ${manifestFile} of the ${what}, got none`);
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
  return { path: out, results: order.map((i) => lines.get(i)!.result) };
}
