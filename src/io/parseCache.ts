/**
 * A disk cache of what the readers of big input files parse (issue 13): a year
 * of 15-min grid rows took an estimate's cold start about 0.15 s of CPU to
 * split, parse and repair, and the 179 KB electricity-factor table a tenth of
 * a small run, every time, for the same file. A reader keeps its product (a
 * JSON head and Float64Arrays) in one binary file per file content and read
 * options, and the next process reads that instead.
 *
 * Safe when stale: the key is a SHA-256 of the file's bytes (read a chunk at a
 * time, hashed in a few ms) with the reader's name and options (the label named in
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
 *
 * Bounded: a hit sets its file's time to now, and a write that leaves more
 * than CACHE_MAX_FILES files removes the least recently used down to
 * CACHE_KEEP_FILES and CACHE_KEEP_BYTES (a development checkout, whose every
 * edit makes a new build, and test suites, whose every temporary file is new
 * content, would otherwise fill it: 837 files, 32 MB, in one day here).
 */
import { createHash, type Hash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { endianness, homedir } from "node:os";
import { join } from "node:path";
import { readFileBytes, unreadable } from "./readText.js";

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

/** The hash a cache key starts from: the format, the reader and its options, and what else changes a product. */
function keyHash(reader: string, options: unknown): Hash {
  const h = createHash("sha256");
  h.update(JSON.stringify([FORMAT, reader, endianness(), process.versions.tz ?? process.versions.icu ?? "", options]));
  return h;
}

/** The cache key of a file's bytes read by `reader` with these options (hex SHA-256). */
export function parseCacheKey(reader: string, bytes: Uint8Array, options: unknown): string {
  return keyHash(reader, options).update(bytes).digest("hex");
}

/** Bytes read at a time when a file is only hashed: one small buffer, reused, instead of the whole file in memory. */
const HASH_CHUNK = 1 << 17;

/**
 * parseCacheKey of the file at `path`, read a chunk at a time: a cache hit
 * never needs the file's bytes at once, and the pages of a whole-file buffer
 * (2 MB for a year of two grid series) cost a cold start more than hashing.
 * @throws the file system's error when the file cannot be read
 */
export function parseCacheKeyOfFile(reader: string, path: string, options: unknown): string {
  return hashFile(keyHash(reader, options), path).digest("hex");
}

/**
 * Feeds a file's bytes to a hash a chunk at a time (one small buffer), never
 * the whole file in memory. Typed by what it calls, so the library's
 * declarations name no Node.js type (a consumer need not install them).
 * @throws the file system's error when the file cannot be read
 */
export function hashFile<H extends { update(chunk: Uint8Array): unknown }>(h: H, path: string): H {
  const chunk = Buffer.allocUnsafe(HASH_CHUNK);
  const fd = openSync(path, "r");
  try {
    for (let n; (n = readSync(fd, chunk, 0, HASH_CHUNK, null)) > 0; ) h.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h;
}

/** The product kept under `key`, or undefined on a miss (absent, truncated, of another key or unreadable). */
export function readCached<H>(dir: string, key: string): Cached<H> | undefined {
  const path = join(dir, `${key}.bin`);
  let buf: Buffer;
  try {
    buf = readFileSync(path);
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
      // The file's own bytes where they are aligned (a buffer this size is not pooled: it starts at 0), else a copy:
      // a copy's fresh pages cost a cold start more than the copying.
      const offset = buf.byteOffset + at;
      const a = offset % 8 === 0 ? new Float64Array(buf.buffer, offset, n) : new Float64Array(n);
      if (a.buffer !== buf.buffer) new Uint8Array(a.buffer).set(buf.subarray(at, at + 8 * n));
      at += 8 * n;
      return a;
    });
    used(path);
    return { head: file.head, arrays };
  } catch {
    return undefined;
  }
}

/** Files the cache folder may hold before a write prunes it (see the module comment), and what pruning keeps. */
export const CACHE_MAX_FILES = 600;
export const CACHE_KEEP_FILES = 500;
export const CACHE_KEEP_BYTES = 256 * 1024 * 1024;
/** A temporary file this old was left by a process that died while writing. */
const STALE_TMP_MS = 3600 * 1000;

/** Marks a cache file as just used (its time set to now); true when it exists. */
function used(path: string): boolean {
  const now = new Date();
  try {
    utimesSync(path, now, now);
    return true;
  } catch (err) {
    // A cache folder shared read-only: the file may be there all the same.
    return (err as NodeJS.ErrnoException).code === "ENOENT" ? false : existsSync(path);
  }
}

/**
 * Removes the least recently used cache files when the folder holds more than
 * maxFiles: keeps the newest up to keepFiles and keepBytes (and temporary files
 * of writes under way). Run after a write, which has just parsed a whole file,
 * so a listing of the folder costs little beside it. Errors are ignored.
 */
export function pruneParseCache(dir: string, { maxFiles = CACHE_MAX_FILES, keepFiles = CACHE_KEEP_FILES, keepBytes = CACHE_KEEP_BYTES, now = Date.now() } = {}): void {
  try {
    const names = readdirSync(dir);
    if (names.length <= maxFiles) return;
    const files: { path: string; time: number; size: number }[] = [];
    for (const name of names) {
      const path = join(dir, name);
      const st = statSync(path, { throwIfNoEntry: false });
      if (st === undefined || !st.isFile()) continue;
      if (name.endsWith(".tmp")) {
        if (now - st.mtimeMs > STALE_TMP_MS) rmSync(path, { force: true });
        continue;
      }
      files.push({ path, time: st.mtimeMs, size: st.size });
    }
    files.sort((a, b) => b.time - a.time);
    let bytes = 0;
    files.forEach((f, i) => {
      bytes += f.size;
      if (i >= keepFiles || bytes > keepBytes) rmSync(f.path, { force: true });
    });
  } catch {
    // Pruning is housekeeping: a run never fails for it.
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
    pruneParseCache(dir);
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

/**
 * cachedParse of the file at `path`: on a hit, the file is only hashed a
 * chunk at a time (parseCacheKeyOfFile), never held whole; on a miss, or
 * with the cache off, it is read whole and parsed, and kept under the key of
 * the bytes parsed (the file may have changed since it was hashed).
 * @param label the file's name in messages
 * @throws InputError (io_error) when the file cannot be read; what parse throws
 */
export async function cachedParseFile<T, H>(reader: string, path: string, label: string, options: unknown, parse: (bytes: Uint8Array) => T, toCache: (t: T) => Cached<H>, fromCache: (c: Cached<H>) => T): Promise<T> {
  const dir = parseCacheDir();
  if (dir !== undefined) {
    let key: string;
    try {
      key = parseCacheKeyOfFile(reader, path, options);
    } catch (err) {
      throw unreadable(label, err);
    }
    const hit = readCached<H>(dir, key);
    if (hit) {
      try {
        return fromCache(hit);
      } catch {
        // A head of an unexpected shape: parse again and keep the new product.
      }
    }
  }
  const bytes = await readFileBytes(path, label);
  return cachedParse(reader, bytes, options, () => parse(bytes), toCache, fromCache);
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
  if (used(marker)) return [];
  const issues = check();
  if (issues.length === 0) {
    try {
      mkdirSync(dir, { recursive: true });
      // Empty: its existence is the whole record, so a reader never sees half of one.
      writeFileSync(marker, "");
      pruneParseCache(dir);
    } catch {
      // Not remembered: the next start checks again.
    }
  }
  return issues;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
