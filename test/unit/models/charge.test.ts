/**
 * models/charge: the charge arithmetic against figures worked by hand
 * (1 kWh = 3.6e6 J; g/kWh / 1000 = kg/kWh), and the contract it exists for:
 * what a planner prices a placement at is what the accountant then charges.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { attributeInterval } from "../../../src/accounting/attribution.js";
import { ENERGY, N_COORDS, N_EF, N_PHASES, PHASE_INDEX, categoryIndex } from "../../../src/core/categories.js";
import { rngSeeded } from "../../../src/core/rng.js";
import { scoreMethod } from "../../../src/core/score.js";
import type { JobSpec } from "../../../src/io/spec.js";
import { chargeForecastInto, chargeInto, chargeScore, forecastIntegralInto, phaseTotal, useImpact, type ChargeEnergy } from "../../../src/models/charge.js";
import { forecastFromActual, type IntensityForecast } from "../../../src/models/forecast.js";
import type { PlatformModel } from "../../../src/models/platform.js";
import { estimate, type Estimate } from "../../../src/planner/estimate.js";
import { policyEasyBackfill } from "../../../src/planner/policies/easy.js";
import { policyWeighted } from "../../../src/planner/policies/weighted.js";
import type { ClusterView, Decision, Policy, WorldEvent } from "../../../src/planner/view.js";
import { runTiny } from "../../helpers/runTiny.js";
import { ccSeries, job, tinyPlatform } from "../../helpers/tinyPlatform.js";

const CC = categoryIndex("CC");
const ODP = categoryIndex("ODP");
const at = (phase: keyof typeof PHASE_INDEX, c: number) => PHASE_INDEX[phase] * N_COORDS + c;
const phased = () => new Float64Array(N_PHASES * N_COORDS);
const energy = (): ChargeEnergy => ({ it: Number.NaN, facility: Number.NaN });

function close(actual: number, expected: number, rel = 1e-12): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.abs(expected));
}

/** An intensity integral of `seconds` at a constant CC intensity in kg/kWh (ENERGY: 1 per joule). */
function constantIntegral(kgPerKwh: number, seconds: number): Float64Array {
  const v = new Float64Array(N_COORDS);
  v[CC] = (kgPerKwh / 3.6e6) * seconds;
  v[ENERGY] = seconds;
  return v;
}

/** Embodied impacts per node-second with the given CC figures (kg per node-second) by phase. */
function embodied(cc: Partial<Record<keyof typeof PHASE_INDEX, number>>): Float64Array {
  const v = phased();
  for (const [ph, x] of Object.entries(cc)) v[at(ph as keyof typeof PHASE_INDEX, CC)] = x;
  return v;
}

/** A hand-made forecast: CC 0.1 kg/kWh on [0, 1800), 0.3 kg/kWh from 1800; ENERGY 1 per joule. */
const stepForecast: IntensityForecast = {
  mean(from, to, c = CC) {
    const rate = (t: number) => (c === ENERGY ? 1 : c === CC ? (t < 1800 ? 0.1 : 0.3) / 3.6e6 : 0);
    if (!(to > from)) return rate(from);
    const cut = Math.min(Math.max(1800, from), to);
    return (rate(from) * (cut - from) + rate(1800) * (to - cut)) / (to - from);
  },
  at: (t, c = CC) => (c === ENERGY ? 1 : c === CC ? (t < 1800 ? 0.1 : 0.3) / 3.6e6 : 0),
};

