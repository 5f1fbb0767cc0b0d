/**
 * Golden scenarios worked out on paper.
 *
 * 1. Whole nodes (the pool is an exclusive partition: every job holds its nodes).
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
import { exclusivePools } from "../../helpers/sharing.js";
import { simulate } from "../../../src/sim/simulation.js";
import { Accountant } from "../../../src/accounting/accountant.js";
import { forecastFromActual } from "../../../src/models/forecast.js";
import { rngSeeded } from "../../../src/core/rng.js";
import type { JobSpec } from "../../../src/io/spec.js";
import type { PlatformModel } from "../../../src/models/platform.js";

const CC = categoryIndex("CC");
const platform = () =>
  exclusivePools(tinyPlatform([{ id: "s", pue: 1.5, kgPerKwh: 0.3 }], [{ nodes: 4, cores: 2, idle: 100, max: 200, fabricationCcPerNodeSecond: 1e-4 }]));
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
    // The message names the job, its request and the largest pool.
    await expect(runTiny(platform(), policyFcfs(), big)).rejects.toThrow(/largest: 4 x t at s, 2 cores per node\), got job 1 asking 9 cores: pool 0 \(t at s\): 9 cores need 5 of its nodes, the pool has 4/);
    const r = await runTiny(platform(), policyFcfs(), big, 10, "lenient");
    expect(r.dropped).toEqual([{ id: 1, reason: "too_many_processors" }]);
  });
});

/**
 * 2. Shared nodes. One site, PUE 1.5, 0.3 kg CO2e/kWh; two nodes of 4 cores,
 * linear 100 W idle to 200 W at full load; fabrication 1e-4 kg per node-second.
 * Jobs (id: submit, runtime = walltime, cores): A 0, 100, 2; B 0, 50, 1; C 10, 60, 4.
 * EASY starts each at once. Placement fills nodes in use first: A takes 2
 * cores of node 0 (none in use yet), B 1 more of node 0, C the last core of
 * node 0 and 3 of node 1.
 * Node 0 busy cores 3, 4, 3, 2 over [0,10), [10,50), [50,70), [70,100):
 * 175, 200, 175, 150 W -> 1750 + 8000 + 3500 + 4500 = 17750 J.
 * Node 1: idle, 3 busy over [10,70), idle: 100 x 10 + 175 x 60 + 100 x 30 = 14500 J.
 * Site IT 32250 J.
 * Split ("allocated" rule): static 100 W per node = 25 W per allocated core;
 * dynamic (P(u) - 100 W) by busy cores = 25 W per busy core on a linear curve.
 * A 2 x 50 W x 100 s = 10000 J; B 1 x 50 x 50 = 2500 J; C 4 x 50 x 60 = 12000 J.
 * Overhead, the unallocated cores' 25 W and idle nodes: node 0 1 core [0,10)
 * 250, 1 core [50,70) 500, 2 cores [70,100) 1500; node 1 idle [0,10) 1000,
 * 1 core [10,70) 1500, idle [70,100) 3000: 7750 J = 32250 - 24500.
 * Embodied per allocated core-second 1e-4 / 4 = 2.5e-5 kg: A 0.005, B 0.00125,
 * C 0.006; the site's 200 node-seconds give 0.02 kg, the overhead the rest 0.00775.
 * A's use: 10000 J x 1.5 x 0.3 / 3.6e6 kg/J = 0.00125 kg.
 * "jobs" rule: each node's 100 W static among its jobs by allocated cores, no
 * idle core to overhead. A: [0,10) 2/3 x 100 + 50, [10,50) 2/4 x 100 + 50,
 * [50,70) 2/3 x 100 + 50, [70,100) 100 + 50: 1166.67 + 4000 + 2333.33 + 4500 =
 * 12000 J. Overhead: node 1 idle [0,10) and [70,100): 4000 J.
 */
