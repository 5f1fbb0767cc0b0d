import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../../../src/core/errors.js";
import { mergeShards, parseShard, runSweep } from "../../../src/sweep/runSweep.js";

// Four variants (easy and temporal x 2 seeds) on scenarios/qos-eu.json, about 1 s each.
const FILE = "test/fixtures/sweep/tiny.json";
const read = (dir: string, f = "results.jsonl") => readFileSync(join(dir, f), "utf8");

describe("runSweep", () => {
  let root: string;
  let reference: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "impactsim-sweep-test-"));
    reference = join(root, "one");
    await runSweep({ file: FILE, workers: 1, out: reference });
  }, 60_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("runSweep writes one line per variant sorted by index, and summary.json with one group per policy", () => {
    const lines = read(reference).trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.index, l.group, l.replica, l.values.policy])).toEqual([[0, 0, 0, "easy"], [1, 0, 1, "easy"], [2, 1, 0, "temporal"], [3, 1, 1, "temporal"]]);
    expect(lines.every((l) => l.summary.provenance.seed === l.seed)).toBe(true);
    expect(existsSync(join(reference, "results.jsonl.partial"))).toBe(false);
    const summary = JSON.parse(read(reference, "summary.json"));
    expect(summary.groups.map((g: { values: unknown; runs: number }) => [g.values, g.runs])).toEqual([[{ policy: "easy" }, 2], [{ policy: "temporal" }, 2]]);
    expect(summary.front.length).toBeGreaterThan(0);
  });

  it("runSweep gives the same files with 1 and 2 workers", async () => {
    const dir = join(root, "two");
    await runSweep({ file: FILE, workers: 2, out: dir });
    expect(read(dir)).toBe(read(reference));
    expect(read(dir, "summary.json")).toBe(read(reference, "summary.json"));
  }, 60_000);

  it("runSweep shards 0/2 and 1/2 merged by mergeShards equal the unsharded results byte for byte", async () => {
    const dir = join(root, "shards");
    const a = await runSweep({ file: FILE, workers: 1, out: dir, shard: { i: 0, n: 2 } });
    expect(() => mergeShards(dir)).toThrow(InputError); // shard 1/2 missing
    const b = await runSweep({ file: FILE, workers: 1, out: dir, shard: { i: 1, n: 2 } });
    expect([a.variants, b.variants, a.summary, b.summary]).toEqual([2, 2, undefined, undefined]);
    expect(read(dir, "results.shard-0-of-2.jsonl").split("\n").filter(Boolean).map((l) => JSON.parse(l).index)).toEqual([0, 2]);
    expect(mergeShards(dir)).toBe(join(dir, "results.jsonl"));
    expect(read(dir)).toBe(read(reference));
    expect(read(dir, "summary.json")).toBe(read(reference, "summary.json"));
  }, 60_000);

  it("runSweep with resume keeps finished variants, drops a truncated line and runs only the rest", async () => {
    const dir = join(root, "resume");
    cpSync(reference, dir, { recursive: true });
    const lines = read(reference).split("\n");
    // Interrupted after variants 2 and 0 finished, in that order, while writing variant 3.
    rmSync(join(dir, "results.jsonl"));
    writeFileSync(join(dir, "results.jsonl.partial"), `${lines[2]}\n${lines[0]}\n${lines[3].slice(0, 100)}`);
    const progress: number[] = [];
    const outcome = await runSweep({ file: FILE, workers: 1, out: dir, resume: true, onProgress: (p) => progress.push(p.done) });
    expect([outcome.skipped, outcome.ran]).toEqual([2, 2]);
    expect(progress).toEqual([2, 3, 4]);
    expect(read(dir)).toBe(read(reference));
    expect(read(dir, "summary.json")).toBe(read(reference, "summary.json"));
    // Resuming a finished sweep runs nothing.
    expect((await runSweep({ file: FILE, workers: 1, out: dir, resume: true })).ran).toBe(0);
  }, 60_000);
});

describe("parseShard", () => {
  it("parseShard reads i/n and refuses i >= n", () => {
    expect(parseShard("1/4")).toEqual({ i: 1, n: 4 });
    expect(() => parseShard("4/4")).toThrowErrorMatchingInlineSnapshot(`[InputError: --shard: expected i/n with 0 <= i < n, e.g. 0/4, got "4/4"]`);
  });
});