describe("chargeInto()", () => {
  it("chargeInto(2 nodes, 150 W, 100 s) at PUE 1.5 and 100 g/kWh: 30,000 J IT, 45,000 J facility, 1.25 g CO2e use, embodied by node-seconds", () => {
    // IT: 2 nodes x 150 W x 100 s = 30,000 J; facility: x PUE 1.5 = 45,000 J.
    // Use: 45,000 J / 3.6e6 J/kWh x 0.1 kg/kWh = 0.00125 kg CO2e; the energy coordinate is the facility's 45,000 J.
    // Embodied: 2 nodes x 100 s = 200 node-s; fabrication 2e-6 kg/node-s -> 4e-4 kg, end of life 5e-7 -> 1e-4 kg.
    const out = phased();
    const e = energy();
    // A use-phase figure in the embodied rates is not read: electricity is the use phase.
    chargeInto(out, e, 2, 150, 100, 1.5, constantIntegral(0.1, 100), embodied({ fabrication: 2e-6, endOfLife: 5e-7, use: 99 }));
    expect(e).toEqual({ it: 30_000, facility: 45_000 });
    close(out[at("use", CC)], 0.00125);
    close(out[at("use", ENERGY)], 45_000);
    close(out[at("fabrication", CC)], 4e-4);
    close(out[at("endOfLife", CC)], 1e-4);
    expect(out[at("transport", CC)]).toBe(0);
    expect(out[at("use", ODP)]).toBe(0);
  });

  it("chargeInto() over 0 s charges nothing and overwrites everything `out` and `energy` held", () => {
    const out = phased().fill(7);
    const e = energy();
    chargeInto(out, e, 3, 200, 0, 1.4, new Float64Array(N_COORDS), embodied({ fabrication: 1e-6 }));
    expect(e).toEqual({ it: 0, facility: 0 });
    expect(Array.from(out).every((x) => x === 0)).toBe(true);
  });

  it("chargeInto() takes its use phase from useImpact(watts, pue, integral) with watts = nodes x wattsPerNode", () => {
    // 3 nodes x 120 W = 360 W; x PUE 1.25 = 450 W at the facility; x an integral of 2e-5 = 0.009.
    const integral = new Float64Array(N_COORDS);
    integral[CC] = 2e-5;
    const out = phased();
    chargeInto(out, energy(), 3, 120, 60, 1.25, integral, phased());
    expect(out[at("use", CC)]).toBe(useImpact(360, 1.25, 2e-5));
    close(useImpact(360, 1.25, 2e-5), 0.009);
  });

  it("attributeInterval() is chargeInto() over the actual series' integral: an intensity change inside the interval", () => {
    // 0.1 kg/kWh on [0, 1800), 0.3 on [1800, 3600); 1 node at 400 W, PUE 1, over [900, 2700]:
    // 400 W x 900 s = 0.1 kWh in each segment, 0.1 x 0.1 + 0.1 x 0.3 = 0.04 kg.
    const plat = tinyPlatform([{ id: "s", pue: 1, kgPerKwh: ccSeries([0, 1800], [0.1, 0.3], 3600) }], [{ nodes: 1, cores: 1, idle: 100, max: 400 }]);
    const a = phased();
    const e = attributeInterval(1, 400, 900, 2700, plat.sites[0], plat.pools[0], a, new Float64Array(N_COORDS));
    expect(e).toEqual({ it: 720_000, facility: 720_000 });
    close(a[at("use", CC)], 0.04);
    // The planner's side over the same window, from a forecast equal to the actual series.
    const p = phased();
    const pe = energy();
    chargeForecastInto(p, pe, 1, 400, 900, 1800, 1, stepForecast, phased(), new Float64Array(N_COORDS));
    expect(pe).toEqual({ it: 720_000, facility: 720_000 });
    close(p[at("use", CC)], 0.04);
  });
});

describe("forecastIntegralInto()", () => {
  it("forecastIntegralInto(out, forecast, from, seconds) is the forecast mean x the seconds for every coordinate", () => {
    // [900, 2700]: 900 s at 0.1 and 900 s at 0.3 kg/kWh: (0.1 x 900 + 0.3 x 900) / 3.6e6 = 1e-4 kg s/J; ENERGY 1800 s.
    const out = new Float64Array(N_COORDS).fill(5);
    forecastIntegralInto(out, stepForecast, 900, 1800);
    close(out[CC], (0.1 * 900 + 0.3 * 900) / 3.6e6);
    close(out[ENERGY], 1800);
    expect(out[ODP]).toBe(0);
  });

  it("forecastIntegralInto(out, forecast, from, seconds, only) fills one coordinate and zeroes the others", () => {
    const out = new Float64Array(N_COORDS).fill(5);
    forecastIntegralInto(out, stepForecast, 0, 900, CC);
    close(out[CC], (0.1 * 900) / 3.6e6);
    expect(out[ENERGY]).toBe(0);
    expect(out[ODP]).toBe(0);
  });

  it("forecastIntegralInto() through a forecast's meanInto() is the integral through its mean() per coordinate, to the bit", () => {
    // A grid-like series of 15-min rows (CC varying, ENERGY 1, the rest 0), held past its end (forecastFromActual).
    const series = ccSeries(Array.from({ length: 200 }, (_, k) => k * 900), Array.from({ length: 200 }, (_, k) => 0.05 + 0.4 * Math.abs(Math.sin(k / 7))), 200 * 900);
    const f = forecastFromActual({ series, basis: new Uint8Array(N_COORDS), source: "test" }, { bias: 0, sigma: 0 }, rngSeeded(1));
    const perCoordinate: IntensityForecast = { mean: f.mean, at: f.at };
    const seconds = fc.oneof(fc.integer({ min: 0, max: 400000 }), fc.double({ min: 0, max: 400000, noNaN: true }));
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 250000 }), seconds, (from, dt) => {
        const a = new Float64Array(N_COORDS);
        const b = new Float64Array(N_COORDS);
        forecastIntegralInto(a, f, from, dt);
        forecastIntegralInto(b, perCoordinate, from, dt);
        for (let c = 0; c < N_COORDS; c++) expect(Object.is(a[c], b[c]), `coordinate ${c}: ${a[c]} vs ${b[c]}`).toBe(true);
      }),
      { numRuns: 500, seed: 16 },
    );
  });

  it("forecastIntegralInto() over 0 s is 0", () => {
    const out = new Float64Array(N_COORDS).fill(5);
    forecastIntegralInto(out, stepForecast, 1800, 0);
    expect(Array.from(out).every((x) => x === 0)).toBe(true);
  });
});

