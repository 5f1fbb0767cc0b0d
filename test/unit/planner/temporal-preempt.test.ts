/**
 * Temporal shifting with preemption, worked by hand.
 *
 * Platform: one site, PUE 1.5; nodes of 1 core, 50 W idle, 100 W at full load,
 * so a 1-core job draws 150 W at the facility. Climate-change intensity
 * (ccSeries) 0.1 kg/kWh on [0, 1000), 0.5 on [1000, 2000), 0.1 from 2000.
 * A job's use-phase CC is 150 W x seconds x kg/kWh / 3.6e6 J/kWh.
 *
 * The allowed delay is a budget of waiting: the remaining work of a job that
 * has run `ran` seconds may start as late as submit + max_delay_s + ran.
 *
 * J1: submit 0, 1500 s of work (walltime = run time), QoS max_delay 1000 s,
 * preference 1, preemptible; policy step 500 s, preempt on.
 * - At 0: I(now) = mean[0, 1500] = (1000 x 0.1 + 500 x 0.5) / 1500 = 0.2333;
 *   candidates 500 (mean[500, 2000] = (500 x 0.1 + 1000 x 0.5) / 1500 = 0.3667)
 *   and the latest start 0 + 1000 = 1000 (mean[1000, 2500] = (1000 x 0.5 +
 *   500 x 0.1) / 1500 = 0.3667): none cleaner, so J1 starts at 0.
 * - At 1000 the intensity rises. J1 has r = 1500 - 1000 = 500 s left (>= one
 *   step), ran 1000 s: latest resumption 0 + 1000 + 1000 = 2000. I(now) =
 *   mean[1000, 1500] = 0.5 (cost 1); grid 1500: mean[1500, 2000] = 0.5
 *   (cost 1); latest 2000: mean[2000, 2500] = 0.1 (cost 0.2). Saving 80 % >=
 *   5 %: suspended at 1000, deferred to 2000.
 * - At 2000 it resumes with 500 s left and ends at 2500 = submit + max_delay
 *   + work = 0 + 1000 + 1500.
 * CC: 150 x (1000 x 0.1 + 500 x 0.1) / 3.6e6 = 0.00625 kg; without preemption
 * it runs [0, 1500]: 150 x (1000 x 0.1 + 500 x 0.5) / 3.6e6 = 0.0145833 kg.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Accountant } from "../../../src/accounting/accountant.js";
import { N_COORDS, PHASE_INDEX, categoryIndex } from "../../../src/core/categories.js";
import { rngSeeded } from "../../../src/core/rng.js";
import type { JobSpec, QosSpec } from "../../../src/io/spec.js";
import { forecastFromActual, type IntensityForecast } from "../../../src/models/forecast.js";
import type { PlatformModel } from "../../../src/models/platform.js";
import { policyTemporalShift } from "../../../src/planner/policies/temporal.js";
import type { ClusterView, Decision, Policy, QueuedJobView, RunningJobView, WorldEvent } from "../../../src/planner/view.js";
import { combineObservers, type JobFact } from "../../../src/sim/observer.js";
import { simulate } from "../../../src/sim/simulation.js";
import { ccSeries, job, tinyPlatform } from "../../helpers/tinyPlatform.js";
import { clusterView, poolView, queuedJob, runningJob } from "../../helpers/views.js";

const USE_CC = PHASE_INDEX.use * N_COORDS + categoryIndex("CC");
const END = 1e6;

const platform = (starts = [0, 1000, 2000], kg = [0.1, 0.5, 0.1], nodes = 4) =>
  tinyPlatform([{ id: "s", pue: 1.5, kgPerKwh: ccSeries(starts, kg, END) }], [{ nodes, cores: 1, idle: 50, max: 100 }]);
const qos = (max_delay_s: number, impact_preference: number, extra: Partial<QosSpec> = {}): QosSpec => ({ name: "q", max_delay_s, impact_preference, ...extra });
const flex = (max_delay_s = 1000, extra: Partial<QosSpec> = {}) => qos(max_delay_s, 1, { preemptible: true, ...extra });
/** A 1-core job whose walltime is its run time, with a QoS. */
const qjob = (id: number, submit: number, runtime: number, q?: QosSpec): JobSpec => ({ ...job(id, submit, runtime, runtime, 1), ...(q ? { qos: q } : {}) });

