/**
 * The growth study on the tiny fleet (fixtures/growth-tiny.json), against
 * hand-worked figures: at workload factor 2 a year holds the copies of the
 * 10-day base workload submitted before 730 days (then divided by 2): 73
 * copies of each job (the second job's last copy is submitted at 860,400 + 72 x 864,000 = 63,068,400 s < 63,072,000 s), 146 jobs (73 at factor 1).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runStudy, type StudySummary } from "../../../src/sweep/index.js";

const STUDY = resolve("test/unit/study/fixtures/growth-tiny.json");

describe("growth study on the tiny fleet", () => {
  let root: string;
  let s: StudySummary;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "impactsim-growth-test-"));
    const o = await runStudy({ file: STUDY, kind: "growth", workers: 1, out: join(root, "out") });
    expect(o.failures).toEqual([]);
    s = o.summary!;
  }, 180_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const plan = (id: string) => s.plans.find((p) => p.id === id)!;

  it("has the reference plan and every option, with the extra work from the second year", () => {
    expect(s.plans.map((p) => p.id)).toEqual(["reference", "more", "gpu", "elsewhere"]);
    for (const p of s.plans) {
      expect(p.years.map((y) => y.workload)).toEqual([1, 2, 2]);
      expect(p.years.map((y) => y.jobs)).toEqual([73, 146, 146]);
    }
    expect(s.growth!.from).toBe(2021);
  });

  it("counts nodes and charges the added nodes' fabrication the year they come", () => {
    expect(plan("reference").years.map((y) => y.nodes)).toEqual([2, 2, 2]);
    expect(plan("more").years.map((y) => y.nodes)).toEqual([2, 4, 4]);
    expect(plan("gpu").years.map((y) => y.nodes)).toEqual([2, 3, 3]);
    expect(plan("more").years.map((y) => y.embodied.CC.fabrication)).toEqual([2000, 2000, 0]);
    expect(plan("gpu").years.map((y) => y.embodied.CC.fabrication)).toEqual([2000, 1500, 0]);
    const more = s.growth!.options.find((o) => o.option === "more")!;
    expect([more.nodes_last_year, more.nodes_max, more.node_years]).toEqual([4, 4, 10]);
  });

  it("runs a GPU option's years as two simulations, the GPU share of the jobs on the GPU node", () => {
    const y = plan("gpu").years[1];
    expect(y.runs.length).toBe(2);
    // Both halves together hold every job of the year, and the GPU node draws (its IT energy is in the year's groups).
    expect(y.jobs).toBe(146);
    expect(y.groups["a/gpu"].it_kwh).toBeGreaterThan(0);
    expect(y.groups["a/old"].it_kwh).toBeGreaterThan(0);
  });

  it("puts the other site's use on its own grid, and compares every option with the reference", () => {
    const y = plan("elsewhere").years[1];
    expect(Object.keys(y.sites).sort()).toEqual(["a", "b"]);
    expect(y.sites.b.energy_facility_kwh).toBeGreaterThan(0);
    const g = s.growth!;
    const ref = g.options.find((o) => o.option === "reference")!;
    for (const o of g.options) {
      expect(o.versus_reference.cc_kgco2eq).toBeCloseTo(o.total.CC - ref.total.CC, 9);
      expect(o.single_score_pt).toBeCloseTo(plan(o.option).totals.single_score_pt.total, 12);
    }
    // Front: no option on it is beaten on both mean wait and single score by another.
    for (const a of g.options.filter((o) => o.on_front)) {
      expect(g.options.some((b) => b.mean_wait_s <= a.mean_wait_s && b.single_score_pt <= a.single_score_pt && (b.mean_wait_s < a.mean_wait_s || b.single_score_pt < a.single_score_pt))).toBe(false);
    }
    expect(g.front.length).toBeGreaterThan(0);
  });
});
