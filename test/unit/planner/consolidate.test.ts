/**
 * policyConsolidate over the simulator, with hand-worked golden cases and a
 * comparison against EASY on the same jobs (energy saved, wait added).
 *
 * Platform of the simulated cases: one site (PUE 1), one-core nodes idling at 100 W and
 * drawing 200 W busy, with the OFF state: off draws 10 W, switching off takes
 * 5 s at 100 W (500 J), switching on 20 s at 150 W (3000 J). The policy is
 * given the same figures (FIG) since the view does not show them yet.
 * Break-even idle time BE = (3000 + 500 - 10 * (20 + 5)) / (100 - 10) = 3250 / 90 s
 * (about 36.1 s): an idle gap longer than that costs less off than on.
 *
 * Energies are compared over a common window [0, H]: after its last event a
 * run's nodes stay as they are (for EASY: all idle).
 *
 * Packing on shared nodes is checked on hand-built views of 8-core nodes
 * (decide() called directly, and placement of the start it names).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  NodeState,
  policyEasyBackfill,
  type ClusterView,
  type Decision,
  type Policy,
  type WorldEvent,
} from "../../../src/planner/index.js";
import { breakEvenSeconds, policyConsolidate, powerStateFigures } from "../../../src/planner/policies/consolidate.js";
import type { PlatformModel, PowerStateModel } from "../../../src/models/platform.js";
import type { JobSpec } from "../../../src/io/spec.js";
import { job, tinyPlatform } from "../../helpers/tinyPlatform.js";
import { clusterView, poolView, queuedJob, runningJob } from "../../helpers/views.js";
import { place } from "../../../src/planner/placement.js";
import type { QueuedJobView } from "../../../src/planner/view.js";
import { recording, type Call } from "../../helpers/recording.js";
import { powerProfile, runTiny, type TinyRun } from "../../helpers/runTiny.js";
import { policyPowerOffWhenIdle } from "../../fixtures/policies/powerOffWhenIdle.js";
import { OFF, FIG, starts } from "../../helpers/consolidate.js";

const BE = 3250 / 90;

const onePool = (nodes: number, off: PowerStateModel | undefined = OFF) =>
  tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0.3 }], [{ nodes, cores: 1, idle: 100, max: 200, off }]);

/** The shared recording wrapper, also noting for each start decision whether every node it named was idle when decided. */
function recordingIdle<S>(inner: Policy<S>): Policy<S> & { calls: Call[]; idleNamed: boolean[] } {
  const idleNamed: boolean[] = [];
  const policy = recording(inner, (view, decisions) => {
    for (const d of decisions) if (d.kind === "start") idleNamed.push(d.nodes !== undefined && d.nodes.every((n) => view.nodeState(n) === NodeState.Idle));
  });
  return Object.assign(policy, { idleNamed });
}

const powerDecisions = (calls: Call[]) =>
  calls.flatMap((c) => c.decisions.flatMap((d) => (d.kind === "setPowerState" ? [[c.now, d.state, d.nodes] as const] : [])));


/** IT energy of site 0 over [0, h], J: the run's intervals, then `tailWatts` from its end to h. */
function energyUntil(r: TinyRun, h: number, tailWatts: number): number {
  let e = 0;
  for (const iv of r.intervals) if (iv.site === 0 && iv.from < h) e += iv.itWatts * (Math.min(iv.to, h) - iv.from);
  return e + Math.max(0, h - r.result.end) * tailWatts;
}

const totalWait = (r: TinyRun) => [...r.facts.values()].reduce((s, f) => s + f.start - f.job.submit, 0);