describe("phaseTotal() and chargeScore()", () => {
  it("phaseTotal(impacts, c) sums coordinate c over the four phases", () => {
    // 0.2 (fabrication) + 0.05 (transport) + 0.3 (use) + 0.01 (end of life) = 0.56 kg.
    const v = phased();
    v[at("fabrication", CC)] = 0.2;
    v[at("transport", CC)] = 0.05;
    v[at("use", CC)] = 0.3;
    v[at("endOfLife", CC)] = 0.01;
    v[at("use", ODP)] = 9;
    close(phaseTotal(v, CC), 0.56);
  });

  it("chargeScore(impacts, method) scores the phase totals: (0.5 kg / 10) x 50 % = 0.025 Pt", () => {
    // Normalisation: 10 kg CO2e for CC, 1 for the others; weight 50 % on CC only, so ODP counts 0.
    const nf = Object.fromEntries(["CC", "ODP", "HTC", "HTNC", "PM", "IR", "POCP", "AC", "EUT", "EUF", "EUM", "ETF", "LU", "WU", "RUMM", "RUF"].map((id) => [id, id === "CC" ? 10 : 1]));
    const method = scoreMethod("test", nf, { CC: 50 }, "hand-made");
    expect(method.normalisation).toHaveLength(N_EF);
    const v = phased();
    v[at("fabrication", CC)] = 0.2;
    v[at("use", CC)] = 0.3;
    v[at("use", ODP)] = 4;
    close(chargeScore(v, method), 0.025);
  });
});

/**
 * A policy that asks estimate() about every queued job the first time it sees
 * it, then lets an inner policy decide and keeps the explanations of its starts.
 */
function probed(inner: Policy): { policy: Policy; estimates: Map<number, Estimate[]>; whys: Map<number, Record<string, number>> } {
  const estimates = new Map<number, Estimate[]>();
  const whys = new Map<number, Record<string, number>>();
  const policy: Policy = {
    name: "fixture-probe",
    version: "1",
    params: {},
    decide(view: ClusterView, happened: readonly WorldEvent[]): readonly Decision[] {
      for (const q of view.queue) if (!estimates.has(q.id)) estimates.set(q.id, estimate(q, view));
      const out = inner.decide(view, happened);
      for (const d of out) if (d.kind === "start" && d.why?.expected) whys.set(d.jobId, d.why.expected as Record<string, number>);
      return out;
    },
  };
  return { policy, estimates, whys };
}

const ccTotal = (impacts: Float64Array) => phaseTotal(impacts, CC);

