/**
 * policyPowerCap over the simulator: hand-worked cases against EASY alone, and
 * the invariant that a capped site never passes its budget.
 *
 * Platform throughout: one site (PUE 1) of two one-core nodes idling at 100 W
 * and drawing 200 W busy, so a one-node job adds 100 W. Both idle: 200 W; one
 * job: 300 W; two jobs: 400 W. A budget of 350 W lets only one job run at once.
 */
import { describe, expect, it } from "vitest";
import { recording } from "../../helpers/recording.js";
import fc from "fast-check";
import { policyEasyBackfill } from "../../../src/planner/index.js";
import { policyPowerCap } from "../../../src/planner/policies/powercap.js";
import type { PlatformModel } from "../../../src/models/platform.js";
import type { JobSpec } from "../../../src/io/spec.js";
import { job, tinyPlatform, type TinyPoolOptions } from "../../helpers/tinyPlatform.js";
import { powerProfile, runTiny, type TinyRun } from "../../helpers/runTiny.js";

/** One site with `budget` W of IT power over the given pools (default: two one-core nodes, 100..200 W). */
function capped(budget: number | undefined, pools: TinyPoolOptions[] = [{ nodes: 2, cores: 1, idle: 100, max: 200 }]): PlatformModel {
  const base = tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0.3 }], pools);
  return budget === undefined ? base : { ...base, sites: [{ ...base.sites[0], powerBudgetW: budget }] };
}

/** DVFS states: full speed as the default curve, a middle and a slow one. */
const DVFS = [
  { name: "full", speed: 1, idle: 100, max: 200 },
  { name: "mid", speed: 0.8, idle: 100, max: 160 },
  { name: "slow", speed: 0.5, idle: 100, max: 130 },
];



const spans = (r: TinyRun) => new Map([...r.facts.values()].map((f) => [f.job.id, [f.start, f.end]]));
const itEnergy = (r: TinyRun) => r.accountant.meter(0).itJ;

describe("policyPowerCap() defaults", () => {
  it("policyPowerCap() wraps EASY, uses DVFS and does not throttle plain batch jobs", () => {
    const p = policyPowerCap();
    expect(p.name).toBe("powercap");
    expect(p.params).toEqual({ inner: "easy", inner_version: "1", inner_params: {}, dvfs: true, throttle_batch: false });
  });

  it("policyPowerCap(inner, params) throws a TypeError naming a parameter that is not a boolean", () => {
    expect(() => policyPowerCap(undefined, { dvfs: "yes" as unknown as boolean })).toThrowErrorMatchingInlineSnapshot(`[TypeError: policyPowerCap: dvfs: expected a boolean, got "yes"]`);
  });

  it("policyPowerCap() without budgets decides exactly as its inner policy", async () => {
    const jobs = [job(1, 0, 100, 100, 1), job(2, 0, 50, 60, 1), job(3, 10, 30, 30, 2)];
    const a = await runTiny(capped(undefined), policyPowerCap(), jobs);
    const b = await runTiny(capped(undefined), policyEasyBackfill(), jobs);
    expect(spans(a)).toEqual(spans(b));
  });
});

