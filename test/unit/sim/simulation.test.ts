/**
 * Golden scenario worked out on paper.
 *
 * Platform: one site, PUE 1.5, constant 0.3 kg CO2e/kWh. Four nodes of 2 cores,
 * linear power 100 W idle to 200 W at full load (at u -> 0 the curve starts
 * from idle). Fabrication 1e-4 kg CO2e per node-second.
 *
 * Jobs (id: submit, runtime, walltime, cores -> nodes, utilisation, W/node):
 *   J1: 0, 100, 200, 4 -> 2 nodes, u = 1,   200 W
 *   J2: 10, 50, 50, 6  -> 3 nodes, u = 1,   200 W
 *   J3: 20, 300, 30, 1 -> 1 node,  u = 0.5, 150 W (killed at walltime 30 s)
 *
 * EASY: at t=10 J2 needs 3 nodes, 2 are free: the head is blocked. Shadow time:
 * J1 is predicted to end at 0 + 200 = 200 s, then 4 free >= 3, extra = 1.
 * At t=20 J3 (1 node) ends by walltime at 50 <= 200: backfilled, start 20,
 * killed at 50. J1 ends at 100: J2 starts at 100, ends at 150.
 * FCFS: J3 waits behind J2 and starts at 100 too (3 + 1 nodes), killed at 130.
 *
 * EASY energy: J1 2*200*100 = 40000 J; J2 3*200*50 = 30000 J; J3 150*30 = 4500 J.
 * Idle node-seconds: [0,20) 2 idle -> 40, [20,50) 1 -> 30, [50,100) 2 -> 100,
 * [100,150) 1 -> 50: 220 node-s at 100 W = 22000 J. Site IT = 96500 J.
 * J1 climate: use 40000*1.5 J * 0.3/3.6e6 kg/J = 0.005 kg; fabrication 2*100*1e-4 = 0.02 kg.
 * Waits 0, 90, 0: mean 30 s. Bounded slowdowns 1, (90+50)/50 = 2.8, 30/30 = 1: mean 1.6.
 * Utilisation: (4*100 + 6*50 + 1*30) core-s / (8 cores * 150 s) = 730/1200.
 */
import { describe, expect, it } from "vitest";
import { policyEasyBackfill } from "../../../src/planner/policies/easy.js";
import { policyFcfs } from "../../../src/planner/policies/fcfs.js";
import { N_COORDS, PHASE_INDEX, categoryIndex } from "../../../src/core/categories.js";
import { job, tinyPlatform } from "../../helpers/tinyPlatform.js";
import { runTiny } from "../../helpers/runTiny.js";

const CC = categoryIndex("CC");
const platform = () =>
  tinyPlatform([{ id: "s", pue: 1.5, kgPerKwh: 0.3 }], [{ nodes: 4, cores: 2, idle: 100, max: 200, fabricationCcPerNodeSecond: 1e-4 }]);
const jobs = [job(1, 0, 100, 200, 4), job(2, 10, 50, 50, 6), job(3, 20, 300, 30, 1)];

describe("simulate() golden scenario", () => {
  it("simulate() with EASY backfills J3 before the blocked J2", async () => {
    const r = await runTiny(platform(), policyEasyBackfill(), jobs);
    const starts = [1, 2, 3].map((id) => r.facts.get(id)!.start);
    const ends = [1, 2, 3].map((id) => r.facts.get(id)!.end);
    expect(starts).toEqual([0, 100, 20]);
    expect(ends).toEqual([100, 150, 50]);
    expect(r.facts.get(3)!.killed).toBe(true);
    expect(r.result.end).toBe(150);
  });

  it("simulate() with FCFS keeps J3 behind J2", async () => {
    const r = await runTiny(platform(), policyFcfs(), jobs);
    expect([1, 2, 3].map((id) => r.facts.get(id)!.start)).toEqual([0, 100, 100]);
    expect(r.facts.get(3)!.end).toBe(130);
  });

  it("simulate() charges each job its nodes' power, PUE, intensity and embodied impacts", async () => {
    const r = await runTiny(platform(), policyEasyBackfill(), jobs);
    const j1 = r.charges.get(1)!;
    expect(j1.itJ).toBe(40000);
    expect(j1.facilityJ).toBe(60000);
    expect(j1.impacts[PHASE_INDEX.use * N_COORDS + CC]).toBeCloseTo(0.005, 12);
    expect(j1.impacts[PHASE_INDEX.fabrication * N_COORDS + CC]).toBeCloseTo(0.02, 12);
    expect(r.charges.get(2)!.itJ).toBe(30000);
    expect(r.charges.get(3)!.itJ).toBe(4500);
  });

  it("simulate() leaves idle power and idle embodied impacts to the site overhead", async () => {
    const plat = platform();
    const r = await runTiny(plat, policyEasyBackfill(), jobs);
    const overhead = r.accountant.ledger.siteOverhead[0].summarize(plat, dummyMethod());
    expect(overhead.energy_j.it).toBeCloseTo(22000, 9);
    expect(overhead.node_seconds).toBeCloseTo(220, 9);
    // idle fabrication: 220 node-s * 1e-4 kg
    expect(overhead.impacts.CC.by_phase.fabrication).toBeCloseTo(0.022, 12);
    const meter = r.accountant.meter(0);
    expect(meter.itJ).toBeCloseTo(96500, 9);
    expect(meter.facilityJ).toBeCloseTo(96500 * 1.5, 9);
  });

  it("MetricsCollector gives the hand-computed wait, slowdown and utilisation", async () => {
    const r = await runTiny(platform(), policyEasyBackfill(), jobs);
    const m = r.metrics.result();
    expect(m.jobs).toBe(3);
    expect(m.jobs_killed).toBe(1);
    expect(m.makespan_s).toBe(150);
    expect(m.mean_wait_s).toBe(30);
    expect(m.mean_bounded_slowdown).toBeCloseTo(1.6, 12);
    expect(m.utilisation).toBeCloseTo(730 / 1200, 12);
  });

  it("simulate() gives the same schedule whatever the batch size of the job stream", async () => {
    const a = await runTiny(platform(), policyEasyBackfill(), jobs, 1);
    const b = await runTiny(platform(), policyEasyBackfill(), jobs, 3);
    expect([...a.facts.values()].map((f) => [f.job.id, f.start, f.end])).toEqual([...b.facts.values()].map((f) => [f.job.id, f.start, f.end]));
  });

  it("simulate() in strict mode refuses a job no pool can hold, and lenient mode reports it", async () => {
    const big = [job(1, 0, 10, 10, 9)];
    await expect(runTiny(platform(), policyFcfs(), big)).rejects.toThrow(/got 9 cores \(job 1\)/);
    const r = await runTiny(platform(), policyFcfs(), big, 10, "lenient");
    expect(r.dropped).toEqual([{ id: 1, reason: "too_many_processors" }]);
  });
});

function dummyMethod() {
  return { name: "unit", normalisation: new Float64Array(16).fill(1), weights: new Float64Array(16).fill(1 / 16), source: "test" };
}
