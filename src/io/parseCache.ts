/**
 * A disk cache of what the readers of big input files parse (issue 13): a year
 * of 15-min grid rows took an estimate's cold start about 0.15 s of CPU to
 * split, parse and repair, and the 179 KB electricity-factor table a tenth of
 * a small run, every time, for the same file. A reader keeps its product (a
 * JSON head and Float64Arrays) in one binary file per file content and read
 * options, and the next process reads that instead.
 *
 * Safe when stale: the key is a SHA-256 of the file's bytes (read anyway, and
 * hashed in a few ms) with the reader's name and options (the label named in
 * messages included), this format's version, the byte order and the time-zone
 * data's version (naive local times are converted with it), so an edited
 * file, even one of the same size and time, or another reading of it, misses.
 * A cache file that is truncated, of another key or unreadable is ignored and
 * written again. Readers keep only what they read without an error: errors
 * are found by parsing.
 *
 * Where: IMPACTSIM_CACHE_DIR, else $XDG_CACHE_HOME/impactsim, else
 * ~/.cache/impactsim (not beside the CSV: shipped files sit in a checkout's
 * tracked folders or a read-only install). IMPACTSIM_CACHE=off turns it off.
 * Failing to write is not an error: the run goes on as without a cache.
 *
 * The same folder remembers which JSON input files passed their check
 * (checkedOnce): an empty file per file content, checker and build of
 * impactsim, so a scenario and platform checked once are not checked again
 * by zod at every start (about 30 ms of a 10-job run's 0.39 s of CPU).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { endianness, homedir } from "node:os";
import { join } from "node:path";

/** Bumped whenever a reader's product or this layout changes, so older cache files miss. */
const FORMAT = "impactsim-parse-1";
const MAGIC = 0x53534d49; // "IMSS"

/** A reader's product: a JSON head and arrays of doubles. */
export interface Cached<H> {
  readonly head: H;
  readonly arrays: readonly Float64Array[];
}

/** The cache folder, or undefined when caching is off. */
export function parseCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  if (env.IMPACTSIM_CACHE === "off" || env.IMPACTSIM_CACHE === "0") return undefined;
  if (env.IMPACTSIM_CACHE_DIR) return join(env.IMPACTSIM_CACHE_DIR, "parsed");
  const base = env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "impactsim", "parsed");
}

/** The cache key of a file's bytes read by `reader` with these options (hex SHA-256). */
export function parseCacheKey(reader: string, bytes: Uint8Array, options: unknown): string {
  const h = createHash("sha256");
  h.update(JSON.stringify([FORMAT, reader, endianness(), process.versions.tz ?? process.versions.icu ?? "", options]));
  h.update(bytes);
  return h.digest("hex");
}

/** The product kept under `key`, or undefined on a miss (absent, truncated, of another key or unreadable). */
export function readCached<H>(dir: string, key: string): Cached<H> | undefined {
  let buf: Buffer;
  try {
    buf = readFileSync(join(dir, `${key}.bin`));
  } catch {
    return undefined;
  }
  try {
    if (buf.length < 8 || buf.readUInt32LE(0) !== MAGIC) return undefined;
    const headLen = buf.readUInt32LE(4);
    const file = JSON.parse(buf.toString("utf8", 8, 8 + headLen)) as { key: string; lengths: number[]; head: H };
    if (file.key !== key) return undefined;
    let at = align8(8 + headLen);
    if (buf.length !== at + 8 * file.lengths.reduce((a, b) => a + b, 0)) return undefined;
    const arrays = file.lengths.map((n) => {
      // A copy, so the array owns aligned memory whatever the buffer's offset.
      const a = new Float64Array(n);
      new Uint8Array(a.buffer).set(buf.subarray(at, at + 8 * n));
      at += 8 * n;
      return a;
    });
    return { head: file.head, arrays };
  } catch {
    return undefined;
  }
}

/** Keeps a product under `key` (through a temporary file and a rename); false when it could not. */
export function writeCached<H>(dir: string, key: string, c: Cached<H>): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    const head = Buffer.from(JSON.stringify({ key, lengths: c.arrays.map((a) => a.length), head: c.head }), "utf8");
    let at = align8(8 + head.length);
    const out = Buffer.alloc(at + 8 * c.arrays.reduce((n, a) => n + a.length, 0));
    out.writeUInt32LE(MAGIC, 0);
    out.writeUInt32LE(head.length, 4);
    head.copy(out, 8);
    for (const a of c.arrays) {
      out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
      at += a.byteLength;
    }
    const path = join(dir, `${key}.bin`);
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, out);
    renameSync(tmp, path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The product of `parse` on a file's bytes: kept from an earlier process when
 * there is one (see the module comment), else parsed and kept.
 * @param toCache the product as a head and arrays; fromCache, back
 */
export function cachedParse<T, H>(reader: string, bytes: Uint8Array, options: unknown, parse: () => T, toCache: (t: T) => Cached<H>, fromCache: (c: Cached<H>) => T): T {
  const dir = parseCacheDir();
  if (dir === undefined) return parse();
  const key = parseCacheKey(reader, bytes, options);
  const hit = readCached<H>(dir, key);
  if (hit) {
    try {
      return fromCache(hit);
    } catch {
      // A head of an unexpected shape: parse again and keep the new product.
    }
  }
  const product = parse();
  writeCached(dir, key, toCache(product));
  return product;
}

declare const __IMPACTSIM_BUILD__: string | undefined;

/**
 * The identity of the bundle this code runs from (a SHA-256 of dist/'s code
 * that scripts/build.mjs writes into it), or undefined when running from the
 * sources (tsx, vitest, the compiled library): only a bundle knows for sure
 * which checks it holds, so only a bundle remembers files as checked.
 */
export const BUILD_ID: string | undefined = typeof __IMPACTSIM_BUILD__ === "string" ? __IMPACTSIM_BUILD__ : undefined;

/**
 * The issues of `check` on a file's text, or none without running it when
 * this build found none in the same text before (an empty marker file named
 * by a SHA-256 of the checker's name, the build, Node's version, the time-zone
 * data and the text; written only after a check found nothing). A check must
 * depend on the text alone. Off without a build id or with IMPACTSIM_CACHE=off.
 * @param checker names the check, e.g. "scenario"
 */
export function checkedOnce<I>(checker: string, text: string, check: () => I[], build: string | undefined = BUILD_ID): I[] {
  const dir = build === undefined ? undefined : parseCacheDir();
  if (dir === undefined) return check();
  const h = createHash("sha256");
  h.update(JSON.stringify([FORMAT, "checked", checker, build, process.version, process.versions.tz ?? process.versions.icu ?? ""]));
  h.update(text);
  const marker = join(dir, `${h.digest("hex")}.checked`);
  if (existsSync(marker)) return [];
  const issues = check();
  if (issues.length === 0) {
    try {
      mkdirSync(dir, { recursive: true });
      // Empty: its existence is the whole record, so a reader never sees half of one.
      writeFileSync(marker, "");
    } catch {
      // Not remembered: the next start checks again.
    }
  }
  return issues;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
