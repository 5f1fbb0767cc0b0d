/**
 * Which jobs the simulator admits: a job no pool can ever hold is dropped with
 * its reason (lenient) or refused (strict). Hand-worked cases around the quick
 * check for plain jobs (simulation.ts fitsSomewhere), whole-node requests
 * included, on a site with a pool of shared-only nodes (2 x 8 cores) and a
 * pool of nodes that may be held whole (3 x 4 cores).
 */
import { describe, expect, it } from "vitest";
import { rngSeeded } from "../../../src/core/rng.js";
import type { JobSpec } from "../../../src/io/spec.js";
import { forecastFromActual } from "../../../src/models/forecast.js";
import { policyFcfs } from "../../../src/planner/index.js";
import { simulate } from "../../../src/sim/simulation.js";
import { job, tinyPlatform } from "../../helpers/tinyPlatform.js";

const platform = (sharedOnlyFirst = true) =>
  tinyPlatform(
    [{ id: "s", pue: 1, kgPerKwh: 0.1 }],
    [
      { nodes: 2, cores: 8, idle: 50, max: 100, ...(sharedOnlyFirst ? { sharing: "shared_only" as const } : {}) },
      { nodes: 3, cores: 4, idle: 50, max: 100 },
    ],
  );

async function admitted(jobs: JobSpec[], sharedOnlyFirst = true): Promise<{ ended: number[]; dropped: [number, string][] }> {
  const plat = platform(sharedOnlyFirst);
  const ended: number[] = [];
  const dropped: [number, string][] = [];
  await simulate({
    platform: plat,
    policy: policyFcfs(),
    jobs: [jobs],
    mode: "lenient",
    forecasts: plat.sites.map((s) => forecastFromActual(s.intensity, { bias: 0, sigma: 0 }, rngSeeded(1))),
    observer: { jobEnded: (f) => ended.push(f.job.id), jobDropped: (j, reason) => dropped.push([j.id, reason]) },
  });
  return { ended: ended.sort((a, b) => a - b), dropped };
}

describe("simulate() admits a job when some pool can ever hold it", () => {
  it("shared jobs: up to the largest pool's 16 cores; whole-node jobs: up to the 12 cores of the pool that allows whole nodes", async () => {
    const whole = (j: JobSpec): JobSpec => ({ ...j, exclusive: true });
    const r = await admitted([job(1, 0, 10, 20, 16), job(2, 0, 10, 20, 17), whole(job(3, 0, 10, 20, 12)), whole(job(4, 0, 10, 20, 13)), { ...job(5, 0, 10, 20, 16), exclusive: false }]);
    expect(r.ended).toEqual([1, 3, 5]);
    // 17 shared cores exceed every pool; 13 cores on whole nodes need 4 of pool 1's 3 nodes (pool 0 shares only).
    expect(r.dropped).toEqual([
      [2, "too_many_processors"],
      [4, "exclusive_not_allowed"],
    ]);
  });

  it("without the shared-only pool, a whole-node job fits pool 0's 16 cores", async () => {
    const r = await admitted([{ ...job(1, 0, 10, 20, 16), exclusive: true }, { ...job(2, 0, 10, 20, 17), exclusive: true }], false);
    expect(r.ended).toEqual([1]);
    expect(r.dropped).toEqual([[2, "too_many_processors"]]);
  });
});
