/**
 * The campaign policy where the world keeps no reasons (ClusterView.explain
 * false): on random workloads over two sites whose intensity changes, the same
 * starts (pool, time) and the same deferrals as with reasons kept; its starts
 * then carry no why, its deferrals theirs all the same.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { rngSeeded } from "../../../src/core/rng.js";
import type { JobSpec, QosSpec } from "../../../src/io/spec.js";
import { forecastFromActual } from "../../../src/models/forecast.js";
import type { PlatformModel } from "../../../src/models/platform.js";
import { policyCampaignTarget } from "../../../src/planner/policies/campaignTarget.js";
import type { Decision } from "../../../src/planner/view.js";
import { simulate } from "../../../src/sim/simulation.js";
import { ccSeries, job, tinyPlatform } from "../../helpers/tinyPlatform.js";

const END = 1e6;

async function run(plat: PlatformModel, jobs: JobSpec[], explain: boolean) {
  const decisions: { time: number; d: Decision }[] = [];
  const starts = new Map<number, [number, number]>();
  // Every decision the policy returns, seen by wrapping it (the world records only explained ones).
  const inner = policyCampaignTarget({ slot_s: 1800, horizon_slots: 16, replan_s: 7200 });
  const decide: typeof inner.decide = (view, happened) => {
    const out = inner.decide(view, happened);
    for (const d of out) decisions.push({ time: view.now, d });
    return out;
  };
  await simulate({
    platform: plat,
    policy: { ...inner, decide },
    jobs: [jobs],
    explain,
    forecasts: plat.sites.map((s) => forecastFromActual(s.intensity, { bias: 0, sigma: 0 }, rngSeeded(1))),
    observer: { jobEnded: (f) => starts.set(f.job.id, [f.pool, f.start]) },
  });
  return { decisions, starts };
}

describe("policyCampaignTarget() with ClusterView.explain false", () => {
  it("starts and defers as with reasons kept; starts carry no why, deferrals do (random workloads)", async () => {
    const workload = fc.record({
      kg: fc.array(fc.double({ min: 0.01, max: 0.6, noNaN: true }), { minLength: 4, maxLength: 4 }),
      nodes: fc.integer({ min: 1, max: 3 }),
      jobs: fc.array(
        fc.record({ gap: fc.integer({ min: 0, max: 3000 }), runtime: fc.integer({ min: 1, max: 6000 }), delay: fc.option(fc.integer({ min: 0, max: 20000 }), { nil: undefined }) }),
        { minLength: 1, maxLength: 14 },
      ),
    });
    let deferred = 0;
    let explainedStarts = 0;
    await fc.assert(
      fc.asyncProperty(workload, async ({ kg, nodes, jobs }) => {
        const plat = tinyPlatform(
          [{ id: "a", pue: 1.2, kgPerKwh: ccSeries([0, 3600], kg.slice(0, 2), END) }, { id: "b", pue: 1.1, kgPerKwh: ccSeries([0, 5400], kg.slice(2), END) }],
          [{ nodes, cores: 1, idle: 50, max: 100, site: 0 }, { nodes, cores: 1, idle: 50, max: 100, site: 1 }],
        );
        let submit = 0;
        const specs = jobs.map((j, i): JobSpec => {
          const q: QosSpec | undefined = j.delay === undefined ? undefined : { name: j.delay > 10000 ? "slow" : "fast", max_delay_s: j.delay, impact_preference: 1 };
          return { ...job(i + 1, (submit += j.gap), j.runtime, j.runtime, 1), ...(q ? { qos: q } : {}) };
        });
        const kept = await run(plat, specs, true);
        const none = await run(plat, specs, false);
        expect([...none.starts].sort((x, y) => x[0] - y[0])).toEqual([...kept.starts].sort((x, y) => x[0] - y[0]));
        const shape = (r: typeof kept) => r.decisions.map(({ time, d }) => [time, d.kind, "jobId" in d ? d.jobId : -1, d.kind === "defer" ? d.until : d.kind === "start" ? d.pool : -1]);
        expect(shape(none)).toEqual(shape(kept));
        for (const { d } of none.decisions) {
          if (d.kind === "start") expect(d.why).toBeUndefined();
          if (d.kind === "defer") expect(d.why.reason.length).toBeGreaterThan(0);
        }
        deferred += none.decisions.filter(({ d }) => d.kind === "defer").length;
        explainedStarts += kept.decisions.filter(({ d }) => d.kind === "start" && d.why !== undefined).length;
      }),
      { numRuns: 40, seed: 11 },
    );
    // The workloads reach both kinds of decision the flag changes.
    expect(deferred).toBeGreaterThan(0);
    expect(explainedStarts).toBeGreaterThan(0);
  });
});
