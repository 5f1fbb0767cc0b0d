/**
 * The lifetime study on the tiny fleet (fixtures/), worked by hand:
 * the base workload is two one-hour 4-core jobs, the second submitted 860,400 s
 * after the first; a year repeats it every 10 days (period_days), copies kept
 * while their submit time is below 365 days: 37 copies of the first job and 36
 * of the second, 73 jobs, the last ending at 36 x 864,000 + 3,600 = 31,107,600 s.
 * A year's simulation runs to that end. Two "old" nodes draw 100 W idle and
 * 200 W busy (PUE 1, 100 g CO2/kWh): 2 x 100 W x 31,107,600 s + 73 x 100 W x
 * 3,600 s = 6,247.8 MJ = 1,735.5 kWh = 173.55 kg CO2 eq a year. Two "new"
 * nodes draw half: 86.775 kg. Each node's fabrication is 1,000 kg.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runScenario } from "../../../src/run/index.js";
import { mergeStudy, runStudy, type StudySummary } from "../../../src/sweep/index.js";

const FIX = resolve("test/unit/study/fixtures");
const STUDY = join(FIX, "lifetime-tiny.json");
const read = (dir: string, f: string) => readFileSync(join(dir, f), "utf8");
const close = (x: number, y: number) => expect(x).toBeCloseTo(y, 6);

describe("lifetime study on the tiny fleet", () => {
  let root: string;
  let one: string;
  let s: StudySummary;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "impactsim-study-test-"));
    one = join(root, "one");
    const o = await runStudy({ file: STUDY, kind: "lifetime", workers: 1, out: one });
    expect(o.failed).toBe(0);
    s = o.summary!;
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("runs each distinct fleet-year once: two simulations for keep and replace-2022", () => {
    expect(s.simulations).toBe(2);
    expect(s.plans.map((p) => p.id)).toEqual(["keep|rebound=0|load=1", "replace-2022|rebound=0|load=1"]);
  });

  it("gives the hand-worked yearly use and purchase-rule embodied figures", () => {
    const [keep, replace] = s.plans;
    expect(keep.years.map((y) => y.jobs)).toEqual([73, 73, 73, 73]);
    for (const y of keep.years) close(y.use.CC, 173.55);
    expect(replace.years.map((y) => +y.use.CC.toFixed(6))).toEqual([173.55, 173.55, 86.775, 86.775]);
    expect(keep.years.map((y) => y.embodied.CC.fabrication)).toEqual([2000, 0, 0, 0]);
    expect(replace.years.map((y) => y.embodied.CC.fabrication)).toEqual([2000, 0, 2000, 0]);
    expect(replace.years.map((y) => y.nodes)).toEqual([2, 2, 2, 2]);
    close(keep.totals.total.CC, 2000 + 4 * 173.55);
    close(replace.totals.total.CC, 4000 + 2 * 173.55 + 2 * 86.775);
  });

  it("evaluates footnote 33 on the numbers: replacing does not pay, fabrication dominates", () => {
    const c = s.lifetime!.comparisons[0];
    const f = c.footnote33.CC;
    expect(f.a).toBe(2000);
    close(f.b1_t2, 2 * 173.55);
    close(f.b2_t2p, 2 * 86.775);
    expect(f.replacing_pays).toBe(false);
    close(f.keeping_saves, 2000 + 2 * 86.775 - 2 * 173.55);
    expect(f.a_old).toBe(2000);
    close(f.b1_t1_t2, 4 * 173.55);
    expect(f.fabrication_dominates).toBe(true);
  });

  it("gives the break-even conditions: grid intensity, years of use left, the premise's life", () => {
    const b = s.lifetime!.comparisons[0].break_even.CC;
    // Replacing saves 86.775 kg a year at 100 g/kWh; it pays above k = 2000 / 173.55 (two years' saving) times that.
    expect(b.grid_pays).toBe("above");
    close(b.grid_factor!, 2000 / 173.55);
    close(b.grid_per_kwh!, (0.1 * 2000) / 173.55);
    close(b.remaining_years!, 2000 / 86.775);
    close(b.premise_life_years!, 2000 / 173.55);
  });

  it("gives the amortised rule beside: a quarter a year, the rest when the old nodes leave in 2022", () => {
    const [keep, replace] = s.plans;
    expect(keep.years.map((y) => y.embodied_other_rule.CC)).toEqual([500, 500, 500, 500]);
    expect(replace.years.map((y) => y.embodied_other_rule.CC)).toEqual([500, 500, 1000 + 500, 500]);
    close(s.lifetime!.comparisons[0].delta_other_rule.CC, 2 * 86.775 + 3000 - (2 * 173.55 + 2000));
  });

  it("totals over the horizon equal the sum of the yearly simulations, each run again on its own", async () => {
    const dir = join(root, "again");
    for (const p of s.plans) {
      let use = 0;
      let kwh = 0;
      let jobs = 0;
      for (const y of p.years) {
        for (const key of y.runs) {
          const out = await runScenario({ scenario: join(one, "inputs", key.slice(0, 16), "scenario.json"), overrides: { out: dir, summaryOnly: true, workloadScale: y.workload } });
          use += out.summary.impacts.CC.by_phase.use;
          kwh += out.summary.energy_j.facility / 3.6e6;
          jobs += out.summary.jobs;
        }
      }
      close(p.totals.use.CC, use);
      close(p.totals.energy_facility_kwh, kwh);
      expect(p.totals.jobs).toBe(jobs);
      close(p.totals.total.CC, use + p.years.reduce((a, y) => a + y.embodied.CC.fabrication + y.embodied.CC.transport + y.embodied.CC.endOfLife, 0));
    }
  }, 120_000);

  // Run summaries hold their input paths (the study's inputs/ folder), so runs compared byte for byte write into the same folder in turn.
  it("writes the same results and summary with 1 and 2 workers, and with 2 shards merged", async () => {
    const dir = join(root, "same");
    await runStudy({ file: STUDY, workers: 1, out: dir });
    const results = read(dir, "results.jsonl");
    const summary = read(dir, "summary.json");
    rmSync(dir, { recursive: true });
    await runStudy({ file: STUDY, workers: 2, out: dir });
    expect(read(dir, "results.jsonl")).toBe(results);
    expect(read(dir, "summary.json")).toBe(summary);
    rmSync(dir, { recursive: true });
    const a = await runStudy({ file: STUDY, workers: 1, out: dir, shard: { i: 0, n: 2 } });
    const b = await runStudy({ file: STUDY, workers: 1, out: dir, shard: { i: 1, n: 2 } });
    expect([a.simulations, b.simulations, a.summary, b.summary]).toEqual([1, 1, undefined, undefined]);
    await mergeStudy({ file: STUDY, out: dir });
    expect(read(dir, "results.jsonl")).toBe(results);
    expect(read(dir, "summary.json")).toBe(summary);
    expect(existsSync(join(dir, "report.html"))).toBe(true);

    // Resume keeps what is done and runs only what is missing.
    writeFileSync(join(dir, "results.jsonl"), results.split("\n")[0] + "\n");
    const o = await runStudy({ file: STUDY, workers: 1, out: dir, resume: true });
    expect([o.ran, o.skipped]).toEqual([1, 1]);
    expect(read(dir, "results.jsonl")).toBe(results);
  }, 240_000);

  it("the report draws the break-even plots from summary.json", () => {
    const html = read(one, "report.html");
    expect(html).toContain("lifetime-tiny");
    expect(html).toContain("footnote 33");
  });
});
