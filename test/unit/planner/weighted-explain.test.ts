/**
 * policyWeighted where the world keeps no reasons (ClusterView.explain false,
 * a run that writes only its summary): its starts carry no why, and a job
 * with a single candidate pool is placed without its criteria worked out.
 * Neither may change a schedule: the same jobs start at the same times in the
 * same pools as with reasons kept, on random workloads over one pool (every
 * job a lone candidate) and over two sites (several candidates, or one for a
 * job too large for the other pool; a time-varying intensity, so the criteria
 * decide).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { rngSeeded } from "../../../src/core/rng.js";
import type { JobSpec } from "../../../src/io/spec.js";
import { forecastFromActual } from "../../../src/models/forecast.js";
import type { PlatformModel } from "../../../src/models/platform.js";
import { policyEasyBackfill } from "../../../src/planner/policies/easy.js";
import { policyWeighted, type WeightedParams } from "../../../src/planner/policies/weighted.js";
import type { Decision, Policy } from "../../../src/planner/view.js";
import { simulate } from "../../../src/sim/simulation.js";
import { ccSeries, job, tinyPlatform } from "../../helpers/tinyPlatform.js";

/** Each job's pool, start and end, and every start decision the policy returned, with reasons kept or not. */
async function schedule(platform: PlatformModel, policy: Policy, jobs: JobSpec[], explain: boolean): Promise<{ placed: Map<number, [number, number, number]>; starts: Decision[] }> {
  const placed = new Map<number, [number, number, number]>();
  const starts: Decision[] = [];
  const watched: Policy = {
    ...policy,
    decide(view, happened) {
      expect(view.explain).toBe(explain);
      const out = policy.decide(view, happened);
      for (const d of out) if (d.kind === "start") starts.push(d);
      return out;
    },
  };
  const result = await simulate({
    platform,
    policy: watched,
    jobs: [jobs],
    forecasts: platform.sites.map((s) => forecastFromActual(s.intensity, { bias: 0, sigma: 0 }, rngSeeded(1))),
    explain,
    observer: { jobEnded: (f) => placed.set(f.job.id, [f.pool, f.start, f.end]) },
  });
  expect(result.refusals).toEqual({});
  return { placed, starts };
}

const workload = fc.array(
  fc.record({ gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 300 })), runtime: fc.integer({ min: 1, max: 2000 }), over: fc.integer({ min: -100, max: 1000 }), cores: fc.integer({ min: 1, max: 6 }), whole: fc.integer({ min: 0, max: 3 }) }),
  { minLength: 1, maxLength: 60 },
);
const weights: fc.Arbitrary<WeightedParams> = fc.record({
  time: fc.integer({ min: 0, max: 3 }),
  energy: fc.integer({ min: 0, max: 3 }),
  impact: fc.integer({ min: 1, max: 3 }),
  categories: fc.constantFrom<Readonly<Record<string, number>>>({}, { WU: 1 }, { CC: 0.5, LU: 2 }),
});

/** The rows as jobs; one in four asks for whole nodes (sbatch --exclusive), so that shared and whole-node jobs mix in a pool. */
function jobsOf(rows: { gap: number; runtime: number; over: number; cores: number; whole: number }[]): JobSpec[] {
  let t = 0;
  return rows.map((x, i) => {
    const j = job(i + 1, (t += x.gap), x.runtime, Math.max(1, x.runtime + x.over), x.cores);
    return x.whole === 0 ? { ...j, exclusive: true } : j;
  });
}

const onePool = () => tinyPlatform([{ id: "s", pue: 1.2, kgPerKwh: ccSeries([0, 3600, 7200], [0.3, 0.1, 0.5], 1e7) }], [{ nodes: 4, cores: 2, idle: 50, max: 100 }]);
/** The same pool as an exclusive partition: every job holds whole nodes (its reservation counts idle nodes too). */
const onePoolWhole = () => tinyPlatform([{ id: "s", pue: 1.2, kgPerKwh: ccSeries([0, 3600, 7200], [0.3, 0.1, 0.5], 1e7) }], [{ nodes: 4, cores: 2, idle: 50, max: 100, sharing: "exclusive" }]);
const twoSites = () =>
  tinyPlatform(
    [{ id: "a", pue: 1.3, kgPerKwh: ccSeries([0, 3600, 7200], [0.3, 0.1, 0.5], 1e7) }, { id: "b", pue: 1.1, kgPerKwh: 0.2 }],
    [{ nodes: 3, cores: 2, idle: 50, max: 100, site: 0 }, { nodes: 5, cores: 1, idle: 40, max: 90, site: 1 }],
  );