describe("policyPowerCap() under a budget for one job at a time", () => {
  // J1: submit 0, runs 100 s; J2: submit 0, runs 50 s (walltime 200); 1 core each. Budget 350 W.
  // EASY alone: both start at 0: [0, 50) 400 W (over budget for 50 s), [50, 100) 300 W.
  //   Energy 20000 + 15000 = 35000 J; waits 0.
  // Capped: J1 starts at 0 (300 W); J2 would add 100 W -> 400 W > 350 W: withheld, with a
  //   defer recording why; J1 ends at 100, J2 starts at 100 and ends at 150 (waits 100 s).
  //   [0, 150) 300 W: 45000 J; 0 s over budget. The cap costs 10000 J (the idle node
  //   draws 100 W for 50 s longer) and 100 s of wait.
  const jobs = [job(1, 0, 100, 100, 1), job(2, 0, 50, 200, 1)];

  it("simulate() with EASY alone passes the budget for 50 s", async () => {
    const r = await runTiny(capped(350), policyEasyBackfill(), jobs);
    expect(r.result.secondsOverBudget).toEqual({ s: 50 });
    expect(powerProfile(r)).toEqual([
      [0, 50, 400],
      [50, 100, 300],
    ]);
    expect(itEnergy(r)).toBe(35000);
  });

  it("policyPowerCap() withholds the second job until the first ends and never passes the budget", async () => {
    const policy = recording(policyPowerCap());
    const r = await runTiny(capped(350), policy, jobs);
    expect(r.result.secondsOverBudget).toEqual({ s: 0 });
    expect(spans(r)).toEqual(new Map([[1, [0, 100]], [2, [100, 150]]]));
    expect(powerProfile(r)).toEqual([[0, 150, 300]]);
    expect(itEnergy(r)).toBe(45000);
    expect(policy.calls[0].decisions).toEqual([
      { kind: "start", jobId: 1, pool: 0 },
      {
        kind: "defer",
        jobId: 2,
        until: 0,
        why: {
          reason: "power cap: it would raise site s from 300 W to 400 W, over its budget of 350 W; it waits until running work ends",
          expected: { site_power_w: 200, committed_w: 300, added_w: 100, budget_w: 350 },
        },
      },
    ]);
    expect([policy.calls[1].now, policy.calls[1].decisions]).toEqual([100, [{ kind: "start", jobId: 2, pool: 0 }]]);
  });

  // With DVFS states on the pool and throttle_batch, J2 starts at 0 in the fastest state
  // that fits: full adds 100 W (400 W), mid adds 60 W (360 W), slow adds 30 W (330 W) under
  // a 350 W budget: slow (speed 0.5), so J2 runs 50 / 0.5 = 100 s: [0, 100) 330 W = 33000 J.
  // With a 365 W budget mid fits: J2 runs 50 / 0.8 = 62.5 s at 160 W:
  // [0, 62.5) 360 W, [62.5, 100) 300 W = 22500 + 11250 = 33750 J.
  it("policyPowerCap(EASY, {throttle_batch: true}) starts the job in the fastest DVFS state that fits instead", async () => {
    const pools = [{ nodes: 2, cores: 1, idle: 100, max: 200, dvfs: DVFS }];
    const policy = recording(policyPowerCap(undefined, { throttle_batch: true }));
    const slow = await runTiny(capped(350, pools), policy, jobs);
    expect(slow.result.secondsOverBudget).toEqual({ s: 0 });
    expect(spans(slow)).toEqual(new Map([[1, [0, 100]], [2, [0, 100]]]));
    expect(powerProfile(slow)).toEqual([[0, 100, 330]]);
    expect(itEnergy(slow)).toBe(33000);
    const throttled = policy.calls[0].decisions[1];
    expect(throttled).toMatchObject({ kind: "start", jobId: 2, pstate: 2 });
    expect(throttled.kind === "start" && throttled.why).toEqual({
      reason: "power cap: at full speed site s would draw 400 W, over its budget of 350 W; started in DVFS state 2 (speed 0.5), the fastest that fits",
      expected: { site_power_w: 200, committed_w: 330, added_w: 30, budget_w: 350, pstate: 2, speed: 0.5 },
      alternatives: [{ option: "default state", expected: { added_w: 100, site_power_w: 400 } }],
    });
    const mid = await runTiny(capped(365, pools), policyPowerCap(undefined, { throttle_batch: true }), jobs);
    expect(spans(mid)).toEqual(new Map([[1, [0, 100]], [2, [0, 62.5]]]));
    expect(itEnergy(mid)).toBe(33750);
    expect(mid.result.secondsOverBudget).toEqual({ s: 0 });
  });

  it("policyPowerCap() throttles a job with a CPU runtime model by default, but not a plain batch job", async () => {
    const pools = [{ nodes: 2, cores: 1, idle: 100, max: 200, dvfs: DVFS }];
    const modelled = [jobs[0], { ...jobs[1], runtimes: { cpu: 50 } }];
    const r = await runTiny(capped(350, pools), policyPowerCap(), modelled);
    expect(spans(r)).toEqual(new Map([[1, [0, 100]], [2, [0, 100]]]));
    const batch = await runTiny(capped(350, pools), policyPowerCap(), jobs);
    expect(spans(batch)).toEqual(new Map([[1, [0, 100]], [2, [100, 150]]]));
  });
});

