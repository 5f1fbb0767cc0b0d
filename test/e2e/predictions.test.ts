/**
 * `run --predict` on the default scenario: every job estimated when queued and
 * scored against what happened. Measured here (HPC2N, EASY): starts inside
 * their range for about 98 % of jobs; run time, energy and climate change for
 * about 75 % (the history's p10..p90 spread, nominally 80 %).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runScenario } from "../../src/run/runScenario.js";

describe("run --predict", () => {
  it("scores every job's estimate; starts fall inside their ranges for >= 95 % of jobs, the rest for >= 65 %", async () => {
    const out = mkdtempSync(join(tmpdir(), "impactsim-predict-"));
    const r = await runScenario({ overrides: { predict: true, out } });
    const p = r.summary.predictions!;
    expect(p.predicted).toBe(r.summary.jobs_submitted);
    expect(p.scored).toBe(r.summary.jobs);
    expect(p.calibration.history).toBeGreaterThan(0.9 * p.predicted);
    expect(p.inside.start).toBeGreaterThanOrEqual(0.95);
    for (const k of ["runtime", "energy_it", "cc"] as const) expect(p.inside[k]).toBeGreaterThanOrEqual(0.65);
    const rows = readFileSync(join(out, "predictions.csv"), "utf8").trim().split("\n");
    expect(rows).toHaveLength(p.scored + 1);
    // Every written range holds its prediction.
    const head = rows[0].split(",");
    for (const line of rows.slice(1)) {
      const c = line.split(",").map(Number);
      for (const k of ["start", "runtime", "energy_it", "cc"]) {
        const unit = k === "cc" ? "kg" : k === "energy_it" ? "j" : "s";
        const [pred, low, high] = ["pred", "low", "high"].map((w) => c[head.indexOf(`${k}_${w}_${unit}`)]);
        expect(low).toBeLessThanOrEqual(pred * (1 + 1e-12));
        expect(pred).toBeLessThanOrEqual(high * (1 + 1e-12));
      }
    }
  });
});
