/**
 * The flexible policy run in the simulator, one job at a time on ample
 * capacity with a perfect forecast, against expectations written here
 * independently:
 * - rule "slots": the job's carbon equals a brute-force optimum over every set
 *   of occupied slots (each piece after the first opening with its restart
 *   slots, every piece at least the least piece of work);
 * - the published rules: the job runs exactly in the slots the published code
 *   would pick, its rules written here after what GAIA computes (umassos/GAIA,
 *   src/scheduling/suspend_scheduling_policy.py compute_schedule_optimal and
 *   compute_schedule_threshold, carbon_waiting_policy.py oracle_carbon_slot,
 *   oracle_carbon_slot_waiting, lowest_carbon_slot), slot-indexed.
 * One one-core node of 1 kW (0 W idle), so a job's CC in kg is the sum of
 * rate (kg/kWh) x hours run.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Accountant } from "../../../src/accounting/accountant.js";
import { N_COORDS, PHASE_INDEX, categoryIndex } from "../../../src/core/categories.js";
import { rngSeeded } from "../../../src/core/rng.js";
import { TimeSeries } from "../../../src/core/timeseries.js";
import type { JobSpec, QosSpec } from "../../../src/io/spec.js";
import { forecastFromActual } from "../../../src/models/forecast.js";
import { policyFlexible, type FlexibleParams } from "../../../src/planner/index.js";
import type { Policy } from "../../../src/planner/view.js";
import { simulate } from "../../../src/sim/simulation.js";
import { combineObservers } from "../../../src/sim/observer.js";
import { job, tinyPlatform } from "../../helpers/tinyPlatform.js";

const CC = categoryIndex("CC");
const ENERGY = categoryIndex("ENERGY");
const USE_CC = PHASE_INDEX.use * N_COORDS + CC;
const STEP = 600;

/** A series of `rates` kg/kWh, one per STEP from 0, held after. */
function series(rates: readonly number[]): TimeSeries {
  const values = new Float64Array(rates.length * N_COORDS);
  rates.forEach((r, k) => {
    values[k * N_COORDS + CC] = r / 3.6e6;
    values[k * N_COORDS + ENERGY] = 1;
  });
  return new TimeSeries(
    rates.map((_, k) => k * STEP),
    values,
    N_COORDS,
    rates.length * STEP,
    "hold",
  );
}

/** Runs one job; its runs [start, end) and its use-phase CC, kg. */
async function runOne(rates: readonly number[], spec: JobSpec, params: FlexibleParams, nodes = 1): Promise<{ runs: [number, number][]; cc: number; killed: number }> {
  const platform = tinyPlatform([{ id: "s", pue: 1, kgPerKwh: series(rates) }], [{ nodes, cores: 1, idle: 0, max: 1000 }]);
  let cc = 0;
  const runs: [number, number][] = [];
  const result = await simulate({
    platform,
    policy: policyFlexible(params) as Policy<unknown>,
    jobs: [[spec]],
    forecasts: platform.sites.map((s) => forecastFromActual(s.intensity, { bias: 0, sigma: 0 }, rngSeeded(1))),
    observer: combineObservers(new Accountant(platform, (c) => (cc += c.impacts[USE_CC])), { jobEnded: (f) => void (f.job.id === spec.id && runs.push([f.start, f.end])) }),
  });
  return { runs, cc, killed: result.jobsKilled };
}

const qos = (maxDelay: number, extra: Partial<QosSpec> = {}): QosSpec => ({ name: "flex", max_delay_s: maxDelay, impact_preference: 1, preemptible: true, ...extra });