describe("a placement's price and its charge", () => {
  /**
   * The drift of issue 11. One site at PUE 1.5 and 100 g/kWh; two nodes of one core,
   * 50 W idle, 150 W busy; fabrication 1e-6 kg per node-second. A 2-core job with a
   * 500 s runtime model and a 100 s walltime is killed at 100 s, so each price is
   * 100 s: 2 nodes x 150 W x 100 s = 30,000 J IT, x 1.5 = 45,000 J at the facility;
   * use 45,000 / 3.6e6 x 0.1 = 0.00125 kg, fabrication 2 x 100 x 1e-6 = 2e-4 kg,
   * 0.00145 kg CO2e in all. (Before, weighted priced 500 s and 225,000 J.)
   */
  const killedAtWalltime = () => tinyPlatform([{ id: "s", pue: 1.5, kgPerKwh: 0.1 }], [{ nodes: 2, cores: 1, idle: 50, max: 150, fabricationCcPerNodeSecond: 1e-6 }]);
  const overlong: JobSpec = { ...job(1, 0, 500, 100, 2), runtimes: { cpu: 500 } };

  it("the simulator runs the 500 s-model, 100 s-walltime job 100 s and charges 30,000 J IT, 45,000 J facility, 0.00145 kg", async () => {
    const r = await runTiny(killedAtWalltime(), policyEasyBackfill(), [overlong]);
    const f = r.facts.get(1)!;
    expect(f.end - f.start).toBe(100);
    const c = r.charges.get(1)!;
    expect(c.itJ).toBe(30_000);
    expect(c.facilityJ).toBe(45_000);
    close(ccTotal(c.impacts), 0.00145);
  });

  it("estimate() prices that job at 100 s, 30,000 J IT, 45,000 J facility and 0.00145 kg", async () => {
    const { policy, estimates } = probed(policyEasyBackfill());
    await runTiny(killedAtWalltime(), policy, [overlong]);
    const e = estimates.get(1)![0];
    expect({ runtime_s: e.runtime_s, energy_it_j: e.energy_it_j, energy_facility_j: e.energy_facility_j }).toEqual({ runtime_s: 100, energy_it_j: 30_000, energy_facility_j: 45_000 });
    close(ccTotal(e.impacts), 0.00145);
  });

  it("policyWeighted() prices that job at 100 s, 45,000 J facility and 0.00145 kg, as estimate() and the simulator", async () => {
    const { policy, whys } = probed(policyWeighted());
    await runTiny(killedAtWalltime(), policy, [overlong]);
    const why = whys.get(1)!;
    expect(why.completion_s).toBe(100);
    expect(why.energy_j).toBe(45_000);
    close(why.impact_cc_kg, 0.00145);
  });

  it("property: on constant-intensity sites, estimate() and policyWeighted() price a job's placement at what the accountant then charges", async () => {
    const site = fc.record({ pue: fc.double({ min: 1, max: 2, noNaN: true }), kg: fc.double({ min: 0.01, max: 0.8, noNaN: true }) });
    const pool = fc.record({
      nodes: fc.integer({ min: 1, max: 4 }),
      cores: fc.integer({ min: 1, max: 8 }),
      idle: fc.integer({ min: 20, max: 200 }),
      extra: fc.integer({ min: 0, max: 300 }),
      speed: fc.constantFrom(0.5, 1, 2),
      fab: fc.double({ min: 0, max: 1e-5, noNaN: true }),
    });
    const work = fc.record({
      share: fc.double({ min: 0.01, max: 1, noNaN: true }),
      walltime: fc.integer({ min: 1, max: 20_000 }),
      // A runtime model (s on a reference node), or none: a batch job priced at its walltime that runs past it (killed there).
      model: fc.option(fc.integer({ min: 1, max: 20_000 }), { nil: undefined }),
      over: fc.integer({ min: 0, max: 1000 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.tuple(site, site), fc.tuple(pool, pool), work, async (sites, pools, w) => {
        const plat: PlatformModel = tinyPlatform(
          sites.map((s, i) => ({ id: `s${i}`, pue: s.pue, kgPerKwh: s.kg })),
          pools.map((p, i) => ({ nodes: p.nodes, cores: p.cores, idle: p.idle, max: p.idle + p.extra, speed: p.speed, fabricationCcPerNodeSecond: p.fab, site: i })),
        );
        // At least one core, at most what pool 0 holds, so the job fits somewhere.
        const cores = Math.max(1, Math.round(w.share * pools[0].nodes * pools[0].cores));
        // A batch job's actual run time is divided by the pool's speed (at most 2): twice the walltime or more reaches it anywhere.
        const spec: JobSpec = w.model === undefined ? job(1, 0, 2 * (w.walltime + w.over), w.walltime, cores) : { ...job(1, 0, w.model, w.walltime, cores), runtimes: { cpu: w.model } };
        const { policy, estimates, whys } = probed(policyWeighted());
        const r = await runTiny(plat, policy, [spec]);
        const f = r.facts.get(1)!;
        const c = r.charges.get(1)!;
        const e = estimates.get(1)!.find((x) => x.pool === f.pool)!;
        const why = whys.get(1)!;
        expect(e.start).toBe(f.start);
        close(e.runtime_s, f.end - f.start);
        close(e.energy_it_j, c.itJ);
        close(e.energy_facility_j, c.facilityJ);
        for (let k = 0; k < c.impacts.length; k++) {
          if (c.impacts[k] === 0) expect(e.impacts[k]).toBe(0);
          else close(e.impacts[k], c.impacts[k]);
        }
        close(why.completion_s, f.end - f.start);
        close(why.energy_j, c.facilityJ);
        close(why.impact_cc_kg, ccTotal(c.impacts));
      }),
      { numRuns: 60, seed: 11 },
    );
  });
});