describe("policyConsolidate() defaults", () => {
  it("policyConsolidate() defaults to idle_s = the break-even time, keep_on 0 and state off", () => {
    expect(policyConsolidate().params).toEqual({ idle_s: "break_even", keep_on: 0, state: "off" });
    expect(policyConsolidate({ idle_s: 40, ...FIG }).params).toEqual({ idle_s: 40, keep_on: 0, state: "off", ...FIG });
    expect(policyConsolidate().name).toBe("consolidate");
  });

  it("powerStateFigures(idle) assumes 5 % of idle off, switch-on 150 s and switch-off 10 s at idle draw", () => {
    expect(powerStateFigures(100)).toEqual({ offWatts: 5, switchOnSeconds: 150, switchOnWatts: 100, switchOffSeconds: 10, switchOffWatts: 100 });
    // (100 * 150 + 100 * 10 - 5 * 160) / (100 - 5) = 15200 / 95 = 160 s
    expect(breakEvenSeconds(100, powerStateFigures(100))).toBe(160);
    expect(powerStateFigures(100, FIG)).toEqual({ offWatts: 10, switchOnSeconds: 20, switchOnWatts: 150, switchOffSeconds: 5, switchOffWatts: 100 });
  });

  it("policyConsolidate() without figures takes them from the pool's off state: break-even 3250/90 s", async () => {
    // The pool's off state is FIG's (10 W off, 5 s at 100 W off, 20 s at 150 W on):
    // break-even (3000 + 500 - 10 x 25) / (100 - 10) = 3250 / 90 s.
    // J1 (0 s, 1000 s) on node 0; node 1, idle since 0, goes off once that has passed.
    const policy = recordingIdle(policyConsolidate());
    const r = await runTiny(onePool(2), policy, [job(1, 0, 1000, 1000, 1)]);
    const [t, state, nodes] = powerDecisions(policy.calls)[0] as [number, string, number[]];
    expect(t).toBeCloseTo(BE, 9);
    expect([state, nodes]).toEqual(["off", [1]]);
    expect(r.result.refusals).toEqual({});
  });

  it("powerStateFigures() without figures gives the documented defaults: break-even 160 s", () => {
    // Defaults: off 5 % of idle (5 W), 150 s on and 10 s off at idle draw (100 W):
    // (15000 + 1000 - 5 x 160) / (100 - 5) = 160 s.
    expect(breakEvenSeconds(100, powerStateFigures(100))).toBeCloseTo(160, 9);
  });

  it("policyConsolidate() leaves a pool whose view shows no power state on, and asks for nothing it would refuse", async () => {
    const policy = recordingIdle(policyConsolidate());
    const bare = tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0.3 }], [{ nodes: 2, cores: 1, idle: 100, max: 200 }]);
    const r = await runTiny(bare, policy, [job(1, 0, 1000, 1000, 1)]);
    expect(powerDecisions(policy.calls)).toEqual([]);
    expect(r.result.refusals).toEqual({});
  });
});

describe("breakEvenSeconds()", () => {
  it("breakEvenSeconds(idle, figures) is (E_on + E_off - P_off (t_on + t_off)) / (P_idle - P_off)", () => {
    expect(breakEvenSeconds(100, powerStateFigures(100, FIG))).toBe(BE);
  });

  it("breakEvenSeconds() is Infinity when the low state draws as much as idle, and never below 0", () => {
    expect(breakEvenSeconds(10, powerStateFigures(10, FIG))).toBe(Infinity);
    expect(breakEvenSeconds(100, { offWatts: 50, switchOnSeconds: 10, switchOnWatts: 0, switchOffSeconds: 10, switchOffWatts: 0 })).toBe(0);
  });
});

describe("policyConsolidate() parameters", () => {
  it("policyConsolidate(params) throws a RangeError naming a bad parameter and its value", () => {
    expect(() => policyConsolidate({ idle_s: -1 })).toThrowErrorMatchingInlineSnapshot(`[RangeError: policyConsolidate: idle_s: expected a number >= 0, got -1]`);
    expect(() => policyConsolidate({ keep_on: 1.5 })).toThrowErrorMatchingInlineSnapshot(`[RangeError: policyConsolidate: keep_on: expected an integer >= 0, got 1.5]`);
    expect(() => policyConsolidate({ state: "hibernate" as "off" })).toThrowErrorMatchingInlineSnapshot(`[RangeError: policyConsolidate: state: expected "off" or "sleep", got "hibernate"]`);
    expect(() => policyConsolidate({ switch_on_s: Number.NaN })).toThrowErrorMatchingInlineSnapshot(`[RangeError: policyConsolidate: switch_on_s: expected a number >= 0, got NaN]`);
  });
});

