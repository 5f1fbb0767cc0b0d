/**
 * Temporal shifting, worked by hand.
 *
 * Platform: one site, PUE 1.5; four nodes of 1 core, 50 W idle, 100 W at full
 * load, so a 1-core job draws 100 W, i.e. 150 W at the facility. Climate-change
 * intensity (ccSeries) 0.4 kg/kWh before t = 3600 s and 0.1 kg/kWh from then.
 * A job's use-phase CC is 150 W x seconds x kg/kWh / 3.6e6 J/kWh.
 *
 * Green job J1 (submit 0, run 1800 s, max_delay 7200, preference 1): I(now) =
 * mean over [0, 1800] = 0.4. Candidates every 900 s up to 7200: mean over
 * [t, t + 1800] is 0.4 at 900 and 1800, (900 x 0.4 + 900 x 0.1) / 1800 = 0.25
 * at 2700, 0.1 from 3600 on. cost(t) = I(t) / I(now) is least (0.25) first at
 * 3600: deferred to 3600, saving 75 % >= 5 %. CC: 150 x 1800 x 0.1 / 3.6e6 =
 * 0.0075 kg instead of 0.03 kg at t = 0 (EASY).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { N_COORDS, PHASE_INDEX, categoryIndex } from "../../../src/core/categories.js";
import { rngSeeded } from "../../../src/core/rng.js";
import type { JobSpec, QosSpec } from "../../../src/io/spec.js";
import { forecastFromActual, type IntensityForecast } from "../../../src/models/forecast.js";
import { policyEasyBackfill } from "../../../src/planner/policies/easy.js";
import { policyTemporalShift } from "../../../src/planner/policies/temporal.js";
import type { ClusterView, QueuedJobView } from "../../../src/planner/view.js";
import { recordDecisions, runTiny } from "../../helpers/runTiny.js";
import { ccSeries, job, tinyPlatform } from "../../helpers/tinyPlatform.js";
import { clusterView, poolView, queuedJob, runningJob } from "../../helpers/views.js";

const CC = categoryIndex("CC");
const USE_CC = PHASE_INDEX.use * N_COORDS + CC;
const END = 1e6;

const platform = (starts = [0, 3600], kg = [0.4, 0.1], nodes = 4) =>
  tinyPlatform([{ id: "s", pue: 1.5, kgPerKwh: ccSeries(starts, kg, END) }], [{ nodes, cores: 1, idle: 50, max: 100 }]);
const qos = (max_delay_s: number, impact_preference: number, extra: Partial<QosSpec> = {}): QosSpec => ({ name: "q", max_delay_s, impact_preference, ...extra });
/** A 1-core job whose walltime is its run time, with a QoS. */
const qjob = (id: number, submit: number, runtime: number, q?: QosSpec): JobSpec => ({ ...job(id, submit, runtime, runtime, 1), ...(q ? { qos: q } : {}) });
/** Facility CC of a 150 W job over [a, b] on the 0.4 -> 0.1 series, kg. */
const cc = (a: number, b: number) => (150 * (Math.max(0, Math.min(b, 3600) - a) * 0.4 + Math.max(0, b - Math.max(a, 3600)) * 0.1)) / 3.6e6;
const starts = (r: Awaited<ReturnType<typeof runTiny>>, ids: number[]) => ids.map((id) => r.facts.get(id)!.start);
const placedOn = (r: Awaited<ReturnType<typeof runTiny>>, id: number) => ({ pool: r.facts.get(id)!.pool, start: r.facts.get(id)!.start });
const useCc = (r: Awaited<ReturnType<typeof runTiny>>) => [...r.charges.values()].reduce((s, c) => s + c.impacts[USE_CC], 0);

const decisions = recordDecisions;