describe("policyWeighted() with ClusterView.explain false", () => {
  for (const [name, platform] of [["one pool", onePool], ["one pool of whole nodes", onePoolWhole], ["two sites", twoSites]] as const) {
    it(`policyWeighted() schedules as with reasons kept, its starts without a why (${name}, random workloads)`, async () => {
      await fc.assert(
        fc.asyncProperty(workload, weights, async (rows, w) => {
          const jobs = jobsOf(rows);
          const kept = await schedule(platform(), policyWeighted(w), jobs, true);
          const none = await schedule(platform(), policyWeighted(w), jobs, false);
          expect(kept.placed.size).toBe(jobs.length);
          expect(none.placed).toEqual(kept.placed);
          expect(none.starts.map((d) => ({ ...d, why: undefined }))).toEqual(kept.starts.map((d) => ({ ...d, why: undefined })));
          for (const d of none.starts) expect(d).not.toHaveProperty("why");
          for (const d of kept.starts) expect(d.kind === "start" && d.why?.alternatives?.length).toBeGreaterThan(0);
        }),
        { numRuns: 60, seed: 13 },
      );
    });
  }

  for (const [name, platform] of [["one pool", onePool], ["one pool of whole nodes", onePoolWhole]] as const) {
    it(`policyWeighted() starts jobs as EASY does, reasons kept or not, where each job's only candidate is the ${name}`, async () => {
      // One pool, one site: a job goes to the pool now or holds EASY's reservation there, whatever the weights.
      await fc.assert(
        fc.asyncProperty(workload, weights, async (rows, w) => {
          const jobs = jobsOf(rows);
          const easy = await schedule(platform(), policyEasyBackfill(), jobs, true);
          expect((await schedule(platform(), policyWeighted(w), jobs, false)).placed).toEqual(easy.placed);
        }),
        { numRuns: 200, seed: 14 },
      );
    });
  }

  it("policyWeighted() reserves for a whole-node job where its cores are free before its nodes are idle, as EASY does", async () => {
    // Pool of 4 nodes x 2 cores, all at 0: J1 3 shared cores for 1 s, J2 5 cores on whole nodes (3 of them),
    // J3 2 shared cores for 2 s, J4 3 cores on whole nodes (2) for 1 s. At 0 J1 starts (nodes 0-1); J2 waits for
    // 3 idle nodes, reserved at 1 with 8 - 6 = 2 cores to spare; J3 takes them (nodes 1-2, to 2). At 1 J2's
    // 3 nodes are idle at 2 only (J3 holds nodes 1-2): J4 ends by then and takes nodes 0 and 3; J2 runs 2-3.
    // Counted by cores alone, J2's reservation at 1 would be now (6 free) and J4, ending after it, would wait.
    const rows = [
      { gap: 0, runtime: 1, over: 0, cores: 3, whole: 1 },
      { gap: 0, runtime: 1, over: 0, cores: 5, whole: 0 },
      { gap: 0, runtime: 2, over: 0, cores: 2, whole: 1 },
      { gap: 0, runtime: 1, over: 0, cores: 3, whole: 0 },
    ];
    const expected = new Map<number, [number, number, number]>([
      [1, [0, 0, 1]],
      [2, [0, 2, 3]],
      [3, [0, 0, 2]],
      [4, [0, 1, 2]],
    ]);
    expect((await schedule(onePool(), policyEasyBackfill(), jobsOf(rows), true)).placed).toEqual(expected);
    for (const explain of [true, false]) expect((await schedule(onePool(), policyWeighted({ time: 0, energy: 0, impact: 1 }), jobsOf(rows), explain)).placed).toEqual(expected);
  });
});