describe("policyConsolidate() on a gap between two jobs (break-even threshold)", () => {
  // 2 nodes. J1: submit 0, runs 100 s; J2: submit 200, runs 100 s; 1 core each.
  // EASY: J1 [0, 100] and J2 [200, 300] on node 0; node 1 idles throughout.
  // Consolidate (idle_s = BE):
  //   0         J1 starts on node 0 (lowest id); node 1 idle since 0: wakeAt BE
  //   BE        node 1 switches off (5 s at 100 W), off from BE + 5
  //   100       J1 ends; node 0 idle since 100: wakeAt 100 + BE
  //   100 + BE  node 0 switches off, off from 105 + BE
  //   200       J2 arrives, nothing on: switch node 0 on (20 s at 150 W)
  //   220       node 0 on: J2 starts (waits 20 s), ends 320
  //   320 + BE  node 0 switches off; the run ends when that completes: H = 325 + BE
  // IT power: [0, 100) 300 W (node 1 idle 100 W, then switching off at 100 W);
  // [100, 100 + BE) 210 (node 1 off 10 W); 110 W switching off; 20 W both off;
  // [200, 220) 160 W; [220, 320) 210 W; [320, H) 110 W.
  // Energy over [0, H]:
  //   jobs 2 * 200 W * 100 s = 40000; idle 3 * 100 W * BE; switch-offs 3 * 500;
  //   switch-on 3000; off: node 1 [BE + 5, H) = 320 s, node 0 [105 + BE, 200) = 95 - BE s, at 10 W
  //   = 48650 + 290 BE (about 59122 J).
  // EASY over [0, H]: 40000 busy + 100 W * (2 H - 200) idle node-seconds = 85000 + 200 BE (about 92222 J).
  // Saved: 36350 - 90 BE = 33100 J (36 %); wait added: 20 s (J2).
  const jobs = [job(1, 0, 100, 100, 1), job(2, 200, 100, 100, 1)];
  const H = 325 + BE;

  it("policyConsolidate() gives the hand-computed power profile and start times", async () => {
    const policy = recordingIdle(policyConsolidate(FIG));
    const r = await runTiny(onePool(2), policy, jobs);
    expect(starts(r)).toEqual(new Map([[1, 0], [2, 220]]));
    expect(r.result.end).toBe(320 + BE + 5);
    expect(r.result.refusals).toEqual({});
    expect(powerProfile(r)).toEqual([
      [0, BE + 5, 300],
      [BE + 5, 100, 210],
      [100, 100 + BE + 5, 110],
      [100 + BE + 5, 200, 20],
      [200, 220, 160],
      [220, 320, 210],
      [320, 320 + BE + 5, 110],
    ]);
    expect(powerDecisions(policy.calls)).toEqual([
      [BE, "off", [1]],
      [100 + BE, "off", [0]],
      [200, "on", [0]],
      [320 + BE, "off", [0]],
    ]);
    // Starts name the nodes they are packed on: the lowest-id idle node. Each job ran on node 0 alone.
    expect(policy.calls.flatMap((c) => c.decisions.filter((d) => d.kind === "start"))).toEqual([
      { kind: "start", jobId: 1, pool: 0, nodes: [0] },
      { kind: "start", jobId: 2, pool: 0, nodes: [0] },
    ]);
    expect([1, 2].map((id) => r.facts.get(id)!.allocation.map((a) => a.node))).toEqual([[0], [0]]);
  });

  it("policyConsolidate() saves 36350 - 90 BE J against EASY for 20 s of added wait", async () => {
    const cons = await runTiny(onePool(2), policyConsolidate(FIG), jobs);
    const easy = await runTiny(onePool(2), policyEasyBackfill(), jobs);
    expect(easy.result.end).toBe(300);
    const eCons = energyUntil(cons, H, 0);
    const eEasy = energyUntil(easy, H, 200);
    expect(eCons).toBeCloseTo(48650 + 290 * BE, 6);
    expect(eEasy).toBeCloseTo(85000 + 200 * BE, 6);
    expect(eEasy - eCons).toBeCloseTo(33100, 6);
    expect(totalWait(cons) - totalWait(easy)).toBe(20);
  });

  it("policyConsolidate() records the break-even reasoning on each setPowerState", async () => {
    const policy = recordingIdle(policyConsolidate(FIG));
    await runTiny(onePool(2), policy, jobs);
    const power = policy.calls.flatMap((c) => c.decisions.filter((d) => d.kind === "setPowerState"));
    const first = power[0];
    expect(first.why!.expected).toEqual({
      nodes: 1, idle_w: 100, off_w: 10, switch_off_s: 5, switch_off_j: 500, switch_on_s: 20, switch_on_j: 3000,
      break_even_s: BE, idle_threshold_s: BE, idle_for_s: BE,
    });
    expect(first.why!.reason).toBe(
      "switched off: idle for 36.1111 s >= 36.1111 s (the break-even time); idle draws 100 W, off 10 W, a switch off and on costs 3500 J; " +
        "no idle history yet, so the ski-rental rule: waiting the break-even time first costs at most twice the best choice",
    );
    // J2 at 200 s: nothing runs, so waking is the only way to start it.
    // Needs are counted in cores: 1 core, on one-core nodes one node.
    expect(power[2].why).toEqual({
      reason: "switched on for job 2: it needs 1 cores of pool 0; with 1 node(s) switched on it can start at 220 s (switch-on 20 s); running jobs alone never free enough",
      expected: { job: 2, cores_needed: 1, nodes_switched: 1, start_s: 220, switch_on_s: 20, switch_on_j: 3000 },
    });
    // At 320 + BE node 0 has one completed idle gap on record: 100 -> 220 s (120 s >= BE),
    // so the expected idle time is 120 s; over the remaining 120 - BE s, staying on costs
    // 100 W * (120 - BE) and switching 3500 + 10 W * (120 - BE - 25) J.
    const last = power[3].why!;
    expect(last.expected!.expected_idle_s).toBe(120);
    expect(last.alternatives!.map((a) => a.option)).toEqual(["stay on", "off"]);
    expect(last.alternatives![0].expected.joules_per_node).toBeCloseTo(100 * (120 - BE), 9);
    expect(last.alternatives![1].expected.joules_per_node).toBeCloseTo(3500 + 10 * (120 - BE - 25), 9);
  });
});