describe("policyTemporalShift()", () => {
  it("policyTemporalShift() defaults to 900 s steps, a 5 % least saving and climate change", () => {
    const p = policyTemporalShift();
    expect(p.name).toBe("temporal");
    expect(p.version).toBe("1");
    expect(p.params).toEqual({ step_s: 900, min_saving: 0.05, category: "CC" });
  });

  it("policyTemporalShift() refuses a bad step, saving or category", () => {
    expect(() => policyTemporalShift({ step_s: 0 })).toThrow("policyTemporalShift: step_s: expected a finite number of seconds > 0, got 0");
    expect(() => policyTemporalShift({ min_saving: 1.5 })).toThrow("policyTemporalShift: min_saving: expected a number in [0, 1], got 1.5");
    expect(() => policyTemporalShift({ category: "CO2" })).toThrow(/^policyTemporalShift: category: expected an EF 3.1 category id \(CC, ODP, .*\), got "CO2"$/);
    expect(() => policyTemporalShift({ category: "ENERGY" })).toThrow(/got "ENERGY"$/);
  });

  it("policyTemporalShift() defers a green job to the clean window at 3600 s, where it starts", async () => {
    const r = await runTiny(platform(), policyTemporalShift(), [qjob(1, 0, 1800, qos(7200, 1))]);
    expect(starts(r, [1])).toEqual([3600]);
    expect(r.charges.get(1)!.impacts[USE_CC]).toBeCloseTo((150 * 1800 * 0.1) / 3.6e6, 15);
    expect(r.charges.get(1)!.impacts[USE_CC]).toBeCloseTo(0.0075, 15);
  });

  it("policyTemporalShift() starts an urgent job (max_delay 0) and a job without QoS at once", async () => {
    const r = await runTiny(platform(), policyTemporalShift(), [qjob(1, 0, 1800, qos(0, 1)), qjob(2, 100, 1800)]);
    expect(starts(r, [1, 2])).toEqual([0, 100]);
  });

  it("policyTemporalShift() never starts a job after submit + max_delay_s, even when later windows are cleaner", async () => {
    // 0.4, then 0.3 from 3600, 0.1 from 7200; max_delay 3000 (off the 900 s grid).
    // Means over [t, t + 1800]: 0.4 up to 1800; at 2700 (900 x 0.4 + 900 x 0.3) / 1800 = 0.35;
    // at the latest start 3000 (600 x 0.4 + 1200 x 0.3) / 1800 = 0.3333: the least, so 3000, not 7200.
    const r = await runTiny(platform([0, 3600, 7200], [0.4, 0.3, 0.1]), policyTemporalShift(), [qjob(1, 0, 1800, qos(3000, 1))]);
    expect(starts(r, [1])).toEqual([3000]);
  });

  it("policyTemporalShift() takes a deadline as an earlier latest start: submit + deadline_s - run time", async () => {
    // deadline 4500 after submit, run 1800: latest start 2700, where the mean is 0.25 (saving 37.5 %).
    const r = await runTiny(platform(), policyTemporalShift(), [qjob(1, 0, 1800, qos(7200, 1, { deadline_s: 4500 }))]);
    expect(starts(r, [1])).toEqual([2700]);
    expect(r.facts.get(1)!.end).toBeLessThanOrEqual(4500);
  });

  it("policyTemporalShift() with impact_preference 0.5 waits for a long job but not for a short one", async () => {
    // Short job (1800 s): cost(3600) = 0.5 x 3600/1800 + 0.5 x 0.1/0.4 = 1.125 > cost(now) = 0.5: runs now.
    // Long job (7200 s): I(now) = mean[0, 7200] = 0.25. cost(t) = 0.5 (t / 7200) + 0.5 I(t) / 0.25:
    //   900: 0.0625 + 0.5 x 0.2125/0.25 = 0.4875; 1800: 0.125 + 0.35 = 0.475; 2700: 0.1875 + 0.275 = 0.4625;
    //   3600: 0.25 + 0.5 x 0.1/0.25 = 0.45 (least); 4500: 0.3125 + 0.2 = 0.5125. Saving (0.25 - 0.1)/0.25 = 60 %.
    const r = await runTiny(platform(), policyTemporalShift(), [qjob(1, 0, 1800, qos(7200, 0.5)), qjob(2, 0, 7200, qos(7200, 0.5))]);
    expect(starts(r, [1, 2])).toEqual([0, 3600]);
  });

  it("policyTemporalShift() runs a job now when the best saving is below min_saving", async () => {
    // 0.4 -> 0.39: at most 2.5 % lower, under the default 5 %; with min_saving 0.02 it waits.
    const jobs = [qjob(1, 0, 1800, qos(7200, 1))];
    expect(starts(await runTiny(platform([0, 3600], [0.4, 0.39]), policyTemporalShift(), jobs), [1])).toEqual([0]);
    expect(starts(await runTiny(platform([0, 3600], [0.4, 0.39]), policyTemporalShift({ min_saving: 0.02 }), jobs), [1])).toEqual([3600]);
  });

  it("policyTemporalShift() plans a job on the forecast of the first site where it fits now", async () => {
    // Site a (pool 0, one node): flat 0.4. Site b (pool 1, one node): 0.4, then 0.1 from 3600.
    // J0 (no QoS) takes pool 0 at 0 until 10000. J1 (t = 10, green) fits now only in pool 1, so it is
    // planned on site b's forecast: deferred to 10 + 4 x 900 = 3610, the first grid start in the clean window;
    // planned again at b's intensity change at 3600, where now is as clean, it starts at 3600. Planned on
    // site a's flat forecast it would not wait at all, and would start on pool 1 at 10.
    const plat = tinyPlatform(
      [{ id: "a", pue: 1.5, kgPerKwh: ccSeries([0], [0.4], END) }, { id: "b", pue: 1.5, kgPerKwh: ccSeries([0, 3600], [0.4, 0.1], END) }],
      [{ nodes: 1, cores: 1, idle: 50, max: 100, site: 0 }, { nodes: 1, cores: 1, idle: 50, max: 100, site: 1 }],
    );
    const work = [qjob(0, 0, 10000), qjob(1, 10, 1800, qos(7200, 1))];
    const r = await runTiny(plat, policyTemporalShift(), work);
    expect(placedOn(r, 1)).toEqual({ pool: 1, start: 3600 });
    const got = await decisions(plat, policyTemporalShift(), work);
    expect(got.map(({ time, d }) => [time, d.kind, d.kind === "defer" ? d.until : undefined])).toEqual([[10, "defer", 3610]]);
  });

  it("policyTemporalShift() saves the hand-computed climate-change impact against EASY on the same jobs", async () => {
    // J1 green (0, 1800 s); J2 no QoS (0, 1800 s); J3 green (600, 3600 s, max_delay 7200).
    // J3: I(now) = mean[600, 4200] = (3000 x 0.4 + 600 x 0.1) / 3600 = 0.35; on the grid 600 + 900k the mean
    // falls to 0.275, 0.2, 0.125 and first reaches 0.1 at 4200: deferred to 4200. At 3600 the intensity
    // changes and J3 is planned again: now (mean 0.1) is as clean as any later start, so it starts at 3600.
    // EASY: J1 [0, 1800] 0.03 kg, J2 0.03 kg, J3 [600, 4200] 150 x (3000 x 0.4 + 600 x 0.1) / 3.6e6 = 0.0525 kg.
    // Temporal: J1 [3600, 5400] 0.0075, J2 0.03, J3 [3600, 7200] 150 x 3600 x 0.1 / 3.6e6 = 0.015 kg.
    // Saved 0.1125 - 0.0525 = 0.06 kg (53.3 %) for 3600 + 3000 s of added wait (2200 s per job).
    const jobs = [qjob(1, 0, 1800, qos(7200, 1)), qjob(2, 0, 1800), qjob(3, 600, 3600, qos(7200, 1))];
    const easy = await runTiny(platform(), policyEasyBackfill(), jobs);
    const shifted = await runTiny(platform(), policyTemporalShift(), jobs);
    expect(starts(easy, [1, 2, 3])).toEqual([0, 0, 600]);
    expect(starts(shifted, [1, 2, 3])).toEqual([3600, 0, 3600]);
    expect(useCc(easy)).toBeCloseTo(cc(0, 1800) * 2 + cc(600, 4200), 15);
    expect(useCc(easy)).toBeCloseTo(0.1125, 15);
    expect(useCc(shifted)).toBeCloseTo(0.0525, 15);
    expect(useCc(easy) - useCc(shifted)).toBeCloseTo(0.06, 15);
    expect(shifted.metrics.result().mean_wait_s - easy.metrics.result().mean_wait_s).toBe(2200);
  });

  it("policyTemporalShift() hands EASY the eligible jobs by QoS priority, higher first", async () => {
    // One node. J0 holds it over [0, 100]; J1 (t = 10, priority 0) and J2 (t = 20, priority 5) wait:
    // J2 goes first at 100, J1 at 200.
    const work = [qjob(0, 0, 100), qjob(1, 10, 100, qos(0, 0)), qjob(2, 20, 100, qos(0, 0, { priority: 5 }))];
    const r = await runTiny(platform(undefined, undefined, 1), policyTemporalShift(), work);
    expect(starts(r, [0, 1, 2])).toEqual([0, 200, 100]);
  });

  it("policyTemporalShift() explains each deferral with the forecasts compared", async () => {
    const got = await decisions(platform(), policyTemporalShift(), [qjob(1, 0, 1800, qos(7200, 1))]);
    expect(got).toHaveLength(1);
    const { time, d } = got[0];
    expect(time).toBe(0);
    if (d.kind !== "defer") throw new Error(`expected a defer, got ${d.kind}`);
    expect(d.jobId).toBe(1);
    expect(d.until).toBe(3600);
    expect(d.why.reason).toBe("temporal shift at site s: forecast CC intensity over the run 75.0 % lower at 3600 s than now, within the allowed delay (latest start 7200 s)");
    const e = d.why.expected!;
    expect(e.start_s).toBe(3600);
    expect(e.delay_s).toBe(3600);
    expect(e.latest_start_s).toBe(7200);
    expect(e.runtime_s).toBe(1800);
    expect(e.intensity_now_per_kwh).toBeCloseTo(0.4, 12);
    expect(e.intensity_per_kwh).toBeCloseTo(0.1, 12);
    expect(e.saving).toBeCloseTo(0.75, 12);
    expect(e.cost_now).toBe(1);
    expect(e.cost).toBeCloseTo(0.25, 12);
    // now, the chosen start, the latest start, then the two cheapest others (4500 and 5400: cost 0.25, earliest first).
    expect(d.why.alternatives!.map((a) => [a.option, a.expected.start_s])).toEqual([
      ["start now", 0],
      ["chosen start", 3600],
      ["latest start", 7200],
      ["start at 4500 s", 4500],
      ["start at 5400 s", 5400],
    ]);
    expect(d.why.alternatives![0].expected.intensity_per_kwh).toBeCloseTo(0.4, 12);
  });

  it("policyTemporalShift() decides the same without explanations (ClusterView.explain false): the same defers, reasons and figures, no alternatives (random forecasts and jobs)", () => {
    const scenario = fc.record({
      kg: fc.array(fc.double({ min: 0.01, max: 0.6, noNaN: true }), { minLength: 2, maxLength: 12 }),
      jobs: fc.array(fc.record({ submit: fc.integer({ min: 0, max: 20000 }), run: fc.integer({ min: 1, max: 20000 }), delay: fc.integer({ min: 1, max: 86400 }), p: fc.double({ min: 0, max: 1, noNaN: true }) }), { minLength: 1, maxLength: 6 }),
      now: fc.integer({ min: 0, max: 20000 }),
    });
    fc.assert(
      fc.property(scenario, ({ kg, jobs, now }) => {
        // Segments of 2,700 s (off the 900 s grid of candidate starts).
        const series = ccSeries(kg.map((_, i) => i * 2700), kg, END);
        const forecast = forecastFromActual({ series, basis: new Uint8Array(N_COORDS), source: "test" }, { bias: 0, sigma: 0 }, rngSeeded(1));
        const queue = jobs.map((j, i) => queued(i + 1, Math.min(j.submit, now), j.run, qos(j.delay, j.p)));
        const happened = queue.map((j) => ({ kind: "jobSubmitted" as const, jobId: j.id }));
        const explained = policyTemporalShift().decide(view(now, queue, () => forecast), happened, { plans: {} });
        const quiet = policyTemporalShift().decide({ ...view(now, queue, () => forecast), explain: false }, happened, { plans: {} });
        const withoutAlternatives = explained.map((d) => (d.kind === "defer" ? { ...d, why: { reason: d.why.reason, expected: d.why.expected } } : d));
        expect(quiet).toEqual(withoutAlternatives);
        for (const d of explained) if (d.kind === "defer") expect(d.why.alternatives!.length).toBeGreaterThanOrEqual(2);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it("policyTemporalShift().decide() defers a job once and plans it again only on an intensity change at its site", () => {
    // A view whose forecast the test switches: first cleaner from 3600, later flat (no gain in waiting).
    const policy = policyTemporalShift();
    const state = policy.initialState!();
    let forecast: IntensityForecast = stepForecast(0.4, 0.1, 3600);
    const j = queued(1, 0, 1800, qos(7200, 1));
    const first = policy.decide(view(0, [j], () => forecast), [{ kind: "jobSubmitted", jobId: 1 }], state);
    expect(first).toEqual([expect.objectContaining({ kind: "defer", jobId: 1, until: 3600 })]);
    // Another pass without new forecast information: no new decision, the job stays out of EASY's queue.
    expect(policy.decide(view(100, [j], () => forecast), [{ kind: "jobSubmitted", jobId: 2 }], state)).toEqual([]);
    // An intensity change elsewhere changes nothing.
    forecast = stepForecast(0.4, 0.4, 3600);
    expect(policy.decide(view(200, [j], () => forecast), [{ kind: "intensityChanged", site: "elsewhere" }], state)).toEqual([]);
    // At its site, with a flat forecast: released, and EASY starts it now.
    expect(policy.decide(view(300, [j], () => forecast), [{ kind: "intensityChanged", site: "s" }], state)).toEqual([{ kind: "start", jobId: 1, pool: 0 }]);
  });

  it("policyTemporalShift().decide() moves a deferral when new forecasts find a cleaner window", () => {
    const policy = policyTemporalShift();
    const state = policy.initialState!();
    let forecast = stepForecast(0.4, 0.1, 3600);
    const j = queued(1, 0, 1800, qos(7200, 1));
    expect(policy.decide(view(0, [j], () => forecast), [{ kind: "jobSubmitted", jobId: 1 }], state)).toEqual([expect.objectContaining({ kind: "defer", until: 3600 })]);
    forecast = stepForecast(0.4, 0.1, 1800);
    expect(policy.decide(view(900, [j], () => forecast), [{ kind: "intensityChanged", site: "s" }], state)).toEqual([expect.objectContaining({ kind: "defer", until: 1800 })]);
  });

  it("policyTemporalShift() with ample capacity never starts a job after its allowed delay, and starts the others on arrival (random workloads)", async () => {
    const workload = fc.record({
      segments: fc.array(fc.record({ gap: fc.integer({ min: 1, max: 8 }), kg: fc.double({ min: 0.01, max: 0.6, noNaN: true }) }), { minLength: 1, maxLength: 8 }),
      jobs: fc.array(
        fc.record({
          gap: fc.integer({ min: 0, max: 3000 }),
          runtime: fc.integer({ min: 1, max: 6000 }),
          cores: fc.integer({ min: 1, max: 4 }),
          qos: fc.option(fc.record({ delay: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20000 })), p: fc.double({ min: 0, max: 1, noNaN: true }) }), { nil: undefined }),
        }),
        { minLength: 1, maxLength: 30 },
      ),
    });
    await fc.assert(
      fc.asyncProperty(workload, async ({ segments, jobs }) => {
        let t = 0;
        const segStarts = [0];
        for (const s of segments.slice(1)) segStarts.push((t += s.gap * 1800));
        const plat = tinyPlatform([{ id: "s", pue: 1.2, kgPerKwh: ccSeries(segStarts, segments.map((s) => s.kg), END) }], [{ nodes: 4 * jobs.length, cores: 1, idle: 50, max: 100 }]);
        let submit = 0;
        const specs = jobs.map((j, i): JobSpec => {
          submit += j.gap;
          return { ...job(i + 1, submit, j.runtime, j.runtime, j.cores), ...(j.qos ? { qos: qos(j.qos.delay, j.qos.p) } : {}) };
        });
        const r = await runTiny(plat, policyTemporalShift(), specs);
        expect(r.result.jobsNeverStarted).toBe(0);
        for (const s of specs) {
          const start = r.facts.get(s.id)!.start;
          expect(start).toBeGreaterThanOrEqual(s.submit);
          if (s.qos && s.qos.max_delay_s > 0) expect(start).toBeLessThanOrEqual(s.submit + s.qos.max_delay_s);
          else expect(start).toBe(s.submit);
        }
      }),
      { numRuns: 150, seed: 4 },
    );
  });
});

/** A forecast at `before` kg/kWh until `at`, then `after` (CC only). */
function stepForecast(before: number, after: number, at: number): IntensityForecast {
  const series = ccSeries([0, at], [before, after], END);
  return forecastFromActual({ series, basis: new Uint8Array(N_COORDS), source: "test" }, { bias: 0, sigma: 0 }, rngSeeded(1));
}

function queued(id: number, submit: number, walltime: number, q?: QosSpec): QueuedJobView {
  return queuedJob({ id, submit, walltime, qos: q });
}

/** A one-site, one-pool (4 idle nodes of 1 core) view at `now`. */
function view(now: number, queue: QueuedJobView[], forecast: () => IntensityForecast): ClusterView {
  const pool = poolView({ coresPerNode: 1, nodes: 4, freeNodes: 4, idleWatts: 50, busyWatts: () => 100, embodiedPerNodeSecond: new Float64Array(4 * N_COORDS) });
  return clusterView({ now, sites: [{ index: 0, id: "s", pue: 1, powerW: 200, powerBudgetW: Infinity }], pools: [pool], queue, forecast: () => forecast() });
}