/** Brute force over occupied-slot masks: work W slots, restart R slots before each later piece, pieces of >= M work slots. */
function bruteForce(rates: readonly number[], W: number, R: number, M: number): number {
  const n = rates.length;
  let best = Infinity;
  for (let mask = 1; mask < 1 << n; mask++) {
    // Pieces: maximal runs of occupied slots.
    let cost = 0;
    let work = 0;
    let ok = true;
    let first = true;
    for (let k = 0; k < n && ok; ) {
      if (!(mask & (1 << k))) {
        k++;
        continue;
      }
      let e = k;
      while (e < n && mask & (1 << e)) e++;
      const restart = first ? 0 : R;
      const pieceWork = e - k - restart;
      if (pieceWork < M) ok = false;
      for (let s = k; s < e; s++) cost += rates[s];
      work += pieceWork;
      first = false;
      k = e;
    }
    if (ok && work === W) best = Math.min(best, cost);
  }
  return (best * STEP) / 3600; // kg at 1 kW
}

describe("policyFlexible, rule slots: the simulated job's carbon is the exact optimum", () => {
  it("equals a brute force over every set of occupied slots (restart and least piece in whole slots)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 10, maxLength: 10 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 1, max: 3 }),
        async (ints, W, R, M) => {
          const rates = ints.map((i) => i / 10);
          const work = W * STEP;
          const spec = { ...job(1, 0, work, work, 1), qos: qos(rates.length * STEP - work, { checkpoint_s: R * STEP, min_piece_s: M * STEP }) };
          const expected = bruteForce(rates, W, R, Math.min(M, W));
          const r = await runOne(rates, spec, { rule: "slots", step_s: STEP });
          expect(r.killed).toBe(0);
          expect(r.cc).toBeCloseTo(expected, 9);
          // Within its window.
          expect(r.runs[r.runs.length - 1][1]).toBeLessThanOrEqual(rates.length * STEP + 1e-9);
        },
      ),
      { numRuns: 40, seed: 17 },
    );
  });

  it("does not interrupt when a restart costs more than it saves (hand-worked)", async () => {
    // Slots 0.9 0.1 0.5 0.1; 2 slots of work. Free suspension: slots 1 and 3 (0.2). With a one-slot restart,
    // interrupting costs 0.1 + 0.5 (restart in slot 2) + 0.1 = 0.7 > one piece in slots 1-2 or 2-3 (0.6):
    // it runs once, in the earlier, 600..1800.
    const rates = [0.9, 0.1, 0.5, 0.1];
    const spec = (checkpoint: number) => ({ ...job(1, 0, 1200, 1200, 1), qos: qos(1200, { checkpoint_s: checkpoint }) });
    const free = await runOne(rates, spec(0), { rule: "slots", step_s: STEP });
    expect(free.runs).toEqual([
      [600, 1200],
      [1800, 2400],
    ]);
    expect(free.cc).toBeCloseTo((0.2 * 600) / 3600, 12);
    const costly = await runOne(rates, spec(600), { rule: "slots", step_s: STEP });
    expect(costly.runs).toEqual([[600, 1800]]);
    expect(costly.cc).toBeCloseTo((0.6 * 600) / 3600, 12);
  });

  it("a job not preemptible gets one piece, the lowest window", async () => {
    const rates = [0.9, 0.1, 0.5, 0.1];
    const spec = { ...job(1, 0, 1200, 1200, 1), qos: qos(1200, { preemptible: false }) };
    const r = await runOne(rates, spec, { rule: "slots", step_s: STEP });
    expect(r.runs).toEqual([[600, 1800]]);
  });
});

