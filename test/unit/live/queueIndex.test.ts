/**
 * The live world's queue index (issue 14's latency): the live view offers the
 * scheduler's queue indexed by need (ClusterView.queueIndex) and makes the
 * queue's list only when a policy reads it. The reference is the same live
 * world over the same scheduler with its index hidden, where policies walk the
 * whole queue one job at a time (common.ts QueueWalk without an index): every
 * pass must see the same time and events and decide the same, on random
 * workloads long enough to fill several of the index's blocks (64 to 128 jobs
 * each), with starts, backfilling, deferrals, suspensions (temporal with
 * preemption puts jobs back at their place) and power switches.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rngSeeded } from "../../../src/core/rng.js";
import type { JobSpec } from "../../../src/io/spec.js";
import { FakeScheduler } from "../../../src/live/fakeScheduler.js";
import { LiveWorld } from "../../../src/live/world.js";
import { forecastFromActual } from "../../../src/models/forecast.js";
import type { PlatformModel } from "../../../src/models/platform.js";
import { decisionPass, policyConsolidate, policyEasyBackfill, policyFcfs, policyTemporalShift, type Decision, type Policy, type WorldEvent } from "../../../src/planner/index.js";
import { ccSeries, job, tinyPlatform } from "../../helpers/tinyPlatform.js";

/** Two sites: 3 one-core nodes with an off state at "a" (intensity steps every 600 s), 2 four-core nodes at "b". */
function platform(): PlatformModel {
  return tinyPlatform(
    [
      { id: "a", pue: 1.2, kgPerKwh: ccSeries([0, 600, 1200, 1800], [0.3, 0.05, 0.4, 0.1], 1e7) },
      { id: "b", pue: 1.4, kgPerKwh: 0.2 },
    ],
    [
      { nodes: 3, cores: 1, idle: 100, max: 200, off: { watts: 10, switchOffSeconds: 5, switchOffWatts: 100, switchOnSeconds: 20, switchOnWatts: 150 } },
      { nodes: 2, cores: 4, idle: 150, max: 300, site: 1 },
    ],
  );
}

const GREEN = { name: "green", max_delay_s: 1800, impact_preference: 1, priority: 0, preemptible: true };

const POLICIES: Record<string, () => Policy<unknown>> = {
  easy: policyEasyBackfill,
  fcfs: policyFcfs,
  temporal: () => policyTemporalShift({ step_s: 300, preempt: true }),
  consolidate: () => policyConsolidate({ idle_s: 60 }),
};

interface Pass {
  now: number;
  happened: WorldEvent[];
  decisions: Decision[];
}

/** Every pass of a policy over the jobs; `indexed` false hides the scheduler's queue index. Also how often the whole queue's list was made. */
function passes(name: string, jobs: readonly JobSpec[], indexed: boolean): { passes: Pass[]; lists: number; searches: number } {
  const p = platform();
  const scheduler = new FakeScheduler(p, jobs);
  let lists = 0;
  let searches = 0;
  const backend = new Proxy(scheduler, {
    get(target, key) {
      if (key === "queueIndex") {
        if (!indexed) return undefined;
        const index = target.queueIndex;
        return { ...index, nextQueued: (...a: Parameters<typeof index.nextQueued>) => (searches++, index.nextQueued(...a)) };
      }
      if (key === "queued") return () => (lists++, target.queued());
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  const policy = POLICIES[name]();
  const world = new LiveWorld(backend, { platform: p, forecasts: p.sites.map((s) => forecastFromActual(s.intensity, { bias: 0, sigma: 0 }, rngSeeded(1))), policy });
  const out: Pass[] = [];
  const recording: Policy<unknown> = {
    ...policy,
    decide(view, happened, state) {
      const decisions = policy.decide(view, happened, state);
      out.push({ now: view.now, happened: [...happened], decisions: [...decisions] });
      return decisions;
    },
  };
  while (scheduler.advance()) decisionPass(world, recording, { checkState: true });
  return { passes: out, lists, searches };
}

const workload = fc
  .array(fc.record({ gap: fc.integer({ min: 0, max: 60 }), run: fc.integer({ min: 1, max: 3000 }), over: fc.integer({ min: -200, max: 900 }), cores: fc.integer({ min: 1, max: 8 }), green: fc.boolean() }), { minLength: 150, maxLength: 300 })
  .map((rows) => {
    let t = 0;
    return rows.map((r, i): JobSpec => {
      const j = job(i + 1, (t += r.gap), r.run, Math.max(1, r.run + r.over), r.cores);
      return r.green ? { ...j, qos: GREEN } : j;
    });
  });

describe("the live world's queue index", () => {
  it("on random long queues, every policy sees and decides exactly as when it walks the whole queue", () => {
    fc.assert(
      fc.property(workload, fc.constantFrom(...Object.keys(POLICIES)), (jobs, name) => {
        const walked = passes(name, jobs, false);
        const indexed = passes(name, jobs, true);
        expect(indexed.passes).toEqual(walked.passes);
        expect(walked.passes.some((x) => x.decisions.some((d) => d.kind === "start"))).toBe(true);
        // The index was used, and the queue's list never made for the policies that walk it (fcfs, easy).
        expect(indexed.searches).toBeGreaterThan(0);
        if (name === "easy" || name === "fcfs") expect(indexed.lists).toBe(0);
      }),
      { numRuns: 16, seed: 14 },
    );
  });

  it("a suspended job goes back to its place in the queue, not to its end", () => {
    const p = platform();
    const s = new FakeScheduler(p, [job(1, 0, 100, 100, 1), job(2, 0, 100, 100, 1), job(3, 0, 100, 100, 1)]);
    s.advance();
    const take = (n: number) => [{ node: n, cores: 1, gpus: 0, fpgas: 0, memMb: 0 }];
    s.start(1, take(0), "cpu", false);
    expect(s.queued().map((j) => j.id)).toEqual([2, 3]);
    s.suspend(1);
    expect(s.queued().map((j) => j.id)).toEqual([1, 2, 3]);
    expect(s.queueIndex.queuedCount()).toBe(3);
    expect(s.queueIndex.queuedJob(1)?.lastSuspendedAt).toBe(0);
    // After job 2, the next that fits 1 core: job 3 (job 1 came first).
    expect(s.queueIndex.nextQueued(s.queueIndex.queuedJob(2), 1, 0, -Infinity)?.id).toBe(3);
    s.start(3, take(1), "cpu", false);
    const running = s.running()[0];
    expect(() => s.queueIndex.nextQueued({ ...running, timeLeft: running.walltime }, 1, 0, -Infinity)).toThrow(/job 3 is not queued/);
    s.cancel(2);
    expect(s.queued().map((j) => j.id)).toEqual([1]);
    expect(s.queueIndex.queuedJob(2)).toBeUndefined();
  });
});