interface Run {
  /** Every run of each job (a suspended job has several), in order. */
  runs: Map<number, JobFact[]>;
  /** Use-phase CC per job over all its runs, kg. */
  useCc: Map<number, number>;
  decisions: { time: number; d: Decision }[];
  result: Awaited<ReturnType<typeof simulate>>;
}

async function run(plat: PlatformModel, policy: Policy<unknown>, jobs: JobSpec[]): Promise<Run> {
  const runs = new Map<number, JobFact[]>();
  const useCc = new Map<number, number>();
  const decisions: Run["decisions"] = [];
  const accountant = new Accountant(plat, (c) => useCc.set(c.fact.job.id, (useCc.get(c.fact.job.id) ?? 0) + c.impacts[USE_CC]));
  const result = await simulate({
    platform: plat,
    policy,
    jobs: [jobs],
    forecasts: plat.sites.map((s) => forecastFromActual(s.intensity, { bias: 0, sigma: 0 }, rngSeeded(1))),
    observer: combineObservers(accountant, {
      jobEnded: (f) => runs.set(f.job.id, [...(runs.get(f.job.id) ?? []), { ...f }]),
      decided: (time, d) => decisions.push({ time, d }),
    }),
  });
  return { runs, useCc, decisions, result };
}

/** `policy`, also pushing every decision it returns to `into` with the time of the pass. */
function recording<S>(policy: Policy<S>, into: { time: number; d: Decision }[]): Policy<S> {
  return {
    ...policy,
    decide(view, happened, state) {
      const out = policy.decide(view, happened, state);
      for (const d of out) into.push({ time: view.now, d });
      return out;
    },
  };
}

const spans = (r: Run, id: number) => r.runs.get(id)!.map((f) => [f.start, f.end]);
const cc = (kgSeconds: number) => (150 * kgSeconds) / 3.6e6;

