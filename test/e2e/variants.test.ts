/** Platform and workload variants of a run (what sweeps vary), end to end on the default scenario. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runScenario, type RunOverrides } from "../../src/run/runScenario.js";

const run = (overrides: RunOverrides) =>
  runScenario({ overrides: { ...overrides, out: mkdtempSync(join(tmpdir(), "impactsim-variant-")), summaryOnly: true } });

// The unchanged scenario, run once for the tests that compare against it.
let baseRun: ReturnType<typeof run> | undefined;
const base = () => (baseRun ??= run({}));

describe("runScenario() variants", () => {
  it("runScenario() with a PUE of 2 everywhere gives facility energy = 2 x IT energy and records the variant", async () => {
    const r = await run({ platformVariant: { pue: 2 } });
    expect(r.summary.energy_j.facility / r.summary.energy_j.it).toBeCloseTo(2, 12);
    expect(r.summary.provenance.variant).toEqual({ platform: { pue: 2 }, workload_scale: 1 });
  });

  it("runScenario() with 8-year hardware lifetimes lowers embodied impacts and leaves the schedule and use phase alone", async () => {
    const [baseline, long] = [await base(), await run({ platformVariant: { lifetime_years: 8 } })];
    // default lifetimes are 4 (R640) and 6 (R620) years: fabrication CC per node-second falls to 4/8 and 6/8
    expect(long.summary.mean_wait_s).toBe(baseline.summary.mean_wait_s);
    const fab = (s: typeof baseline.summary) => s.impacts.CC.by_phase.fabrication;
    expect(fab(long.summary)).toBeLessThan(fab(baseline.summary));
    expect(long.summary.impacts.CC.by_phase.use).toBeCloseTo(baseline.summary.impacts.CC.by_phase.use, 9);
  });

  it("runScenario() on a denser workload (arrivals x2) shortens the makespan and lengthens waits", async () => {
    const [baseline, dense] = [await base(), await run({ workloadScale: 2 })];
    expect(dense.summary.jobs).toBe(baseline.summary.jobs);
    expect(dense.summary.makespan_s).toBeLessThan(baseline.summary.makespan_s);
    expect(dense.summary.mean_wait_s).toBeGreaterThan(baseline.summary.mean_wait_s);
  });

  it("runScenario() with a bad variant says which field and value", async () => {
    await expect(run({ platformVariant: { pue: 0.5 } })).rejects.toThrow(/pue: expected a PUE >= 1, got 0.5/);
  });
});
