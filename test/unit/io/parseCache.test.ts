import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdjustmentLog } from "../../../src/core/errors.ts";
import { readSeriesCsv, type SeriesReadOptions } from "../../../src/io/series.ts";
import { parseElectricityFactors, readElectricityFactors } from "../../../src/io/electricityFactors.ts";
import { checkedOnce, parseCacheDir, parseCacheKey, parseCacheKeyOfFile, pruneParseCache, readCached, writeCached } from "../../../src/io/parseCache.ts";
import { readScoreMethod } from "../../../src/io/scoreMethod.ts";

const H = 3600;
const T0 = Date.UTC(2021, 0, 1) / 1000; // 2021-01-01 00:00 UTC, computed apart from the reader
// An empty cell at 01:00 (held: 100) and a missing 03:00 row (gap over 1.5 steps of 1 h, held: 300).
const TEXT = "t,ci\n2021-01-01 00:00:00,100\n2021-01-01 01:00:00,\n2021-01-01 02:00:00,300\n2021-01-01 04:00:00,500\n";
const EXPECTED = { times: [T0, T0 + H, T0 + 2 * H, T0 + 3 * H, T0 + 4 * H], values: [100, 100, 300, 300, 500], step: H };

let root: string;
let saved: string | undefined;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "impactsim-series-cache-"));
  saved = process.env.IMPACTSIM_CACHE_DIR;
  process.env.IMPACTSIM_CACHE_DIR = join(root, "cache");
});
afterAll(() => {
  if (saved === undefined) delete process.env.IMPACTSIM_CACHE_DIR;
  else process.env.IMPACTSIM_CACHE_DIR = saved;
  rmSync(root, { recursive: true, force: true });
});

const opts = (log: AdjustmentLog): SeriesReadOptions => ({ timeColumn: "t", valueColumns: ["ci"], timezone: "UTC", gaps: "hold", log });

async function read(path: string) {
  const log = new AdjustmentLog();
  const s = await readSeriesCsv(path, opts(log));
  return { times: [...s.times], values: [...s.values], step: s.step, columns: s.columns, file: s.file, counts: log.toJSON(), examples: JSON.parse(JSON.stringify(log.examples)) as unknown };
}