describe("policyTemporalShift({ preempt })", () => {
  it("policyTemporalShift({ preempt }) is off by default and, when on, is named in the params", () => {
    expect(policyTemporalShift().params).toEqual({ step_s: 900, min_saving: 0.05, category: "CC" });
    expect(policyTemporalShift({ preempt: false }).params).toEqual({ step_s: 900, min_saving: 0.05, category: "CC" });
    expect(policyTemporalShift({ preempt: true }).params).toEqual({ step_s: 900, min_saving: 0.05, category: "CC", preempt: true });
    expect(() => policyTemporalShift({ preempt: "yes" as unknown as boolean })).toThrow('policyTemporalShift: preempt: expected a boolean, got "yes"');
  });

  it("policyTemporalShift({ preempt: true }) suspends a preemptible job when intensity rises at 1000 s and resumes it at 2000 s", async () => {
    const r = await run(platform(), policyTemporalShift({ step_s: 500, preempt: true }), [qjob(1, 0, 1500, flex())]);
    expect(r.result.suspensions).toBe(1);
    expect(spans(r, 1)).toEqual([[0, 1000], [2000, 2500]]);
    expect(r.runs.get(1)!.map((f) => f.final)).toEqual([false, true]);
    expect(r.runs.get(1)!.at(-1)!.runSeconds).toBe(1500);
    expect(r.useCc.get(1)).toBeCloseTo(cc(1000 * 0.1 + 500 * 0.1), 15);
    expect(r.useCc.get(1)).toBeCloseTo(0.00625, 15);
  });

  it("policyTemporalShift({ preempt: true }) lowers the job's use-phase CC against running it through (preempt off)", async () => {
    const jobs = [qjob(1, 0, 1500, flex())];
    const on = await run(platform(), policyTemporalShift({ step_s: 500, preempt: true }), jobs);
    const off = await run(platform(), policyTemporalShift({ step_s: 500 }), jobs);
    expect(spans(off, 1)).toEqual([[0, 1500]]);
    expect(off.useCc.get(1)).toBeCloseTo(cc(1000 * 0.1 + 500 * 0.5), 15);
    expect(off.useCc.get(1)! - on.useCc.get(1)!).toBeCloseTo(cc(500 * 0.5 - 500 * 0.1), 15);
    expect(on.useCc.get(1)).toBeLessThan(off.useCc.get(1)!);
  });

  it("policyTemporalShift({ preempt: true }) explains the suspension and the deferred resumption with the forecasts compared", async () => {
    // The decisions as the policy returns them (the world's record misses applied suspensions: see the skipped test below).
    const returned: { time: number; d: Decision }[] = [];
    const r = await run(platform(), recording(policyTemporalShift({ step_s: 500, preempt: true }), returned), [qjob(1, 0, 1500, flex())]);
    expect(r.result.suspensions).toBe(1);
    expect(r.result.refusals).toEqual({});
    expect(returned.map(({ time, d }) => [time, d.kind, "jobId" in d ? d.jobId : d.kind === "wakeAt" ? d.time : undefined])).toEqual([
      [0, "start", 1],
      [1000, "suspend", 1],
      [1000, "defer", 1],
      [1000, "wakeAt", 1000],
      [2000, "start", 1],
    ]);
    const s = returned[1].d;
    if (s.kind !== "suspend") throw new Error(`expected a suspend, got ${s.kind}`);
    expect(s.why!.reason).toBe(
      "preemption at site s: forecast CC intensity over the remaining 500 s of work 80.0 % lower from 2000 s than now, within the allowed delay (latest resumption 2000 s)",
    );
    const e = s.why!.expected!;
    expect([e.resume_s, e.delay_s, e.latest_start_s, e.remaining_s, e.ran_s, e.impact_preference]).toEqual([2000, 1000, 2000, 500, 1000, 1]);
    expect(e.intensity_now_per_kwh).toBeCloseTo(0.5, 12);
    expect(e.intensity_per_kwh).toBeCloseTo(0.1, 12);
    expect(e.saving).toBeCloseTo(0.8, 12);
    expect(e.cost_now).toBe(1);
    expect(e.cost).toBeCloseTo(0.2, 12);
    // The chosen resumption is the latest one, so no separate "latest" entry; 1500 is the other candidate (cost 1).
    expect(s.why!.alternatives!.map((a) => [a.option, a.expected.start_s])).toEqual([["keep running", 1000], ["chosen resumption", 2000], ["resume at 1500 s", 1500]]);
    const d = returned[2].d;
    if (d.kind !== "defer") throw new Error(`expected a defer, got ${d.kind}`);
    expect(d.until).toBe(2000);
    expect(d.why.expected).toMatchObject({ start_s: 2000, latest_start_s: 2000, runtime_s: 500 });
    // The world records the deferral.
    expect(r.decisions.map(({ time, d }) => [time, d.kind])).toContainEqual([1000, "defer"]);
  });

  // An applied suspension is recorded: the world counts refusals, not every event its decisions push (applySuspend pushes jobSuspended).
  it("simulate() records the suspension with its explanation in the run's decisions", async () => {
    const r = await run(platform(), policyTemporalShift({ step_s: 500, preempt: true }), [qjob(1, 0, 1500, flex())]);
    expect(r.decisions.map(({ time, d }) => [time, d.kind])).toEqual([[1000, "suspend"], [1000, "defer"]]);
  });

  it("policyTemporalShift({ preempt: true }) never suspends a job whose QoS is not preemptible", async () => {
    const r = await run(platform(), policyTemporalShift({ step_s: 500, preempt: true }), [qjob(1, 0, 1500, qos(1000, 1))]);
    expect(r.result.suspensions).toBe(0);
    expect(r.result.refusals).toEqual({});
    expect(spans(r, 1)).toEqual([[0, 1500]]);
    expect(r.decisions).toEqual([]);
  });

  it("policyTemporalShift({ preempt: false }) leaves a preemptible job running: the schedule of the default policy", async () => {
    const jobs = [qjob(1, 0, 1500, flex()), qjob(2, 0, 1500, qos(1000, 1)), qjob(3, 200, 600, flex(3000))];
    const def = await run(platform(), policyTemporalShift({ step_s: 500 }), jobs);
    const off = await run(platform(), policyTemporalShift({ step_s: 500, preempt: false }), jobs);
    expect(off.result.suspensions).toBe(0);
    expect([1, 2, 3].map((id) => spans(off, id))).toEqual([1, 2, 3].map((id) => spans(def, id)));
    expect(off.decisions).toEqual(def.decisions);
    expect(spans(off, 1)).toEqual([[0, 1500]]);
  });

  it("policyTemporalShift({ preempt: true }) never suspends a job with less than one step of work left", async () => {
    // Default step 900 s: at 1000 J1 has 500 s left, under one step, so it runs through. (At 0 the
    // candidates 900 (mean[900, 2400] = 0.3667) and 1000 (0.3667) are no cleaner than now: it starts at 0.)
    const r = await run(platform(), policyTemporalShift({ preempt: true }), [qjob(1, 0, 1500, flex())]);
    expect(r.result.suspensions).toBe(0);
    expect(spans(r, 1)).toEqual([[0, 1500]]);
  });

  it("policyTemporalShift({ preempt: true }) suspends only for a saving of at least min_saving", async () => {
    // The 80 % saving at 2000 is below a min_saving of 0.9.
    const r = await run(platform(), policyTemporalShift({ step_s: 500, min_saving: 0.9, preempt: true }), [qjob(1, 0, 1500, flex())]);
    expect(r.result.suspensions).toBe(0);
    expect(spans(r, 1)).toEqual([[0, 1500]]);
  });

  it("policyTemporalShift({ preempt: true }) resumes no later than the deadline allows: submit + deadline_s - work left", async () => {
    // max_delay 5000, deadline 2300: at 0 the latest start is min(5000, 2300 - 1500) = 800; 500 and 800 are
    // no cleaner (mean[800, 2300] = (200 x 0.1 + 1000 x 0.5 + 300 x 0.1) / 1500 = 0.3667): starts at 0.
    // At 1000, latest resumption min(0 + 5000 + 1000, 2300 - 500) = 1800: mean[1500, 2000] = 0.5 at 1500,
    // mean[1800, 2300] = (200 x 0.5 + 300 x 0.1) / 500 = 0.26 at 1800 (48 % lower): suspended, resumed at
    // 1800 (the intensity change at 2000 comes later), ends at 2300, the deadline.
    const r = await run(platform(), policyTemporalShift({ step_s: 500, preempt: true }), [qjob(1, 0, 1500, flex(5000, { deadline_s: 2300 }))]);
    expect(spans(r, 1)).toEqual([[0, 1000], [1800, 2300]]);
    expect(r.useCc.get(1)).toBeCloseTo(cc(1000 * 0.1 + 200 * 0.5 + 300 * 0.1), 15);
  });

  it("policyTemporalShift({ preempt: true }) lets waiting jobs use the nodes a suspension frees, in the same instant", async () => {
    // One node. J1 (preemptible) runs from 0; J2 (no QoS, 300 s) arrives at 10 and waits. At 1000 J1 is
    // suspended (as above) and J2 starts at once on its node, ending at 1300; J1 resumes at 2000.
    const r = await run(platform(undefined, undefined, 1), policyTemporalShift({ step_s: 500, preempt: true }), [qjob(1, 0, 1500, flex()), qjob(2, 10, 300)]);
    expect(spans(r, 2)).toEqual([[1000, 1300]]);
    expect(spans(r, 1)).toEqual([[0, 1000], [2000, 2500]]);
  });

  it("policyTemporalShift().decide() with preempt suspends a job at most once within a step", () => {
    // Step 300 s. At 0 J1 (1500 s, latest start 1000) starts: no candidate is cleaner than mean[0, 1500] = 0.2333.
    const policy = policyTemporalShift({ step_s: 300, preempt: true });
    const state = policy.initialState!();
    const decide = (v: ClusterView, events: WorldEvent[]) => policy.decide(v, events, state);
    let forecast = stepForecast([0, 1000, 2000], [0.1, 0.5, 0.1]);
    const j = queued(1, 0, 1500, flex());
    expect(decide(view(0, [j], [], () => forecast), [{ kind: "jobSubmitted", jobId: 1 }])).toEqual([{ kind: "start", jobId: 1, pool: 0 }]);
    // At 1000: suspended (500 s left, latest resumption 2000), deferred to 2000 (mean 0.1; 1800 gives 0.26),
    // and the policy asks for a pass at once, where EASY sees the node freed.
    const at1000 = decide(view(1000, [], [running(1, 0, 1500, { submit: 0, qos: flex() })], () => forecast), [{ kind: "intensityChanged", site: "s" }]);
    expect(at1000.map((d) => d.kind)).toEqual(["suspend", "defer", "wakeAt"]);
    expect(at1000[1]).toMatchObject({ kind: "defer", jobId: 1, until: 2000 });
    expect(at1000[2]).toEqual({ kind: "wakeAt", time: 1000 });
    // That pass: the job is queued again with 500 s left, deferred as planned: nothing new.
    const left = queuedJob({ id: 1, walltime: 1500, ranSeconds: 1000, qos: flex(), deferredUntil: 2000, lastSuspendedAt: 1000 });
    expect(decide(view(1000, [left], [], () => forecast), [{ kind: "jobSuspended", jobId: 1 }, { kind: "wokeUp" }])).toEqual([]);
    // A new forecast, clean from 1100: nothing later is cleaner, so it is released and starts at 1100 (ends 1600).
    forecast = stepForecast([0, 1000, 1100], [0.1, 0.5, 0.1]);
    expect(decide(view(1100, [left], [], () => forecast), [{ kind: "intensityChanged", site: "s" }])).toEqual([{ kind: "start", jobId: 1, pool: 0 }]);
    // Another: 0.5 on [1200, 1600). At 1200 (400 s left) waiting for 1600 would pay, but 1200 is within one
    // step of the suspension at 1000: no suspension. At 1300 (300 s left, one step after it) it is suspended:
    // latest resumption 0 + 1000 + (1000 + 200) = 2200; mean[1300, 1600] = 0.5, mean[1500, 1800] = 0.2333,
    // 0.1 from 1800 on (the first of the equal candidates 1800, 2100, 2200).
    forecast = stepForecast([0, 1000, 1100, 1200, 1600], [0.1, 0.5, 0.1, 0.5, 0.1]);
    const resumed = running(1, 1100, 1600, { submit: 0, qos: flex(), ranSeconds: 1000, firstStart: 0, lastSuspendedAt: 1000 });
    expect(decide(view(1200, [], [resumed], () => forecast), [{ kind: "intensityChanged", site: "s" }])).toEqual([]);
    const at1300 = decide(view(1300, [], [resumed], () => forecast), [{ kind: "intensityChanged", site: "s" }]);
    expect(at1300.map((d) => d.kind)).toEqual(["suspend", "defer", "wakeAt"]);
    const s = at1300[0];
    if (s.kind !== "suspend") throw new Error(`expected a suspend, got ${s.kind}`);
    expect(s.why!.expected).toMatchObject({ resume_s: 1800, latest_start_s: 2200, remaining_s: 300, ran_s: 1200 });
  });

  it("policyTemporalShift({ preempt: true }) with ample capacity ends every job by submit + max_delay_s + its work, and suspends only preemptible ones (random workloads)", async () => {
    // Intensity mostly alternating between 0.1 and 0.5 in 300 s multiples, long jobs with short allowed delays:
    // runs often cross a rise with work left, where preemption pays.
    const workload = fc.record({
      segments: fc.array(fc.record({ gap: fc.integer({ min: 1, max: 8 }), kg: fc.oneof({ arbitrary: fc.constantFrom(0.1, 0.5), weight: 3 }, { arbitrary: fc.double({ min: 0.01, max: 0.6, noNaN: true }), weight: 1 }) }), { minLength: 4, maxLength: 12 }),
      step: fc.constantFrom(300, 900),
      jobs: fc.array(
        fc.record({
          gap: fc.integer({ min: 0, max: 2000 }),
          runtime: fc.oneof({ arbitrary: fc.integer({ min: 600, max: 6000 }), weight: 3 }, { arbitrary: fc.integer({ min: 1, max: 600 }), weight: 1 }),
          qos: fc.option(
            fc.record({
              delay: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 3000 }), weight: 3 }, fc.constant(0), fc.integer({ min: 1, max: 20000 })),
              p: fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
              preemptible: fc.boolean(),
              deadline: fc.option(fc.integer({ min: 0, max: 20000 }), { nil: undefined, freq: 1 }),
            }),
            { nil: undefined },
          ),
        }),
        { minLength: 3, maxLength: 20 },
      ),
    });
    let suspensions = 0;
    await fc.assert(
      fc.asyncProperty(workload, async ({ segments, step, jobs }) => {
        let t = 0;
        const segStarts = [0];
        for (const s of segments.slice(1)) segStarts.push((t += s.gap * 300));
        const plat = platform(segStarts, segments.map((s) => s.kg), jobs.length);
        let submit = 0;
        const specs = jobs.map((j, i): JobSpec => {
          submit += j.gap;
          const q = j.qos && qos(j.qos.delay, j.qos.p, { preemptible: j.qos.preemptible, ...(j.qos.deadline !== undefined ? { deadline_s: j.runtime + j.qos.deadline } : {}) });
          return qjob(i + 1, submit, j.runtime, q);
        });
        const on = await run(plat, policyTemporalShift({ step_s: step, preempt: true }), specs);
        const off = await run(plat, policyTemporalShift({ step_s: step }), specs);
        expect(on.result.jobsNeverStarted).toBe(0);
        expect(on.result.refusals).toEqual({});
        expect(off.result.suspensions).toBe(0);
        suspensions += on.result.suspensions;
        for (const s of specs) {
          const runs = on.runs.get(s.id)!;
          const last = runs.at(-1)!;
          expect(last.final).toBe(true);
          expect(last.runSeconds).toBe(s.runtime);
          expect(runs[0].start).toBeGreaterThanOrEqual(s.submit);
          if (!s.qos?.preemptible) expect(runs).toHaveLength(1);
          if (s.qos?.deadline_s !== undefined) expect(last.end).toBeLessThanOrEqual(s.submit + s.qos.deadline_s);
          if (s.qos && s.qos.max_delay_s > 0) expect(last.end).toBeLessThanOrEqual(s.submit + s.qos.max_delay_s + s.runtime);
          else expect(spans(on, s.id)).toEqual([[s.submit, s.submit + s.runtime]]);
          // Never suspended twice within a step.
          for (let k = 2; k < runs.length; k++) expect(runs[k - 1].end - runs[k - 2].end).toBeGreaterThanOrEqual(step);
        }
      }),
      { numRuns: 200, seed: 4 },
    );
    // The workloads do exercise preemption.
    expect(suspensions).toBeGreaterThan(0);
  });
});

