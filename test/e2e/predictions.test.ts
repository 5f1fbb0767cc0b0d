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
    // Each row's actual energy is the job's energy in jobs.csv (same job, same charge).
    const head = rows[0].split(",");
    const jobs = readFileSync(join(out, "jobs.csv"), "utf8").trim().split("\n");
    const jobHead = jobs[0].split(",");
    const itOf = new Map(jobs.slice(1).map((l) => l.split(",")).map((c) => [c[0], Number(c[jobHead.indexOf("energy_it_j")])]));
    for (const line of rows.slice(1, 200)) {
      const c = line.split(",");
      expect(Number(c[head.indexOf("energy_it_j")])).toBeCloseTo(itOf.get(c[0])!, 3);
    }
  });
});