/** GAIA's rules on slot rates (one slot = one GAIA time step), for a job of L slots that may wait W slots, arriving at slot 0. */
const gaia = {
  /** compute_schedule_optimal: the L cheapest slots of the L + W, ties to the earlier. */
  waitAwhile(rates: readonly number[], L: number, W: number): number[] {
    return rates
      .slice(0, L + W)
      .map((r, i) => [r, i] as const)
      .sort((a, b) => a[0] - b[0] || a[1] - b[1])
      .slice(0, L)
      .map(([, i]) => i)
      .sort((a, b) => a - b);
  },
  /** compute_schedule_threshold with the 0.3 quantile (pandas linear) of the coming `horizon` slots. */
  ecovisor(rates: readonly number[], L: number, W: number, horizon: number): number[] {
    const coming = rates.slice(0, horizon).sort((a, b) => a - b);
    const pos = 0.3 * (coming.length - 1);
    const lo = Math.floor(pos);
    const threshold = coming[lo] + (pos - lo) * ((coming[Math.min(lo + 1, coming.length - 1)] ?? coming[lo]) - coming[lo]);
    const out: number[] = [];
    let left = L;
    let waiting = W;
    for (let i = 0; i < L + W && left > 0; i++) {
      if (rates[i] < threshold || waiting <= 0) {
        out.push(i);
        left--;
      } else waiting--;
    }
    return out;
  },
  /** oracle_carbon_slot: starts every `every` slots up to W, least sum, the first of equals. */
  lowestWindow(rates: readonly number[], L: number, W: number, every: number): number[] {
    let best = 0;
    let bestCost = Infinity;
    for (let s = 0; s <= W; s += every) {
      const c = rates.slice(s, s + L).reduce((a, b) => a + b, 0);
      if (c < bestCost) [best, bestCost] = [s, c];
    }
    return Array.from({ length: L }, (_, i) => best + i);
  },
  /** oracle_carbon_slot_waiting: max (C(0) - C(s)) / (s + L), the first of equals. */
  carbonTime(rates: readonly number[], L: number, W: number, every: number): number[] {
    const cost = (s: number) => rates.slice(s, s + L).reduce((a, b) => a + b, 0);
    let best = 0;
    let bestScore = -Infinity;
    for (let s = 0; s <= W; s += every) {
      const score = (cost(0) - cost(s)) / (s + L);
      if (score > bestScore) [best, bestScore] = [s, score];
    }
    return Array.from({ length: L }, (_, i) => best + i);
  },
  /** lowest_carbon_slot: the start at the cheapest of the first W + 1 slots (idxmin: the first of equals). */
  lowestSlot(rates: readonly number[], L: number, W: number): number[] {
    let best = 0;
    for (let s = 1; s <= W; s++) if (rates[s] < rates[best]) best = s;
    return Array.from({ length: L }, (_, i) => best + i);
  },
};

/** Slots to runs [start, end) in seconds, adjacent slots merged. */
function runsOf(slots: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const k of slots) {
    const last = out[out.length - 1];
    if (last && last[1] === k * STEP) last[1] += STEP;
    else out.push([k * STEP, (k + 1) * STEP]);
  }
  return out;
}

describe("policyFlexible, the published rules run the job where the published code puts it", () => {
  const arb = fc.tuple(fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 16, maxLength: 16 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 9 }));
  const cases: [string, FlexibleParams, (rates: number[], L: number, W: number) => number[]][] = [
    ["wait-awhile", { rule: "wait-awhile", step_s: STEP }, (r, L, W) => gaia.waitAwhile(r, L, W)],
    ["ecovisor", { rule: "ecovisor", step_s: STEP, percentile: 0.3, horizon_s: 8 * STEP }, (r, L, W) => gaia.ecovisor(r, L, W, 8)],
    ["lowest-window", { rule: "lowest-window", step_s: STEP, start_step_s: 2 * STEP }, (r, L, W) => gaia.lowestWindow(r, L, W, 2)],
    ["carbon-time", { rule: "carbon-time", step_s: STEP, start_step_s: 2 * STEP }, (r, L, W) => gaia.carbonTime(r, L, W, 2)],
    ["lowest-slot", { rule: "lowest-slot", step_s: STEP }, (r, L, W) => gaia.lowestSlot(r, L, W)],
  ];
  for (const [name, params, expected] of cases) {
    it(`${name}`, async () => {
      await fc.assert(
        fc.asyncProperty(arb, async ([ints, L, W]) => {
          // Multiples of 1/16: sums are exact, so equal windows tie here as they do in the published code.
          const rates = ints.map((i) => i / 16);
          const spec = { ...job(1, 0, L * STEP, L * STEP, 1), qos: qos(W * STEP) };
          const r = await runOne(rates, spec, params);
          expect(r.runs).toEqual(runsOf(expected(rates, L, W)));
        }),
        { numRuns: 25, seed: 17 },
      );
    });
  }
});