describe("policyConsolidate() switching on just in time", () => {
  // 2 nodes, idle_s 0. J1: submit 0, runs 100 s (walltime 100), 1 core; J2: submit 10, 2 cores, runs 30 s.
  //   0    J1 on node 0; node 1 switches off at once (off from 5)
  //   10   J2 needs both nodes: node 0 is predicted free at 100; switching node 1 on now
  //        would have it idle from 30 to 100, so the policy asks wakeAt(100 - 20 = 80)
  //   80   node 1 switches on; at 100 J1 ends and node 1 is on: J2 starts on [0, 1], ends 130
  //   130  both idle: both switch off, the run ends at 135
  // IT power: [0, 5) 300; [5, 80) 210; [80, 100) 350; [100, 130) 400; [130, 135) 200.
  // Energy 1500 + 15750 + 7000 + 12000 + 1000 = 37250 J.
  // EASY: J2 waits for node 0 too: starts 100, ends 130; [0, 100) 300 W, [100, 130) 400 W;
  // over [0, 135]: 30000 + 12000 + 5 * 200 = 43000 J. Saved 5750 J, wait added 0.
  // The naive fixture (power off when idle) switches node 1 on at 10 s and keeps it idle
  // from 30 to 100: [0, 5) 300, [5, 10) 210, [10, 30) 350, [30, 100) 300, [100, 130) 400,
  // [130, 135) 200: 43550 J, 6300 J more than just in time.
  const jobs = [job(1, 0, 100, 100, 1), job(2, 10, 30, 30, 2)];

  it("policyConsolidate() switches a node on so it is ready when the running job is predicted to end", async () => {
    const policy = recordingIdle(policyConsolidate({ ...FIG, idle_s: 0 }));
    const r = await runTiny(onePool(2), policy, jobs);
    expect(powerDecisions(policy.calls)).toEqual([
      [0, "off", [1]],
      [80, "on", [1]],
      [130, "off", [0, 1]],
    ]);
    expect(policy.calls.find((c) => c.now === 10)!.decisions).toEqual([{ kind: "wakeAt", time: 80 }]);
    expect(starts(r)).toEqual(new Map([[1, 0], [2, 100]]));
    expect(powerProfile(r)).toEqual([
      [0, 5, 300],
      [5, 80, 210],
      [80, 100, 350],
      [100, 130, 400],
      [130, 135, 200],
    ]);
    const easy = await runTiny(onePool(2), policyEasyBackfill(), jobs);
    expect(starts(easy)).toEqual(starts(r));
    expect(energyUntil(r, 135, 0)).toBe(37250);
    expect(energyUntil(easy, 135, 200)).toBe(43000);
    const naive = await runTiny(onePool(2), policyPowerOffWhenIdle(), jobs);
    expect(starts(naive)).toEqual(starts(r));
    expect(energyUntil(naive, 135, 0)).toBe(43550);
  });

  // Same platform, J2 (submit 90, 1 core, 50 s) instead: J1's node is predicted free at
  // 100, before a switch-on started at 90 would complete (110), so nothing is switched on:
  //   90   J2 waits; 100 J1 ends, J2 starts on node 0, ends 150; 150 node 0 off, end 155
  // IT power: [0, 5) 300; [5, 150) 210; [150, 155) 110: 1500 + 30450 + 550 = 32500 J.
  // EASY: J2 at 90 on node 1: [0, 90) 300, [90, 100) 400, [100, 140) 300, then 200 W to 155:
  // 27000 + 4000 + 12000 + 3000 = 46000 J. Saved 13500 J; wait added 10 s.
  it("policyConsolidate() lets a job wait for a running job that ends before a switch-on would complete", async () => {
    const jobs2 = [job(1, 0, 100, 100, 1), job(2, 90, 50, 50, 1)];
    const policy = recordingIdle(policyConsolidate({ ...FIG, idle_s: 0 }));
    const r = await runTiny(onePool(2), policy, jobs2);
    expect(powerDecisions(policy.calls)).toEqual([
      [0, "off", [1]],
      [150, "off", [0]],
    ]);
    expect(starts(r)).toEqual(new Map([[1, 0], [2, 100]]));
    expect(powerProfile(r)).toEqual([
      [0, 5, 300],
      [5, 150, 210],
      [150, 155, 110],
    ]);
    const easy = await runTiny(onePool(2), policyEasyBackfill(), jobs2);
    expect(starts(easy)).toEqual(new Map([[1, 0], [2, 90]]));
    expect(energyUntil(r, 155, 0)).toBe(32500);
    expect(energyUntil(easy, 155, 200)).toBe(46000);
    expect(totalWait(r) - totalWait(easy)).toBe(10);
  });

  // 3 nodes, idle_s 0. J1 (0 s, 10 s) on node 0, nodes 1 and 2 off at 0, node 0 off at 10.
  // J2 (100 s, 2 cores, 50 s): nodes 0 and 1 switch on, ready 120. J3 (105 s, 1 core, 50 s):
  // the two waking nodes are J2's, so one more (node 2) switches on, ready 125.
  // J2 starts at 120 on [0, 1], J3 at 125 on [2]. J1's start at 0 names the lowest-id idle node, 0.
  it("policyConsolidate() counts nodes already waking before switching more on", async () => {
    const policy = recordingIdle(policyConsolidate({ ...FIG, idle_s: 0 }));
    const r = await runTiny(onePool(3), policy, [job(1, 0, 10, 10, 1), job(2, 100, 50, 50, 2), job(3, 105, 50, 50, 1)]);
    expect(powerDecisions(policy.calls).filter(([, s]) => s === "on")).toEqual([
      [100, "on", [0, 1]],
      [105, "on", [2]],
    ]);
    expect(starts(r)).toEqual(new Map([[1, 0], [2, 120], [3, 125]]));
    expect(policy.calls.flatMap((c) => c.decisions.filter((d) => d.kind === "start").map((d) => [c.now, d.kind === "start" && d.nodes]))).toEqual([
      [0, [0]],
      [120, [0, 1]],
      [125, [2]],
    ]);
    expect([1, 2, 3].map((id) => r.facts.get(id)!.allocation.map((a) => a.node))).toEqual([[0], [0, 1], [2]]);
    expect(policy.idleNamed.length).toBeGreaterThan(0);
    expect(policy.idleNamed.every(Boolean)).toBe(true);
    expect(r.result.refusals).toEqual({});
  });
});

