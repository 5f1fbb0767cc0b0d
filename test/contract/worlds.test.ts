/**
 * One planner, two worlds: the fixture policies (one feature each) and the
 * bundled policies run on the same platform and workload in the simulator and
 * in the live world over the in-memory scheduler (live/fakeScheduler.ts). Each
 * world records every call of the policy: when, the events it was given, the
 * view it saw (queue, running jobs, pools, node states) and the decisions it
 * returned. The two records must be equal, call for call: a policy cannot tell
 * which world it runs in, and both refuse the same decisions for the same
 * reasons. Random workloads check the same on many schedules.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rngSeeded } from "../../src/core/rng.js";
import type { JobSpec } from "../../src/io/spec.js";
import { FakeScheduler } from "../../src/live/fakeScheduler.js";
import { LiveWorld } from "../../src/live/world.js";
import { forecastFromActual } from "../../src/models/forecast.js";
import type { PlatformModel, PowerStateModel } from "../../src/models/platform.js";
import { policyConsolidate, policyEasyBackfill, policyFcfs, policyTemporalShift, type ClusterView, type Decision, type Policy, type WorldEvent } from "../../src/planner/index.js";
import { decisionPass } from "../../src/planner/world.js";
import { simulate } from "../../src/sim/simulation.js";
import { policyBadDecisions } from "../fixtures/policies/badDecisions.js";
import { policyOneAtATime } from "../fixtures/policies/oneAtATime.js";
import { policyPowerOffWhenIdle } from "../fixtures/policies/powerOffWhenIdle.js";
import { policyRejectAll } from "../fixtures/policies/rejectAll.js";
import { policyWakeAtFixed } from "../fixtures/policies/wakeAtFixed.js";
import { ccSeries, job, tinyPlatform } from "../helpers/tinyPlatform.js";

const OFF: PowerStateModel = { watts: 10, switchOffSeconds: 5, switchOffWatts: 100, switchOnSeconds: 20, switchOnWatts: 150 };

/** Two sites: 3 one-core nodes with an off state at "a" (intensity steps every 600 s), 2 two-core nodes at "b". */
function platform(): PlatformModel {
  return tinyPlatform(
    [
      { id: "a", pue: 1.2, kgPerKwh: ccSeries([0, 600, 1200, 1800], [0.3, 0.05, 0.4, 0.1], 1e6) },
      { id: "b", pue: 1.4, kgPerKwh: 0.2 },
    ],
    [
      { nodes: 3, cores: 1, idle: 100, max: 200, off: OFF },
      { nodes: 2, cores: 2, idle: 150, max: 300, site: 1 },
    ],
  );
}

/** What a policy saw and did in one call, in plain data. */
interface Call {
  now: number;
  happened: WorldEvent[];
  queue: { id: number; timeLeft: number; deferredUntil?: number }[];
  running: { id: number; pool: number; nodes: readonly number[]; start: number; predictedEnd: number }[];
  pools: { free: number; sleeping: number; waking: number }[];
  nodes: { state: number; since: number; readyAt: number; job: number }[];
  decisions: Decision[];
}

function recorder<S>(inner: Policy<S>): { policy: Policy<S>; calls: Call[] } {
  const calls: Call[] = [];
  const nodes = (v: ClusterView) => {
    const total = v.pools.reduce((a, p) => a + p.nodes, 0);
    return Array.from({ length: total }, (_, n) => ({ state: v.nodeState(n), since: v.nodeSince(n), readyAt: v.nodeReadyAt(n), job: v.nodeJob(n) }));
  };
  const policy: Policy<S> = {
    name: inner.name,
    version: inner.version,
    params: inner.params,
    ...(inner.initialState ? { initialState: () => inner.initialState!() } : {}),
    decide(view, happened, state) {
      const decisions = inner.decide(view, happened, state);
      calls.push({
        now: view.now,
        happened: [...happened],
        queue: view.queue.map((q) => ({ id: q.id, timeLeft: q.timeLeft, ...(q.deferredUntil !== undefined ? { deferredUntil: q.deferredUntil } : {}) })),
        running: view.running.map((r) => ({ id: r.id, pool: r.pool, nodes: r.nodes, start: r.start, predictedEnd: r.predictedEnd })),
        pools: view.pools.map((p) => ({ free: p.freeNodes, sleeping: p.sleepingNodes, waking: p.wakingNodes })),
        nodes: nodes(view),
        decisions: [...decisions],
      });
      return decisions;
    },
  };
  return { policy, calls };
}

const forecastsOf = (p: PlatformModel) => p.sites.map((s) => forecastFromActual(s.intensity, { bias: 0, sigma: 0 }, rngSeeded(1)));

async function inSimulator<S>(make: () => Policy<S>, jobs: JobSpec[], p: PlatformModel = platform()): Promise<Call[]> {
  const { policy, calls } = recorder(make());
  await simulate({ platform: p, policy: policy as Policy<unknown>, jobs: [jobs], forecasts: forecastsOf(p), mode: "lenient", checkPolicyState: true });
  return calls;
}

function inLiveWorld<S>(make: () => Policy<S>, jobs: JobSpec[], p: PlatformModel = platform()): Call[] {
  const { policy, calls } = recorder(make());
  const scheduler = new FakeScheduler(p, jobs);
  const world = new LiveWorld(scheduler, { platform: p, forecasts: forecastsOf(p), policy: policy as Policy<unknown> });
  while (scheduler.advance()) decisionPass(world, policy as Policy<unknown>, { checkState: true });
  return calls;
}

