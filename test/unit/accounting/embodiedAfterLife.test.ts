/**
 * Embodied impacts past the lifetime through a real run (accountant with the
 * pools' embodied clock), worked out by hand on the issue's example: a node of
 * 100 kg CO2e embodied over a 2,000 h life (100 / 7.2e6 kg per node-second),
 * whole, running one job for 4,000 h:
 *   linear 4,000 h x 100 / 2,000 = 200 kg; capped 100 kg; paid 100 kg;
 *   paid on a node 1,000 h old at the start: 1,000 h -> 50 kg.
 * Two jobs of 3,000 h one after the other: capped charges each at most
 * 2,000 h (100 + 100 kg), paid charges the first 2,000 h of the node's life
 * (100 + 0 kg). The held node-seconds stay what was held (sums unchanged).
 */
import { describe, expect, it } from "vitest";
import { N_COORDS, N_PHASES, PHASE_INDEX, categoryIndex } from "../../../src/core/categories.js";
import { SECONDS_PER_YEAR } from "../../../src/core/units.js";
import { embodiedClock, type EmbodiedRule } from "../../../src/models/embodied.js";
import type { PlatformModel } from "../../../src/models/platform.js";
import { policyFcfs } from "../../../src/planner/policies/fcfs.js";
import { job, tinyPlatform } from "../../helpers/tinyPlatform.js";
import { runTiny } from "../../helpers/runTiny.js";

const H = 3600;
const FAB_CC = PHASE_INDEX.fabrication * N_COORDS + categoryIndex("CC");

function platform(rule: EmbodiedRule, ageH = 0, nodes = 1): PlatformModel {
  const p = tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0 }], [{ nodes, cores: 1, idle: 0, max: 0, fabricationCcPerNodeSecond: 100 / (2000 * H), sharing: "exclusive" }]);
  const y = (h: number) => (h * H) / SECONDS_PER_YEAR;
  return { ...p, pools: p.pools.map((pool) => ({ ...pool, embodiedClock: embodiedClock(rule, [y(2000), y(2000), y(2000)], [y(ageH), y(ageH), y(ageH)]) })) };
}

const oneJob = [job(1, 0, 4000 * H, 4000 * H, 1)];
const twoJobs = [job(1, 0, 3000 * H, 3000 * H, 1), job(2, 0, 3000 * H, 3000 * H, 1)];

async function kg(plat: PlatformModel, jobs = oneJob) {
  const r = await runTiny(plat, policyFcfs(), jobs);
  const total = r.accountant.ledger.total();
  return {
    total: total.expand(plat).impacts[FAB_CC],
    jobs: [...r.charges.keys()].sort().map((id) => r.charges.get(id)!.impacts[FAB_CC]),
    nodeSeconds: total.nodeSeconds.values()[0],
  };
}

describe("embodied impacts past the lifetime in a run", () => {
  it("the issue's example: linear 200 kg, capped 100 kg, paid 100 kg, paid at age 1,000 h 50 kg", async () => {
    for (const [rule, age, want] of [["linear", 0, 200], ["capped", 0, 100], ["paid", 0, 100], ["paid", 1000, 50], ["paid", 3000, 0]] as const) {
      const r = await kg(platform(rule, age));
      expect(r.total, `${rule} at age ${age} h`).toBeCloseTo(want, 9);
      expect(r.jobs[0], `${rule} at age ${age} h, the job's own charge`).toBeCloseTo(want, 9);
      expect(r.nodeSeconds).toBe(4000 * H);
    }
  });

  it("four 1,000 h jobs in a row, each holding the node: paid 50 + 50 + 0 + 0 kg (within the life, then wholly past it), capped and linear 50 each", async () => {
    const four = [1, 2, 3, 4].map((id) => job(id, 0, 1000 * H, 1000 * H, 1));
    for (const [rule, want] of [["paid", [50, 50, 0, 0]], ["capped", [50, 50, 50, 50]], ["linear", [50, 50, 50, 50]]] as const) {
      const r = await kg(platform(rule), four);
      want.forEach((w, k) => expect(r.jobs[k], `${rule}, job ${k + 1}`).toBeCloseTo(w, 9));
    }
  });

  it("two 3,000 h jobs in a row: capped 100 + 100 kg, paid 100 + 0 kg, linear 150 + 150 kg", async () => {
    for (const [rule, want] of [["linear", [150, 150]], ["capped", [100, 100]], ["paid", [100, 0]]] as const) {
      const r = await kg(platform(rule), twoJobs);
      expect(r.jobs[0], rule).toBeCloseTo(want[0], 9);
      expect(r.jobs[1], rule).toBeCloseTo(want[1], 9);
      expect(r.total, rule).toBeCloseTo(want[0] + want[1], 9);
    }
  });

  it("an idle node's overhead: paid stops at the lifetime, capped (no job) is linear", async () => {
    // Two nodes, one job of 4,000 h: the other node idles 4,000 h, charged to the site's overhead.
    const paid = await kg(platform("paid", 0, 2));
    expect(paid.total).toBeCloseTo(100 + 100, 9);
    const capped = await kg(platform("capped", 0, 2));
    expect(capped.total).toBeCloseTo(100 + 200, 9);
    expect(capped.nodeSeconds).toBe(2 * 4000 * H);
  });
});

describe("a planner's price of a placement past the lifetime (planner/resources placementEmbodied)", () => {
  it("averages the rate over the hold as the accountant charges it: 4,000 h on a 2,000 h life at 100 / 7.2e6 kg/s", async () => {
    const { placementEmbodied } = await import("../../../src/planner/resources.js");
    const { poolFigures, poolView } = await import("../../../src/planner/poolView.js");
    const rate = 100 / (2000 * H);
    const charge = { wholeNodes: 1, node: 1, gpu: 1, fpga: 1, runWatts: 0, holdWatts: 0 };
    const priced = (plat: PlatformModel, from?: number, seconds?: number) =>
      placementEmbodied(poolView(poolFigures(0, plat.pools[0], "s", 0, 0), 1, 0, 0), charge, new Float64Array(N_PHASES * N_COORDS), from, seconds)[FAB_CC] * 4000 * H;
    expect(priced(platform("linear"), 0, 4000 * H)).toBeCloseTo(200, 9);
    expect(priced(platform("capped"), 0, 4000 * H)).toBeCloseTo(100, 9);
    expect(priced(platform("paid"), 0, 4000 * H)).toBeCloseTo(100, 9);
    expect(priced(platform("paid", 1000), 0, 4000 * H)).toBeCloseTo(50, 9);
    // Without the hold's interval, or within the lifetime: the plain rate.
    expect(priced(platform("paid", 1000))).toBeCloseTo(200, 9);
    expect(priced(platform("paid"), 0, 1000 * H) / (4000 * H)).toBe(rate);
  });
});