describe("series cache (readSeriesCsv)", () => {
  it("a second read of the same file gives the same series and records the same adjustments, from the cache file the first wrote", async () => {
    const path = join(root, "a.csv");
    writeFileSync(path, TEXT);
    const first = await read(path);
    expect(first).toMatchObject({ ...EXPECTED, columns: ["ci"], file: path, counts: { gap_filled: 1, missing_value: 1 } });
    const dir = parseCacheDir()!;
    const files = readdirSync(dir).filter((f) => f.endsWith(".bin"));
    expect(files).toHaveLength(1);
    const cached = readCached<{ adjustments: { code: string }[] }>(dir, files[0].slice(0, -4))!;
    expect([...cached.arrays[0]]).toEqual(EXPECTED.times);
    expect(cached.head.adjustments.map((a) => a.code).sort()).toEqual(["gap_filled", "missing_value"]);
    expect(await read(path)).toEqual(first);
  });

  it("an edit of the same size and time is seen (the key is the content), and a damaged cache file is ignored", async () => {
    const path = join(root, "b.csv");
    writeFileSync(path, TEXT);
    await read(path);
    const { atime, mtime } = statSync(path);
    writeFileSync(path, TEXT.replace("500", "700"));
    utimesSync(path, atime, mtime);
    expect((await read(path)).values).toEqual([100, 100, 300, 300, 700]);
    const dir = parseCacheDir()!;
    for (const f of readdirSync(dir)) writeFileSync(join(dir, f), "not a cache file");
    expect((await read(path)).values).toEqual([100, 100, 300, 300, 700]);
  });

  it("a file hashed a chunk at a time has the key of its whole bytes, whatever its size against the chunk", () => {
    // 0, 1, a chunk (128 KiB) exactly, and 2.5 chunks of bytes from a seeded generator.
    for (const size of [0, 1, 1 << 17, 327_680]) {
      const bytes = new Uint8Array(size);
      let x = size + 7;
      for (let i = 0; i < size; i++) bytes[i] = (x = (x * 1103515245 + 12345) % 2147483648) >>> 16;
      const path = join(root, `k${size}.bin`);
      writeFileSync(path, bytes);
      expect(parseCacheKeyOfFile("series", path, { a: 1 })).toBe(parseCacheKey("series", bytes, { a: 1 }));
      expect(parseCacheKeyOfFile("series", path, { a: 2 })).not.toBe(parseCacheKey("series", bytes, { a: 1 }));
    }
  });

  it("a file that cannot be read is an io_error naming its label, with the cache on as off", async () => {
    const missing = join(root, "nowhere", "x.csv");
    await expect(readSeriesCsv(missing, { ...opts(new AdjustmentLog()), label: "grid.csv" })).rejects.toMatchObject({ issues: [{ code: "io_error", file: "grid.csv" }] });
    const saved = process.env.IMPACTSIM_CACHE;
    process.env.IMPACTSIM_CACHE = "off";
    try {
      await expect(readSeriesCsv(missing, { ...opts(new AdjustmentLog()), label: "grid.csv" })).rejects.toMatchObject({ issues: [{ code: "io_error", file: "grid.csv" }] });
    } finally {
      if (saved === undefined) delete process.env.IMPACTSIM_CACHE;
      else process.env.IMPACTSIM_CACHE = saved;
    }
  });

  it("arrays kept are read back equal, heads of every length (so every alignment of the arrays in the file)", () => {
    const dir = parseCacheDir()!;
    const a = Float64Array.of(1.5, -0, Number.MIN_VALUE, 1e308);
    const b = Float64Array.of(3, 4);
    for (let pad = 0; pad < 9; pad++) {
      const key = `align${pad}`;
      expect(writeCached(dir, key, { head: "x".repeat(pad), arrays: [a, b, new Float64Array(0)] })).toBe(true);
      const back = readCached<string>(dir, key)!;
      expect(back.head).toBe("x".repeat(pad));
      expect(back.arrays.map((x) => [...x])).toEqual([[...a], [...b], []]);
      expect(Object.is(back.arrays[0][1], -0)).toBe(true);
    }
  });

  it("IMPACTSIM_CACHE=off reads without a cache", () => {
    expect(parseCacheDir({ IMPACTSIM_CACHE: "off" })).toBeUndefined();
    expect(parseCacheDir({ XDG_CACHE_HOME: "/x" })).toBe(join("/x", "impactsim", "parsed"));
  });
});

describe("electricity factors cache (readElectricityFactors)", () => {
  it("the shipped table read twice (parsed, then from the cache) equals the table parsed from its text, zone by zone in order", async () => {
    const path = new URL("../../../platforms/electricity/electricity_factors_by_zone.csv", import.meta.url).pathname;
    const reference = parseElectricityFactors(readFileSync(path, "utf8"), path);
    for (let round = 0; round < 2; round++) {
      const zones = await readElectricityFactors(path);
      expect([...zones.keys()]).toEqual([...reference.keys()]);
      for (const [zone, f] of reference) expect(zones.get(zone)).toEqual(f);
    }
  });
});

describe("score method cache (readScoreMethod)", () => {
  it("the shipped table read twice per reading (parsed, then from the cache) gives the same method, field for field", async () => {
    const path = new URL("../../../platforms/lca/ef31_normalisation_weighting.csv", import.meta.url).pathname;
    for (const options of [{}, { version: "3.0" as const }, { excludeToxicity: true }]) {
      const first = await readScoreMethod(path, options);
      const second = await readScoreMethod(path, options);
      expect(Object.keys(second)).toEqual(Object.keys(first));
      expect(second).toEqual(first);
    }
    // Three readings, three cache files: each one's options are in its key.
    const dir = parseCacheDir()!;
    const kept = readdirSync(dir).filter((f) => f.endsWith(".bin")).map((f) => readCached<{ name: string }>(dir, f.slice(0, -4))?.head.name);
    expect(kept.filter((n) => n?.startsWith("EF 3")).sort()).toEqual(["EF 3.0", "EF 3.1", "EF 3.1 (without toxicity categories)"]);
  });
});