describe("policyConsolidate() packing on shared nodes", () => {
  // One pool of 4 nodes of 8 cores (ids 0..3), no power state (so no power decisions), at 0:
  //   node 0: job 1, 6 cores -> 2 free;  node 1: job 2, 2 cores -> 6 free;
  //   node 2: job 3, 3 cores -> 5 free;  node 3 idle -> 8 free.   Free cores 21, idle nodes 1.
  const packed = (queue: QueuedJobView[]) => {
    const pool = poolView({ nodes: 4, coresPerNode: 8, freeNodes: 1, freeCores: 21 });
    const running = [
      runningJob({ id: 1, cores: 6, nodes: [0] }),
      runningJob({ id: 2, cores: 2, nodes: [1] }),
      runningJob({ id: 3, cores: 3, nodes: [2] }),
    ];
    return clusterView({ pools: [pool], running, queue, nodeState: (n) => (n < 3 ? NodeState.Busy : NodeState.Idle) });
  };
  const startsOf = (view: ClusterView) => {
    const policy = policyConsolidate(FIG);
    return policy.decide(view, [{ kind: "jobSubmitted", jobId: view.queue[0].id }], policy.initialState!()).filter((d): d is Extract<Decision, { kind: "start" }> => d.kind === "start");
  };

  it("policyConsolidate() puts a 4-core job on the fullest node in use that can hold it, where the default placement spreads it", () => {
    // EASY starts jobs 10 (4 cores) and 11 (3 cores): 21 and 17 cores free.
    // Job 10: nodes in use with >= 4 free: node 1 (6) and node 2 (5); the fullest is node 2: [2].
    // Job 11 (after job 10 left node 2 with 1 free): only node 1 (6 free) holds 3 cores: [1].
    const view = packed([queuedJob({ id: 10, cores: 4 }), queuedJob({ id: 11, cores: 3 })]);
    const starts = startsOf(view);
    expect(starts.map((d) => [d.jobId, d.nodes])).toEqual([
      [10, [2]],
      [11, [1]],
    ]);
    // The world places job 10 on its candidates in order: all 4 cores on node 2.
    expect(place(view.queue[0], view.pools[0], "cpu", view, starts[0].nodes)).toEqual([{ node: 2, cores: 4, gpus: 0, fpgas: 0, memMb: 0 }]);
    // Without named nodes it would fill nodes in use in id order: 2 cores on node 0, 2 on node 1.
    expect(place(view.queue[0], view.pools[0], "cpu", view)!.map((t) => [t.node, t.cores])).toEqual([
      [0, 2],
      [1, 2],
    ]);
  });

  it("policyConsolidate() fills nodes in use from the one with most free cores down when none holds the job whole", () => {
    // Job 12, 7 cores: no node in use has 7 free. By free cores: node 1 (6), node 2 (5), node 0 (2);
    // 6 + 1 from the first two, so no idle node is taken: [1, 2].
    const view = packed([queuedJob({ id: 12, cores: 7 })]);
    const starts = startsOf(view);
    expect(starts.map((d) => [d.jobId, d.nodes])).toEqual([[12, [1, 2]]]);
    expect(place(view.queue[0], view.pools[0], "cpu", view, starts[0].nodes)!.map((t) => [t.node, t.cores])).toEqual([
      [1, 6],
      [2, 1],
    ]);
  });

  it("policyConsolidate() gives a job holding whole nodes the lowest-id idle nodes only", () => {
    // Job 13 asks for whole nodes (exclusive), 8 cores: one idle node, node 3.
    const view = packed([queuedJob({ id: 13, cores: 8, exclusive: true })]);
    expect(startsOf(view).map((d) => [d.jobId, d.nodes])).toEqual([[13, [3]]]);
  });
});