/** The bad-decisions fixture's own platform: pool 0 nodes 0, 1 (with the OFF state, no sleep state), pool 1 nodes 2, 3; and its three jobs. */
const BAD_PLATFORM = () =>
  tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0.1 }], [
    { nodes: 2, cores: 1, idle: 100, max: 200, off: OFF },
    { nodes: 2, cores: 1, idle: 100, max: 200 },
  ]);
const BAD_JOBS = [job(1, 0, 100, 100, 1), job(2, 0, 50, 50, 1), job(3, 0, 30, 30, 2)];

const GREEN = { name: "green", max_delay_s: 3600, impact_preference: 1, priority: 0 };
/** Jobs that may wait on site a, whose intensity drops from 0.3 to 0.05 kg/kWh at 600 s: temporal defers them. */
const GREEN_JOBS: JobSpec[] = [{ ...job(1, 0, 200, 300, 1), qos: GREEN }, { ...job(2, 0, 300, 300, 1), qos: { ...GREEN, impact_preference: 0.5 } }, job(3, 30, 100, 100, 1), { ...job(4, 700, 100, 200, 1), qos: GREEN }];

const POLICIES: Record<string, () => Policy<unknown>> = {
  fcfs: policyFcfs,
  easy: policyEasyBackfill,
  "fixture-reject-all": () => policyRejectAll(),
  "fixture-one-at-a-time": policyOneAtATime,
  "fixture-power-off-when-idle": () => policyPowerOffWhenIdle(),
  "fixture-wake-at-fixed": () => policyWakeAtFixed(700),
  "fixture-bad-decisions": () => policyBadDecisions(),
  temporal: () => policyTemporalShift({ step_s: 300 }),
  consolidate: () => policyConsolidate({ idle_s: 60 }),
};

/** Jobs that fit both pools, some wider than one pool of "a", with QoS classes that let temporal wait. */
const JOBS: JobSpec[] = [
  job(1, 0, 300, 400, 1),
  job(2, 0, 500, 500, 2),
  { ...job(3, 10, 200, 300, 1), qos: { name: "green", max_delay_s: 3600, impact_preference: 1, priority: 0 } },
  job(4, 50, 900, 600, 3),
  { ...job(5, 100, 100, 200, 2), qos: { name: "green", max_delay_s: 1800, impact_preference: 0.5, priority: 0 } },
  job(6, 700, 60, 120, 1),
];

/** What each policy must have exercised on JOBS, so that equal records are not equal for want of anything happening. */
const EXERCISES: Record<string, (calls: Call[]) => boolean> = {
  fcfs: (c) => c.some((x) => x.decisions.some((d) => d.kind === "start")),
  easy: (c) => c.some((x) => x.decisions.some((d) => d.kind === "start")),
  "fixture-reject-all": (c) => c.some((x) => x.decisions.some((d) => d.kind === "reject")),
  "fixture-one-at-a-time": (c) => c.some((x) => x.happened.some((e) => e.kind === "jobEnded")),
  "fixture-power-off-when-idle": (c) => c.some((x) => x.happened.some((e) => e.kind === "nodesSwitched")),
  "fixture-wake-at-fixed": (c) => c.some((x) => x.happened.some((e) => e.kind === "wokeUp")),
  "fixture-bad-decisions": (c) => c.some((x) => x.happened.some((e) => e.kind === "decisionRefused")),
  temporal: (c) => c.some((x) => x.decisions.some((d) => d.kind === "defer")) && c.some((x) => x.happened.some((e) => e.kind === "intensityChanged")),
  consolidate: (c) => c.some((x) => x.decisions.some((d) => d.kind === "setPowerState")),
};

describe("the same policy in the simulator and in the live world", () => {
  for (const [name, make] of Object.entries(POLICIES)) {
    it(`${name}: the same calls (time, events, view, decisions) and the same refusals`, async () => {
      const [jobs, p] = name === "fixture-bad-decisions" ? [BAD_JOBS, BAD_PLATFORM] : name === "temporal" ? [GREEN_JOBS, platform] : [JOBS, platform];
      const sim = await inSimulator(make, jobs, p());
      const live = inLiveWorld(make, jobs, p());
      expect(EXERCISES[name](sim)).toBe(true);
      expect(live).toEqual(sim);
    });
  }

  it("on random workloads, EASY and consolidation see and decide the same in both worlds", async () => {
    const jobsArb = fc
      .array(fc.record({ gap: fc.integer({ min: 0, max: 400 }), run: fc.integer({ min: 1, max: 1500 }), over: fc.integer({ min: -100, max: 600 }), cores: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 12 })
      .map((rows) => {
        let t = 0;
        return rows.map((r, i) => job(i + 1, (t += r.gap), r.run, Math.max(1, r.run + r.over), r.cores));
      });
    await fc.assert(
      fc.asyncProperty(jobsArb, fc.constantFrom("easy", "consolidate", "fixture-power-off-when-idle"), async (jobs, name) => {
        const make = POLICIES[name];
        expect(inLiveWorld(make, jobs)).toEqual(await inSimulator(make, jobs));
      }),
      { numRuns: 60, seed: 11 },
    );
  });
});