describe("checks remembered (checkedOnce)", () => {
  /** A check that counts its calls and finds `issues`. */
  function counting(issues: string[]) {
    const c = { calls: 0, check: () => (c.calls++, [...issues]) };
    return c;
  }

  it("a text a build found valid is not checked again by that build; another text, checker or build is", () => {
    const ok = counting([]);
    expect(checkedOnce("scenario", '{"a":1}', ok.check, "build-1")).toEqual([]);
    expect(checkedOnce("scenario", '{"a":1}', ok.check, "build-1")).toEqual([]);
    expect(ok.calls).toBe(1);
    checkedOnce("scenario", '{"a":2}', ok.check, "build-1");
    checkedOnce("platform", '{"a":1}', ok.check, "build-1");
    checkedOnce("scenario", '{"a":1}', ok.check, "build-2");
    expect(ok.calls).toBe(4);
  });

  it("a text with issues is checked, and its issues given, every time", () => {
    const bad = counting(["expected a number, got \"x\""]);
    for (let i = 0; i < 3; i++) expect(checkedOnce("scenario", '{"a":"x"}', bad.check, "build-1")).toEqual(['expected a number, got "x"']);
    expect(bad.calls).toBe(3);
  });

  it("without a build id (running from the sources) or with IMPACTSIM_CACHE=off, every call checks", () => {
    const ok = counting([]);
    checkedOnce("scenario", '{"b":1}', ok.check, undefined);
    checkedOnce("scenario", '{"b":1}', ok.check, undefined);
    expect(ok.calls).toBe(2);
    process.env.IMPACTSIM_CACHE = "off";
    try {
      checkedOnce("scenario", '{"b":1}', ok.check, "build-1");
      checkedOnce("scenario", '{"b":1}', ok.check, "build-1");
    } finally {
      delete process.env.IMPACTSIM_CACHE;
    }
    expect(ok.calls).toBe(4);
  });
});

describe("a bounded cache (pruneParseCache)", () => {
  const NOW = Date.UTC(2026, 0, 1);
  /** A folder of n cache files of `size` bytes, file i used i minutes before NOW, and one temporary file of a write under way and one left by a dead process. */
  function folder(n: number, size = 10): string {
    const dir = mkdtempSync(join(root, "prune-"));
    for (let i = 0; i < n; i++) {
      const path = join(dir, `${String(i).padStart(4, "0")}.bin`);
      writeFileSync(path, Buffer.alloc(size));
      const t = new Date(NOW - i * 60_000);
      utimesSync(path, t, t);
    }
    for (const [name, age] of [["live.bin.1.x.tmp", 60_000], ["dead.bin.2.y.tmp", 2 * 3600_000]] as const) {
      writeFileSync(join(dir, name), "");
      utimesSync(join(dir, name), new Date(NOW - age), new Date(NOW - age));
    }
    return dir;
  }
  const names = (dir: string) => readdirSync(dir).sort();

  it("under the limit nothing goes; over it the least recently used go, down to the files and bytes kept", () => {
    const small = folder(8);
    pruneParseCache(small, { maxFiles: 10, keepFiles: 5, now: NOW });
    expect(names(small)).toHaveLength(10);
    const big = folder(12);
    pruneParseCache(big, { maxFiles: 10, keepFiles: 5, now: NOW });
    expect(names(big)).toEqual(["0000.bin", "0001.bin", "0002.bin", "0003.bin", "0004.bin", "live.bin.1.x.tmp"]);
    const heavy = folder(12, 100);
    pruneParseCache(heavy, { maxFiles: 10, keepFiles: 5, keepBytes: 350, now: NOW });
    expect(names(heavy)).toEqual(["0000.bin", "0001.bin", "0002.bin", "live.bin.1.x.tmp"]);
  });

  it("a hit makes its file the most recently used, so a pruning keeps it", () => {
    const dir = mkdtempSync(join(root, "hit-"));
    writeCached(dir, "k", { head: { a: 1 }, arrays: [Float64Array.of(1, 2)] });
    const old = new Date(NOW - 86_400_000);
    utimesSync(join(dir, "k.bin"), old, old);
    expect(readCached(dir, "k")?.head).toEqual({ a: 1 });
    expect(statSync(join(dir, "k.bin")).mtimeMs).toBeGreaterThan(NOW);
  });
});