describe("policyConsolidate() reserve", () => {
  // 3 nodes, idle_s 0. J1: submit 0, 100 s; J2: submit 50, 50 s; 1 core each.
  // keep_on 1:
  //   0    J1 on node 0; node 1 stays on as the reserve; node 2 switches off (off from 5)
  //   50   J2 starts on node 1 at once; the reserve is gone: node 2 switches on (ready 70)
  //   100  J1 and J2 end; node 0 stays on as the reserve, nodes 1 and 2 switch off (end 105)
  //   IT power: [0, 5) 400; [5, 50) 310; [50, 70) 550; [70, 100) 500; [100, 105) 300; then 120 W
  //   (node 0 idle, two off). Over [0, 125]: 2000 + 13950 + 11000 + 15000 + 1500 + 20 * 120 = 45850 J.
  // keep_on 0:
  //   0    J1 on node 0; nodes 1 and 2 switch off
  //   50   J2 needs a node: node 1 switches on, J2 starts at 70 (waits 20 s), ends 120
  //   100  node 0 switches off; 120 node 1 switches off; end 125
  //   IT power: [0, 5) 400; [5, 50) 220; [50, 70) 360; [70, 100) 410; [100, 105) 310;
  //   [105, 120) 220; [120, 125) 120: 2000 + 9900 + 7200 + 12300 + 1550 + 3300 + 600 = 36850 J.
  // The reserve costs 9000 J and saves J2's 20 s wait.
  const jobs = [job(1, 0, 100, 100, 1), job(2, 50, 50, 50, 1)];

  it("policyConsolidate({keep_on: 1}) keeps one idle node on so a new job starts without waiting, at an energy cost", async () => {
    const policy = recordingIdle(policyConsolidate({ ...FIG, idle_s: 0, keep_on: 1 }));
    const kept = await runTiny(onePool(3), policy, jobs);
    expect(powerDecisions(policy.calls)).toEqual([
      [0, "off", [2]],
      [50, "on", [2]],
      [100, "off", [1, 2]],
    ]);
    expect(starts(kept)).toEqual(new Map([[1, 0], [2, 50]]));
    expect(powerProfile(kept)).toEqual([
      [0, 5, 400],
      [5, 50, 310],
      [50, 70, 550],
      [70, 100, 500],
      [100, 105, 300],
    ]);
    const none = await runTiny(onePool(3), policyConsolidate({ ...FIG, idle_s: 0 }), jobs);
    expect(starts(none)).toEqual(new Map([[1, 0], [2, 70]]));
    expect(none.result.end).toBe(125);
    expect(energyUntil(kept, 125, 120)).toBe(45850);
    expect(energyUntil(none, 125, 0)).toBe(36850);
    expect(totalWait(none) - totalWait(kept)).toBe(20);
  });
});

describe("policyConsolidate() power states", () => {
  const jobs = [job(1, 0, 100, 100, 1), job(2, 300, 10, 10, 1)];

  it("policyConsolidate({state: 'sleep'}) on a pool without a sleep state leaves the pool on: the view says it lacks the state", async () => {
    const policy = recordingIdle(policyConsolidate({ ...FIG, idle_s: 0, state: "sleep" }));
    const r = await runTiny(onePool(2), policy, jobs);
    expect(r.result.refusals).toEqual({});
    expect(powerDecisions(policy.calls)).toEqual([]);
    const easy = await runTiny(onePool(2), policyEasyBackfill(), jobs);
    expect(starts(r)).toEqual(starts(easy));
    expect(r.result.end).toBe(310);
  });

  it("policyConsolidate({state: 'sleep'}) puts idle nodes to sleep on a pool that has the state", async () => {
    const base = onePool(2, undefined);
    const platform: PlatformModel = { ...base, pools: [{ ...base.pools[0], sleep: { ...OFF, watts: 30 } }] };
    const policy = recordingIdle(policyConsolidate({ ...FIG, off_w: 30, idle_s: 0, state: "sleep" }));
    const r = await runTiny(platform, policy, jobs);
    expect(r.result.refusals).toEqual({});
    const asleep = policy.calls.flatMap((c) => c.happened.flatMap((e) => (e.kind === "nodesSwitched" && e.state === NodeState.Sleep ? [[c.now, e.nodes[0]]] : [])));
    // node 1 asleep at 0 + 5 s, node 0 at 100 + 5; J2 (300 s) wakes node 0 (ready 320),
    // runs 320-330, and node 0 is asleep again at 335.
    expect(asleep).toEqual([[5, 1], [105, 0], [335, 0]]);
    expect(starts(r)).toEqual(new Map([[1, 0], [2, 320]]));
  });
});

