/**
 * A test file's own parse-cache folder (IMPACTSIM_CACHE_DIR) under a fresh
 * temporary folder for each test, with the cache on; the environment as it
 * was, and the folder removed, after each.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";

/** Registers the hooks; the returned function gives the current test's temporary folder. */
export function useTempCache(prefix: string): () => string {
  let dir = "";
  const saved = { cache: process.env.IMPACTSIM_CACHE, cacheDir: process.env.IMPACTSIM_CACHE_DIR };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    delete process.env.IMPACTSIM_CACHE;
    process.env.IMPACTSIM_CACHE_DIR = join(dir, "cache");
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    for (const [k, v] of [["IMPACTSIM_CACHE", saved.cache], ["IMPACTSIM_CACHE_DIR", saved.cacheDir]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  return () => dir;
}