describe("simulate() golden scenario on shared nodes", () => {
  const shared = () => tinyPlatform([{ id: "s", pue: 1.5, kgPerKwh: 0.3 }], [{ nodes: 2, cores: 4, idle: 100, max: 200, fabricationCcPerNodeSecond: 1e-4 }]);
  const sharedJobs = [job(1, 0, 100, 100, 2), job(2, 0, 50, 50, 1), job(3, 10, 60, 60, 4)];

  it("simulate() packs the jobs: A and B on node 0, C on node 0's last core and 3 of node 1", async () => {
    const r = await runTiny(shared(), policyEasyBackfill(), sharedJobs);
    expect([1, 2, 3].map((id) => r.facts.get(id)!.start)).toEqual([0, 0, 10]);
    expect(r.facts.get(3)!.nodeCount).toBe(2);
    expect(r.facts.get(3)!.allocCores).toBe(4);
    expect(r.facts.get(1)!.exclusive).toBe(false);
  });

  it("simulate() meters the nodes from all their jobs' busy cores and splits the draw among them", async () => {
    const plat = shared();
    const r = await runTiny(plat, policyEasyBackfill(), sharedJobs);
    expect(r.accountant.meter(0).itJ).toBeCloseTo(32250, 9);
    expect(r.charges.get(1)!.itJ).toBeCloseTo(10000, 9);
    expect(r.charges.get(2)!.itJ).toBeCloseTo(2500, 9);
    expect(r.charges.get(3)!.itJ).toBeCloseTo(12000, 9);
    const overhead = r.accountant.ledger.siteOverhead[0].summarize(plat, dummyMethod());
    expect(overhead.energy_j.it).toBeCloseTo(7750, 9);
    expect(r.charges.get(1)!.impacts[PHASE_INDEX.fabrication * N_COORDS + CC]).toBeCloseTo(0.005, 12);
    expect(r.charges.get(2)!.impacts[PHASE_INDEX.fabrication * N_COORDS + CC]).toBeCloseTo(0.00125, 12);
    expect(r.charges.get(3)!.impacts[PHASE_INDEX.fabrication * N_COORDS + CC]).toBeCloseTo(0.006, 12);
    expect(overhead.impacts.CC.by_phase.fabrication).toBeCloseTo(0.00775, 12);
    expect(r.charges.get(1)!.impacts[PHASE_INDEX.use * N_COORDS + CC]).toBeCloseTo(0.00125, 12);
  });

  it('simulate() with the "jobs" static split gives each node\'s static draw to its jobs', async () => {
    const plat = shared();
    const charges = new Map<number, number>();
    const accountant = new Accountant(plat, (c) => charges.set(c.fact.job.id, c.itJ));
    await simulate({ platform: plat, policy: policyEasyBackfill(), jobs: [sharedJobs], forecasts: forecasts(plat), observer: accountant, staticRule: "jobs" });
    expect(charges.get(1)).toBeCloseTo(12000, 9);
    expect(accountant.ledger.siteOverhead[0].summarize(plat, dummyMethod()).energy_j.it).toBeCloseTo(4000, 9);
    expect(accountant.meter(0).itJ).toBeCloseTo(32250, 9);
  });

  it("simulate() draws a job's cores at its recorded CPU usage, capped at 1", async () => {
    // A (2 cores, usage 0.5) alone on node 0: 1 busy core of 4 -> 125 W; its share: static 2/4 x 100 = 50 W,
    // dynamic the node's 25 W -> 75 W x 100 s = 7500 J.
    const jobs: JobSpec[] = [{ ...job(1, 0, 100, 100, 2), cpuUsage: 0.5 }, { ...job(2, 0, 100, 100, 2), exactNodes: 1, cpuUsage: 3 }];
    const r = await runTiny(shared(), policyEasyBackfill(), [jobs[0]]);
    expect(r.charges.get(1)!.itJ).toBeCloseTo(7500, 9);
    expect(r.facts.get(1)!.utilisation).toBe(0.5);
    // Both together: A on node 0, B (placed on node 0's 2 free cores) beside it: 1 + 2 = 3 busy of 4 -> 175 W;
    // static 50 W each; dynamic 75 W by busy cores 1 : 2 -> A 25 W, B 50 W: A 7500 J, B 10000 J.
    const both = await runTiny(shared(), policyEasyBackfill(), jobs);
    expect(both.charges.get(1)!.itJ).toBeCloseTo(7500, 9);
    expect(both.charges.get(2)!.itJ).toBeCloseTo(10000, 9);
    expect(both.accountant.meter(0).itJ).toBeCloseTo((175 + 100) * 100, 9);
  });

  it("simulate() gives a job that asks for whole nodes its own node, charged the node's whole draw", async () => {
    const jobs: JobSpec[] = [job(1, 0, 100, 100, 2), { ...job(2, 0, 50, 50, 1), exclusive: true }];
    const r = await runTiny(shared(), policyEasyBackfill(), jobs);
    // B holds node 1 alone at u = 1/4: 125 W x 50 s.
    expect(r.facts.get(2)!.allocCores).toBe(4);
    expect(r.charges.get(2)!.itJ).toBeCloseTo(6250, 9);
    // A shares node 0 with nobody: 2 x 50 W x 100 s.
    expect(r.charges.get(1)!.itJ).toBeCloseTo(10000, 9);
  });
});

function forecasts(plat: PlatformModel) {
  return plat.sites.map((s) => forecastFromActual(s.intensity, { bias: 0, sigma: 0 }, rngSeeded(1)));
}

function dummyMethod() {
  return { name: "unit", normalisation: new Float64Array(16).fill(1), weights: new Float64Array(16).fill(1 / 16), source: "test" };
}