describe("policyConsolidate() on random workloads", () => {
  const NODES = 6;
  const workload = fc
    .array(fc.record({ gap: fc.integer({ min: 0, max: 120 }), runtime: fc.integer({ min: 1, max: 200 }), over: fc.integer({ min: 0, max: 100 }), cores: fc.integer({ min: 1, max: NODES }) }), { minLength: 1, maxLength: 25 })
    .map((rows) => {
      let t = 0;
      return rows.map((r, i): JobSpec => {
        t += r.gap;
        return job(i + 1, t, r.runtime, r.runtime + r.over, r.cores);
      });
    });

  it("policyConsolidate({idle_s: Infinity}) starts every job when EASY does and switches nothing", async () => {
    await fc.assert(
      fc.asyncProperty(workload, async (jobs) => {
        const policy = recordingIdle(policyConsolidate({ ...FIG, idle_s: Infinity }));
        const r = await runTiny(onePool(NODES), policy, jobs);
        const easy = await runTiny(onePool(NODES), policyEasyBackfill(), jobs);
        expect(starts(r)).toEqual(starts(easy));
        expect(powerDecisions(policy.calls)).toEqual([]);
      }),
      { numRuns: 60, seed: 7 },
    );
  });

  it("policyConsolidate() decides the same when a store gives its state back (a JSON copy) before every pass, and ends gaps with null", async () => {
    // The state as a live world's store keeps it: written as JSON after each pass, read back before the next.
    const stored = <S>(inner: Policy<S>): Policy<S> & { last: () => S | undefined } => {
      let kept: string | undefined;
      return {
        ...inner,
        decide(view: ClusterView, happened: readonly WorldEvent[], state: S) {
          const copy = JSON.parse(kept ?? JSON.stringify(state)) as S;
          const out = inner.decide(view, happened, copy);
          kept = JSON.stringify(copy);
          return out;
        },
        last: () => (kept === undefined ? undefined : (JSON.parse(kept) as S)),
      };
    };
    await fc.assert(
      fc.asyncProperty(workload, fc.constantFrom(0, 10, undefined), async (jobs, idleS) => {
        const memory = recordingIdle(policyConsolidate({ ...FIG, idle_s: idleS }));
        const inner = stored(policyConsolidate({ ...FIG, idle_s: idleS }));
        const store = recordingIdle(inner);
        await runTiny(onePool(NODES), memory, jobs);
        await runTiny(onePool(NODES), store, jobs);
        expect(store.calls.map((c) => [c.now, c.decisions])).toEqual(memory.calls.map((c) => [c.now, c.decisions]));
        for (const g of Object.values(inner.last()?.gapStart ?? {})) expect(g === null || typeof g === "number").toBe(true);
      }),
      { numRuns: 60, seed: 13 },
    );
  });

  it("policyConsolidate() decides the same with the world's index of idle nodes (view.nextIdle) as when it asks every node (a view without one)", async () => {
    // The simulator's view offers nextIdle; a live world's need not. Two pools, the second across a 32-node word.
    const noIndex = <S>(inner: Policy<S>): Policy<S> => ({
      ...inner,
      decide: (view: ClusterView, happened: readonly WorldEvent[], state: S) => inner.decide(Object.create(view, { nextIdle: { value: undefined } }) as ClusterView, happened, state),
    });
    const two = tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0.3 }], [
      { nodes: NODES, cores: 2, idle: 100, max: 200, off: OFF },
      { nodes: 34, cores: 1, idle: 90, max: 180, off: OFF },
    ]);
    let indexed = 0;
    await fc.assert(
      fc.asyncProperty(workload, fc.integer({ min: 0, max: 2 }), fc.constantFrom(0, 10, undefined), async (jobs, keepOn, idleS) => {
        const params = { ...FIG, keep_on: keepOn, idle_s: idleS };
        const plain = recording(policyConsolidate(params), (view) => (indexed += view.nextIdle ? 1 : 0));
        const asking = recording(noIndex(policyConsolidate(params)));
        await runTiny(two, plain, jobs);
        await runTiny(two, asking, jobs);
        expect(asking.calls.map((c) => [c.now, c.decisions])).toEqual(plain.calls.map((c) => [c.now, c.decisions]));
      }),
      { numRuns: 80, seed: 19 },
    );
    expect(indexed).toBeGreaterThan(0);
  });

  it("policyConsolidate() decides the same when it makes its wake plan before EASY in calm passes too (no node off, asleep or switching)", async () => {
    // In a calm pass the plan is made after EASY, and only when its claims of idle nodes count: that must change nothing.
    // One pool of one-core nodes, and two pools of 2-core nodes with one job in three holding whole nodes.
    const two = tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0.3 }], [
      { nodes: NODES, cores: 2, idle: 100, max: 200, off: OFF },
      { nodes: 3, cores: 2, idle: 90, max: 180, off: OFF },
    ]);
    let calmWithIdle = 0;
    const calmPass = (view: ClusterView) =>
      view.queue.length > 0 && view.pools.every((p) => p.sleepingNodes === 0 && p.wakingNodes === 0) && view.pools.some((p) => p.freeNodes > 0);
    await fc.assert(
      fc.asyncProperty(workload, fc.boolean(), fc.integer({ min: 0, max: 2 }), fc.constantFrom(0, 10, 300, undefined), async (jobs, twoPools, keepOn, idleS) => {
        const params = { ...FIG, keep_on: keepOn, idle_s: idleS };
        const platform = twoPools ? two : onePool(NODES);
        const work = twoPools ? jobs.map((j, i) => (i % 3 === 0 ? { ...j, exclusive: true } : j)) : jobs;
        const late = recording(policyConsolidate(params), (view) => (calmWithIdle += calmPass(view) ? 1 : 0));
        const first = recording(policyConsolidate(params, { planFirst: true }));
        await runTiny(platform, late, work);
        await runTiny(platform, first, work);
        expect(late.calls.map((c) => [c.now, c.decisions])).toEqual(first.calls.map((c) => [c.now, c.decisions]));
      }),
      { numRuns: 120, seed: 23 },
    );
    expect(calmWithIdle).toBeGreaterThan(100);
  });

  it("policyConsolidate() schedules the same whether jobs hold their one-core nodes whole (an exclusive pool) or share them", async () => {
    // On one-core nodes a job of c cores takes c nodes either way, so the start times and nodes must not depend on
    // whether EASY's reservation counts idle nodes (whole nodes) or cores (shared). It did, with the waking nodes
    // shown to EASY holding no node (see consolidate-waking.test.ts for the cases worked by hand).
    const pool = (sharing: "exclusive" | "shared") => tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0.3 }], [{ nodes: NODES, cores: 1, idle: 100, max: 200, off: OFF, sharing }]);
    const schedule = (r: TinyRun) => [...r.facts.values()].map((f) => [f.job.id, f.start, f.allocation.map((a) => a.node)]).sort((a, b) => (a[0] as number) - (b[0] as number));
    await fc.assert(
      fc.asyncProperty(workload, fc.integer({ min: 0, max: 1 }), fc.constantFrom(0, 10, undefined), async (jobs, keepOn, idleS) => {
        const params = { ...FIG, keep_on: keepOn, idle_s: idleS };
        const whole = await runTiny(pool("exclusive"), policyConsolidate(params), jobs);
        const shared = await runTiny(pool("shared"), policyConsolidate(params), jobs);
        expect(whole.result.jobsFinished).toBe(jobs.length);
        expect(schedule(whole)).toEqual(schedule(shared));
      }),
      { numRuns: 100, seed: 17 },
    );
  });

  it("policyConsolidate() finishes every job and is never refused when some jobs hold whole nodes of a pool others share", async () => {
    // 2-core nodes, one job in three asking whole nodes (--exclusive): the wake plan counts their supply in whole nodes.
    const pool = tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0.3 }], [{ nodes: NODES, cores: 2, idle: 100, max: 200, off: OFF }]);
    await fc.assert(
      fc.asyncProperty(workload, fc.integer({ min: 0, max: 2 }), fc.constantFrom(0, 10, undefined), async (jobs, keepOn, idleS) => {
        const mixed = jobs.map((j, i) => (i % 3 === 0 ? { ...j, exclusive: true } : j));
        const policy = recordingIdle(policyConsolidate({ ...FIG, keep_on: keepOn, idle_s: idleS }));
        const r = await runTiny(pool, policy, mixed);
        expect(r.result.jobsFinished).toBe(jobs.length);
        expect(r.result.refusals).toEqual({});
        for (const f of r.facts.values()) expect(f.start).toBeGreaterThanOrEqual(f.job.submit);
      }),
      { numRuns: 100, seed: 19 },
    );
  });

  it("policyConsolidate() finishes every job, names only idle nodes, is never refused and explains every power decision", async () => {
    await fc.assert(
      fc.asyncProperty(workload, fc.integer({ min: 0, max: 2 }), fc.constantFrom(0, 10, undefined), async (jobs, keepOn, idleS) => {
        const policy = recordingIdle(policyConsolidate({ ...FIG, keep_on: keepOn, idle_s: idleS }));
        const r = await runTiny(onePool(NODES), policy, jobs);
        expect(r.result.jobsFinished).toBe(jobs.length);
        expect(r.result.refusals).toEqual({});
        expect(policy.idleNamed.every(Boolean)).toBe(true);
        for (const c of policy.calls) for (const d of c.decisions) if (d.kind === "setPowerState") expect(d.why?.reason).toBeTruthy();
        for (const f of r.facts.values()) expect(f.start).toBeGreaterThanOrEqual(f.job.submit);
      }),
      { numRuns: 100, seed: 11 },
    );
  });
});
