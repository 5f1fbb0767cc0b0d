/**
 * Trajectories over the years on the tiny fleet (see lifetime.test.ts for the
 * hand-worked year: 173.55 kg CO2 eq of use at 100 g/kWh, 73 jobs): grid
 * factors per year, compounded change, a series file per year, and workload
 * growth compounded per year.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runStudy, type StudySummary } from "../../../src/sweep/index.js";

const FIX = resolve("test/unit/study/fixtures");
const YEAR_CC = 173.55;

function study(patch: Record<string, unknown>): Record<string, unknown> {
  return {
    kind: "lifetime",
    name: "trajectories",
    base: join(FIX, "tiny-scenario.json"),
    years: { from: 2020, to: 2022 },
    period_days: 10,
    node_types: { new: { cores: 4, power: { idle_w: 50, max_w: 100, source: "test" }, embodied: { lifetime_years: 4, lifetime_source: "test", impacts: { fabrication: { CC: 1000 } }, source: "test" } } },
    lifetime: { group: "a/old", successor: { type: "new", count: 2 }, replace_at: [2022] },
    output: { dir: "out" },
    ...patch,
  };
}

describe("trajectories over the years", () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "impactsim-trajectories-"));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function keep(name: string, patch: Record<string, unknown>): Promise<StudySummary["plans"][number]> {
    const file = join(root, `${name}.json`);
    writeFileSync(file, JSON.stringify(study(patch)));
    const o = await runStudy({ file, workers: 1, out: join(root, name) });
    expect(o.failures).toEqual([]);
    return o.summary!.plans.find((p) => p.values.option === "keep")!;
  }

  it("grid factors per year scale climate change only, not energy", async () => {
    const p = await keep("factors", { grid: { a: { factors: [1, 2, 0.5], source: "test" } } });
    expect(p.years.map((y) => +y.use.CC.toFixed(6))).toEqual([YEAR_CC, 2 * YEAR_CC, 0.5 * YEAR_CC]);
    expect(p.years.map((y) => +y.energy_facility_kwh.toFixed(6))).toEqual([1735.5, 1735.5, 1735.5]);
    // Another category keeps the zone's per-kWh figure.
    expect(p.years[1].use.AC).toBeCloseTo(p.years[0].use.AC, 12);
  }, 120_000);

  it("change_per_year compounds from the first year", async () => {
    const p = await keep("change", { grid: { a: { change_per_year: -0.5, source: "test" } } });
    expect(p.years.map((y) => +y.use.CC.toFixed(6))).toEqual([YEAR_CC, YEAR_CC / 2, YEAR_CC / 4]);
  }, 120_000);

  it("a series per year replaces the platform's series that year", async () => {
    const double = join(root, "ci-200.csv");
    writeFileSync(double, "time,ci\n2019-12-01 00:00:00,200\n2020-06-01 00:00:00,200\n2020-12-01 00:00:00,200\n");
    const ci = join(FIX, "tiny-ci.csv");
    const p = await keep("series", { grid: { a: { series: { "2020": ci, "2021": double, "2022": ci }, source: "test" } } });
    expect(p.years.map((y) => +y.use.CC.toFixed(6))).toEqual([YEAR_CC, 2 * YEAR_CC, YEAR_CC]);
  }, 120_000);

  it("workload growth compounds per year: 73, 146 and 292 jobs (copies submitted before 1, 2 and 4 x 365 days)", async () => {
    const p = await keep("growth", { workload: { growth_per_year: 1, source: "test" } });
    expect(p.years.map((y) => y.workload)).toEqual([1, 2, 4]);
    expect(p.years.map((y) => y.jobs)).toEqual([73, 146, 292]);
  }, 120_000);
});