/** A CC-only forecast with segment starts (s) and values (kg/kWh). */
function stepForecast(starts: number[], kg: number[]): IntensityForecast {
  return forecastFromActual({ series: ccSeries(starts, kg, END), basis: new Uint8Array(N_COORDS), source: "test" }, { bias: 0, sigma: 0 }, rngSeeded(1));
}

function queued(id: number, submit: number, walltime: number, q?: QosSpec): QueuedJobView {
  return queuedJob({ id, submit, walltime, qos: q });
}

function running(id: number, start: number, predictedEnd: number, over: Partial<RunningJobView> = {}): RunningJobView {
  return runningJob({ id, start, predictedEnd, ...over });
}

/** A one-site, one-pool view at `now` (4 nodes of 1 core, one per running job busy). */
function view(now: number, queue: QueuedJobView[], run: RunningJobView[], forecast: () => IntensityForecast): ClusterView {
  const pool = poolView({ coresPerNode: 1, nodes: 4, freeNodes: 4 - run.length, idleWatts: 50, busyWatts: () => 100, embodiedPerNodeSecond: new Float64Array(4 * N_COORDS) });
  return clusterView({ now, sites: [{ index: 0, id: "s", pue: 1, powerW: 200, powerBudgetW: Infinity }], pools: [pool], queue, running: run, forecast: () => forecast() });
}
