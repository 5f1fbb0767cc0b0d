/**
 * withPredictions(): predictions leave the wrapped policy's schedule alone,
 * come once per job, say where their run time came from, and on an idle
 * platform equal what the simulator then charges.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JobSpec } from "../../../src/io/spec.js";
import type { PastJob } from "../../../src/planner/calibrate.js";
import { policyEasyBackfill } from "../../../src/planner/policies/easy.js";
import { withPredictions, type Prediction } from "../../../src/planner/predictions.js";
import { runTiny } from "../../helpers/runTiny.js";
import { job, tinyPlatform } from "../../helpers/tinyPlatform.js";

const plat = () => tinyPlatform([{ id: "s", pue: 1.4, kgPerKwh: 0.25 }], [{ nodes: 6, cores: 2, idle: 90, max: 210, fabricationCcPerNodeSecond: 1e-5 }]);

describe("withPredictions()", () => {
  it("property: the wrapped EASY makes the same schedule, and every job is predicted once, when first queued", async () => {
    const load = fc.array(fc.record({ gap: fc.integer({ min: 0, max: 50 }), cores: fc.integer({ min: 1, max: 12 }), wall: fc.integer({ min: 5, max: 300 }), share: fc.double({ min: 0.1, max: 1, noNaN: true }) }), { minLength: 1, maxLength: 15 });
    await fc.assert(
      fc.asyncProperty(load, async (jobs) => {
        let t = 0;
        const specs: JobSpec[] = jobs.map((j, k) => job(k + 1, (t += j.gap), Math.max(1, Math.round(j.wall * j.share)), j.wall, j.cores));
        const plain = await runTiny(plat(), policyEasyBackfill(), specs);
        const seen: Prediction[] = [];
        const wrapped = await runTiny(plat(), withPredictions(policyEasyBackfill(), (p) => seen.push(p)), specs);
        const schedule = (r: typeof plain) => [...r.facts.values()].map((f) => [f.job.id, f.pool, f.start, f.end]).sort((a, b) => a[0] - b[0]);
        expect(schedule(wrapped)).toEqual(schedule(plain));
        expect(seen.map((p) => p.jobId).sort((a, b) => a - b)).toEqual(specs.map((s) => s.id));
        for (const p of seen) expect(p.at).toBe(specs[p.jobId - 1].submit);
      }),
      { numRuns: 40 },
    );
  });

  it("a lone job on an idle platform: calibrated by its walltime, its prediction equals the simulator's charge", async () => {
    const seen: Prediction[] = [];
    const r = await runTiny(plat(), withPredictions(policyEasyBackfill(), (p) => seen.push(p)), [job(1, 10, 100, 100, 4)]);
    expect(seen).toHaveLength(1);
    expect(seen[0].calibration).toBe("walltime");
    const e = seen[0].options[0];
    const fact = r.facts.get(1)!;
    expect(e.start).toBe(fact.start);
    expect(e.runtime_s).toBe(fact.end - fact.start);
    expect(e.energy_it_j).toBeCloseTo(r.charges.get(1)!.itJ, 6);
  });

  it("calibrated by the walltime alone, a job that ends early is over-estimated: its prediction is an upper bound", async () => {
    const seen: Prediction[] = [];
    const r = await runTiny(plat(), withPredictions(policyEasyBackfill(), (p) => seen.push(p)), [job(1, 0, 60, 100, 4)]);
    const e = seen[0].options[0];
    // 2 nodes (4 cores of 2) at 210 W: 42000 J predicted for the 100 s requested, 25200 J for the 60 s run.
    expect(e.runtime_s).toBe(100);
    expect(e.energy_it_j).toBeCloseTo(42000, 9);
    expect(r.charges.get(1)!.itJ).toBeCloseTo(25200, 9);
  });

  it("with a history, the run time comes from similar jobs (calibration history), its median as the expectation", async () => {
    // Five past jobs of user 1 with 4 cores ran 20, 30, 40, 50, 60 % of a 100 s request: median 40 %.
    const history: PastJob[] = [20, 30, 40, 50, 60].map((runtime) => ({ user: 1, cores: 4, runtime, walltime: 100 }));
    const seen: Prediction[] = [];
    await runTiny(plat(), withPredictions(policyEasyBackfill(), (p) => seen.push(p), { history: () => history }), [job(1, 0, 50, 200, 4)]);
    expect(seen[0].calibration).toBe("history");
    // 0.4 of the job's own 200 s request; the p10..p90 ratios (0.24, 0.56) give the range.
    expect(seen[0].options[0].runtime_s).toBeCloseTo(80, 9);
    expect(seen[0].options[0].range.runtime_s[0]).toBeCloseTo(48, 9);
    expect(seen[0].options[0].range.runtime_s[1]).toBeCloseTo(112, 9);
  });

  it("a job with runtime models is predicted from its models", async () => {
    const seen: Prediction[] = [];
    await runTiny(plat(), withPredictions(policyEasyBackfill(), (p) => seen.push(p)), [{ ...job(1, 0, 70, 500, 2), runtimes: { cpu: 70 } }]);
    expect(seen[0].calibration).toBe("model");
    expect(seen[0].options[0].runtime_s).toBe(70);
  });
});
