/**
 * A disk cache of parsed grid series (issue 13): a year of 15-min rows took
 * an estimate's cold start about 0.15 s of CPU to split, parse and repair,
 * every time, for the same file. readSeriesCsv keeps what it parsed (times,
 * values, step and the adjustments it recorded) in one binary file per file
 * content and read options, and the next process reads that instead.
 *
 * Safe when stale: the key is a SHA-256 of the file's bytes (read anyway, and
 * hashed in a few ms) with every read option, the label named in messages,
 * this format's version, the byte order and the time-zone data's version
 * (naive local times are converted with it), so an edited file, even one of the same size and
 * time, or another reading of it, misses. A cache file that is truncated,
 * of another key or unreadable is ignored and written again.
 *
 * Where: IMPACTSIM_CACHE_DIR, else $XDG_CACHE_HOME/impactsim, else
 * ~/.cache/impactsim (not beside the CSV: shipped series sit in a checkout's
 * tracked folders or a read-only install). IMPACTSIM_CACHE=off turns it off.
 * Failing to write is not an error: the run goes on as without a cache.
 * Only series read without an error are kept; errors are found by parsing.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { endianness, homedir } from "node:os";
import { join } from "node:path";
import type { Issue } from "../core/index.js";

/** Bumped whenever the parser's output or this layout changes, so older cache files miss. */
const FORMAT = "impactsim-series-1";
const MAGIC = 0x53534d49; // "IMSS"

/** What a parse yields and the cache keeps. */
export interface CachedSeries {
  readonly file: string;
  readonly times: Float64Array;
  readonly step: number;
  readonly columns: readonly string[];
  readonly values: Float64Array;
  /** Adjustments recorded while parsing, in order, to record again on a hit. */
  readonly adjustments: readonly Issue[];
}

/** The cache folder, or undefined when caching is off. */
export function seriesCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.IMPACTSIM_CACHE === "off" || env.IMPACTSIM_CACHE === "0") return undefined;
  if (env.IMPACTSIM_CACHE_DIR) return join(env.IMPACTSIM_CACHE_DIR, "series");
  const base = env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "impactsim", "series");
}

/** The cache key of a file's bytes read with these options (hex SHA-256). */
export function seriesCacheKey(bytes: Uint8Array, options: Readonly<Record<string, unknown>>): string {
  const h = createHash("sha256");
  h.update(JSON.stringify([FORMAT, endianness(), process.versions.tz ?? process.versions.icu ?? "", options]));
  h.update(bytes);
  return h.digest("hex");
}

/** The cached parse of `key`, or undefined on a miss (absent, truncated, of another key or unreadable). */
export function readCachedSeries(dir: string, key: string): CachedSeries | undefined {
  let buf: Buffer;
  try {
    buf = readFileSync(join(dir, `${key}.bin`));
  } catch {
    return undefined;
  }
  try {
    if (buf.length < 8 || buf.readUInt32LE(0) !== MAGIC) return undefined;
    const headLen = buf.readUInt32LE(4);
    const head = JSON.parse(buf.toString("utf8", 8, 8 + headLen)) as { key: string; file: string; step: number; columns: string[]; rows: number; adjustments: Issue[] };
    if (head.key !== key) return undefined;
    const at = align8(8 + headLen);
    const nValues = head.rows * head.columns.length;
    if (buf.length !== at + 8 * (head.rows + nValues)) return undefined;
    // Copies, so the arrays own aligned memory whatever the buffer's offset.
    const times = new Float64Array(head.rows);
    const values = new Float64Array(nValues);
    new Uint8Array(times.buffer).set(buf.subarray(at, at + 8 * head.rows));
    new Uint8Array(values.buffer).set(buf.subarray(at + 8 * head.rows));
    return { file: head.file, times, step: head.step, columns: head.columns, values, adjustments: head.adjustments };
  } catch {
    return undefined;
  }
}

/** Writes a parse under `key` (through a temporary file and a rename); false when it could not. */
export function writeCachedSeries(dir: string, key: string, s: CachedSeries): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    const head = Buffer.from(JSON.stringify({ key, file: s.file, step: s.step, columns: s.columns, rows: s.times.length, adjustments: s.adjustments }), "utf8");
    const at = align8(8 + head.length);
    const out = Buffer.alloc(at + 8 * (s.times.length + s.values.length));
    out.writeUInt32LE(MAGIC, 0);
    out.writeUInt32LE(head.length, 4);
    head.copy(out, 8);
    out.set(new Uint8Array(s.times.buffer, s.times.byteOffset, s.times.byteLength), at);
    out.set(new Uint8Array(s.values.buffer, s.values.byteOffset, s.values.byteLength), at + s.times.byteLength);
    const path = join(dir, `${key}.bin`);
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, out);
    renameSync(tmp, path);
    return true;
  } catch {
    return false;
  }
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