describe("policyPowerCap() ordering", () => {
  // Three one-core nodes (idle 300 W, one job 400 W, two 500 W), budget 450 W.
  // J1 (0 s, 100 s) starts. J2 (10 s, 100 s) would make 500 W: withheld. At 20 s EASY offers
  // J2 and J3 (10 s, 10 s) on the two free nodes; J2 is still over, and J3, which alone would
  // fit the nodes but not the power either, waits behind it (no power backfilling).
  // 100: J1 ends; J2 starts (400 W); J3 would make 500 W: withheld again, now on its own
  // account. 200: J2 ends, J3 starts, ends 210.
  it("policyPowerCap() keeps later starts at a site behind a job waiting for power", async () => {
    const policy = recording(policyPowerCap());
    const r = await runTiny(capped(450, [{ nodes: 3, cores: 1, idle: 100, max: 200 }]), policy, [job(1, 0, 100, 100, 1), job(2, 10, 100, 100, 1), job(3, 20, 10, 10, 1)]);
    expect(spans(r)).toEqual(new Map([[1, [0, 100]], [2, [100, 200]], [3, [200, 210]]]));
    expect(r.result.secondsOverBudget).toEqual({ s: 0 });
    const defers = policy.calls.flatMap((c) => c.decisions.flatMap((d) => (d.kind === "defer" ? [[c.now, d.jobId, d.why.reason]] : [])));
    expect(defers).toEqual([
      [10, 2, "power cap: it would raise site s from 400 W to 500 W, over its budget of 450 W; it waits until running work ends"],
      [20, 3, "power cap: job 2 waits for power at site s and starts first"],
      [100, 3, "power cap: it would raise site s from 400 W to 500 W, over its budget of 450 W; it waits until running work ends"],
    ]);
  });

  // Budget 350 W: J1, a 2-node job, adds 200 W: 400 W even with nothing else running, 50 W
  // over. It is kept from EASY (which would otherwise reserve both nodes for it), so J2 (one
  // node) starts at 0; J1 never starts and is reported so.
  it("policyPowerCap() does not let a job that can never fit the budget hold up the others", async () => {
    const policy = recording(policyPowerCap());
    const r = await runTiny(capped(350), policy, [job(1, 0, 100, 100, 2), job(2, 0, 50, 50, 1)]);
    expect(spans(r)).toEqual(new Map([[2, [0, 50]]]));
    expect(r.result.jobsNeverStarted).toBe(1);
    expect(r.dropped).toEqual([{ id: 1, reason: "never_started" }]);
    expect(r.result.secondsOverBudget).toEqual({ s: 0 });
    const reasons = policy.calls.flatMap((c) => c.decisions.flatMap((d) => (d.kind === "defer" ? [d.why.reason] : [])));
    expect(reasons).toEqual(["power cap: it passes every site's budget even with all other nodes idle (by 50 W at least); it waits for a larger budget"]);
  });
});

describe("policyPowerCap() on random workloads", () => {
  const NODES = 4;
  // Budget: idle floor 400 W plus room for the largest job (maxCores nodes x 100 W) and some slack.
  const scenario = fc.record({
    maxCores: fc.integer({ min: 1, max: NODES }),
    slack: fc.integer({ min: 0, max: 250 }),
    rows: fc.array(fc.record({ gap: fc.integer({ min: 0, max: 40 }), runtime: fc.integer({ min: 1, max: 150 }), over: fc.integer({ min: 0, max: 60 }), cores: fc.integer({ min: 1, max: NODES }) }), { minLength: 1, maxLength: 30 }),
  });
  const jobsOf = (s: { maxCores: number; rows: { gap: number; runtime: number; over: number; cores: number }[] }): JobSpec[] => {
    let t = 0;
    return s.rows.map((r, i) => {
      t += r.gap;
      return job(i + 1, t, r.runtime, r.runtime + r.over, Math.min(r.cores, s.maxCores));
    });
  };

  it("policyPowerCap() never passes the budget when every single job fits in it, and finishes every job", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const budget = NODES * 100 + s.maxCores * 100 + s.slack;
        const jobs = jobsOf(s);
        const r = await runTiny(capped(budget, [{ nodes: NODES, cores: 1, idle: 100, max: 200 }]), policyPowerCap(), jobs);
        expect(r.result.secondsOverBudget).toEqual({ s: 0 });
        expect(r.result.jobsFinished).toBe(jobs.length);
      }),
      { numRuns: 150, seed: 5 },
    );
  });

  it("policyPowerCap(EASY, {throttle_batch: true}) never passes the budget with DVFS states either", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const budget = NODES * 100 + s.maxCores * 100 + s.slack;
        const jobs = jobsOf(s).map((j) => ({ ...j, walltime: j.walltime * 2 }));
        const r = await runTiny(capped(budget, [{ nodes: NODES, cores: 1, idle: 100, max: 200, dvfs: DVFS }]), policyPowerCap(undefined, { throttle_batch: true }), jobs);
        expect(r.result.secondsOverBudget).toEqual({ s: 0 });
        expect(r.result.jobsFinished).toBe(jobs.length);
      }),
      { numRuns: 100, seed: 6 },
    );
  });
});
