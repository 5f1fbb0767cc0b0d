/**
 * Campaign target policy, worked by hand.
 *
 * Platform: two sites of PUE 1, each with one pool of four 1-core nodes (50 W
 * idle, 100 W at full load): site "dirty" (pool 0, first in platform order, so
 * EASY's first fit) at 0.5 kg CO2e/kWh and site "clean" (pool 1) at 0.1. Slots of
 * 3600 s from the plan's start (t = 0). A 1-core job of 1800 s is 0.5 node-hours;
 * at 100 W a node-hour is 0.1 kWh, so it costs 0.05 kg on dirty, 0.01 kg on clean.
 *
 * Green jobs (QoS "green", max_delay 7200 s, 1800 s): latest start 7200, so the
 * LP window covers slots [0, ceil((7200 + 1800) / 3600)) = [0, 3). Three of them
 * form one class of 1.5 node-hours; clean's cells cost 0.01 kg per node-hour in
 * every slot (earliest wins ties), so the LP puts all 1.5 in (clean, slot 0):
 * impact 1.5 x 0.01 = 0.015 kg, and each job starts at once on pool 1 (EASY alone
 * would start them on pool 0). Use-phase CC per job: 100 x 1800 x 0.1 / 3.6e6 = 0.005 kg.
 *
 * Shifting in time: site "b" at 0.5 until 3600 and 0.1 from then (ccSeries), site
 * "a" at 0.5 throughout. The cheapest cells are (b, 1) and (b, 2) at 0.01 kg per
 * node-hour; (b, 1) holds 4 node-hours, so the plan is 1.5 node-hours in (b, 1).
 * Slot 0 has no room for the class anywhere: each job is deferred to 3600 (slot
 * 1), and starts there on pool 1.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { N_COORDS, PHASE_INDEX, categoryIndex } from "../../../src/core/categories.js";
import type { JobSpec, QosSpec } from "../../../src/io/spec.js";
import { policyCampaignTarget } from "../../../src/planner/policies/campaignTarget.js";
import { policyEasyBackfill } from "../../../src/planner/policies/easy.js";
import type { Policy } from "../../../src/planner/view.js";
import { recordDecisions, runTiny } from "../../helpers/runTiny.js";
import { ccSeries, job, tinyPlatform } from "../../helpers/tinyPlatform.js";

const USE_CC = PHASE_INDEX.use * N_COORDS + categoryIndex("CC");
const END = 1e6;
const node = { nodes: 4, cores: 1, idle: 50, max: 100 };

/** Site 0 "dirty" at 0.5 kg/kWh, site 1 "clean" at 0.1, four nodes each. */
const twoSites = (nodes = 4) =>
  tinyPlatform([{ id: "dirty", pue: 1, kgPerKwh: 0.5 }, { id: "clean", pue: 1, kgPerKwh: 0.1 }], [{ ...node, nodes, site: 0 }, { ...node, nodes, site: 1 }]);
/** Site 0 "a" at 0.5; site 1 "b" at 0.5 until 3600 and 0.1 from then. */
const laterClean = () =>
  tinyPlatform(
    [{ id: "a", pue: 1, kgPerKwh: 0.5 }, { id: "b", pue: 1, kgPerKwh: ccSeries([0, 3600], [0.5, 0.1], END) }],
    [{ ...node, site: 0 }, { ...node, site: 1 }],
  );
const qos = (name: string, max_delay_s: number, extra: Partial<QosSpec> = {}): QosSpec => ({ name, max_delay_s, impact_preference: 1, ...extra });
/** A 1-core job whose walltime is its run time, with an optional QoS. */
const qjob = (id: number, submit: number, runtime: number, q?: QosSpec): JobSpec => ({ ...job(id, submit, runtime, runtime, 1), ...(q ? { qos: q } : {}) });
const green = (id: number, submit = 0, runtime = 1800) => qjob(id, submit, runtime, qos("green", 7200));
const placed = (r: Awaited<ReturnType<typeof runTiny>>, ids: number[]) => ids.map((id) => ({ id, pool: r.facts.get(id)!.pool, start: r.facts.get(id)!.start }));

const decisions = recordDecisions;

describe("policyCampaignTarget()", () => {
  it("policyCampaignTarget() defaults to QoS classes, hourly slots over a week and a daily plan", () => {
    const p = policyCampaignTarget();
    expect(p.name).toBe("campaign");
    expect(p.version).toBe("1");
    expect(p.params).toEqual({ class_of: "qos", slot_s: 3600, horizon_slots: 168, replan_s: 86400 });
    expect(p.currentPlan()).toBeUndefined();
  });

  it("policyCampaignTarget() refuses a bad class_of, slot, horizon or replanning period", () => {
    expect(() => policyCampaignTarget({ class_of: "user" as "qos" })).toThrow('policyCampaignTarget: class_of: expected "qos" or "project", got "user"');
    expect(() => policyCampaignTarget({ slot_s: 0 })).toThrow("policyCampaignTarget: slot_s: expected a finite number of seconds > 0, got 0");
    expect(() => policyCampaignTarget({ horizon_slots: 1.5 })).toThrow("policyCampaignTarget: horizon_slots: expected an integer >= 1, got 1.5");
    expect(() => policyCampaignTarget({ replan_s: -1 })).toThrow("policyCampaignTarget: replan_s: expected a finite number of seconds > 0, got -1");
  });

  it("policyCampaignTarget() plans flexible jobs of one class on the clean site and starts them there at once", async () => {
    const jobs = [green(1), green(2), green(3)];
    const policy = policyCampaignTarget();
    const r = await runTiny(twoSites(), policy, jobs);
    expect(placed(r, [1, 2, 3])).toEqual([1, 2, 3].map((id) => ({ id, pool: 1, start: 0 })));
    for (const id of [1, 2, 3]) expect(r.charges.get(id)!.impacts[USE_CC]).toBeCloseTo((100 * 1800 * 0.1) / 3.6e6, 15);
    const plan = policy.currentPlan()!;
    expect(plan.solver).toBe("lp");
    expect(plan.relaxed).toBe(false);
    expect(plan.classes).toEqual([{ name: "qos:green by slot 3", class: "qos:green", nodeHours: 1.5, deadline: 3, jobs: [1, 2, 3] }]);
    expect(plan.alloc[0][1][0]).toBeCloseTo(1.5, 12);
    expect(plan.impact).toBeCloseTo(0.015, 12);
    // EASY alone: first fit, the dirty site.
    const easy = await runTiny(twoSites(), policyEasyBackfill(), jobs);
    expect(placed(easy, [1, 2, 3]).map((p) => p.pool)).toEqual([0, 0, 0]);
  });

  it("policyCampaignTarget() prices a node-hour at the job's own draw, as the accountant charges it", async () => {
    // Site PUE 1.5 at 0.2 kg/kWh, one node of 4 cores (100 W idle, 200 W busy, linear). A 1-core job of 3600 s.
    // Exclusive pool: it holds the node, which draws 100 + 0.25 x 100 = 125 W (not the 200 W of a full node).
    // The plan: 1 node-hour x 125 W x 3600 s x 1.5 = 675,000 J = 0.1875 kWh x 0.2 = 0.0375 kg.
    const plat = (sharing: "exclusive" | "shared") => tinyPlatform([{ id: "s", pue: 1.5, kgPerKwh: 0.2 }], [{ nodes: 1, cores: 4, idle: 100, max: 200, sharing }]);
    const policy = policyCampaignTarget();
    const r = await runTiny(plat("exclusive"), policy, [qjob(1, 0, 3600, qos("green", 7200))]);
    expect(policy.currentPlan()!.classes[0].nodeHours).toBeCloseTo(1, 15);
    expect(policy.currentPlan()!.impact).toBeCloseTo(0.0375, 15);
    expect(r.charges.get(1)!.impacts[USE_CC]).toBeCloseTo(0.0375, 15);
    // Shared nodes: it holds a quarter of the node, 0.25 node-hours, charged its share: dynamic
    // 125 - 100 = 25 W and static 100 x 1/4 = 25 W, 50 W (200 W per node-equivalent).
    // The plan: 0.25 node-hours x 200 W x 3600 s x 1.5 = 270,000 J = 0.075 kWh x 0.2 = 0.015 kg.
    const shared = policyCampaignTarget();
    const rs = await runTiny(plat("shared"), shared, [qjob(1, 0, 3600, qos("green", 7200))]);
    expect(shared.currentPlan()!.classes[0].nodeHours).toBeCloseTo(0.25, 15);
    expect(shared.currentPlan()!.impact).toBeCloseTo(0.015, 15);
    expect(rs.charges.get(1)!.impacts[USE_CC]).toBeCloseTo(0.015, 15);
  });

  it("policyCampaignTarget() defers flexible jobs to the clean slot of a time-varying site, where they start at 3600", async () => {
    const r = await runTiny(laterClean(), policyCampaignTarget(), [green(1), green(2), green(3)]);
    expect(placed(r, [1, 2, 3])).toEqual([1, 2, 3].map((id) => ({ id, pool: 1, start: 3600 })));
  });

  it("policyCampaignTarget() explains each deferral and each start with the plan: class, site, slot, node-hours, intensity", async () => {
    const got = await decisions(laterClean(), policyCampaignTarget(), [green(1), green(2)]);
    expect(got.map(({ time, d }) => [time, d.kind, "jobId" in d ? d.jobId : undefined])).toEqual([
      [0, "defer", 1],
      [0, "defer", 2],
      [3600, "start", 1],
      [3600, "start", 2],
    ]);
    const defer = got[0].d;
    if (defer.kind !== "defer") throw new Error(`expected a defer, got ${defer.kind}`);
    expect(defer.until).toBe(3600);
    expect(defer.why.reason).toBe(
      "campaign plan (lp, built at 0 s): class qos:green has no planned node-hours left in slot 0 [0, 3600) s at any site; next room: site b, slot 1 [3600, 7200) s, 1 planned node-hours at forecast CC 0.1 kg/kWh (0.5 kg/kWh there now)",
    );
    const e = defer.why.expected!;
    expect(e.until_s).toBe(3600);
    expect(e.slot).toBe(1);
    expect(e.latest_start_s).toBe(7200);
    expect(e.planned_node_hours).toBeCloseTo(1, 12);
    expect(e.intensity_per_kwh).toBeCloseTo(0.1, 12);
    expect(e.intensity_now_per_kwh).toBeCloseTo(0.5, 12);
    expect(defer.why.alternatives!.map((a) => [a.option, a.expected.remaining_node_hours])).toEqual([
      ["start now at site a", 0],
      ["start now at site b", 0],
    ]);
    // The first start finds the class's whole 1 node-hour left, the second the 0.5 the first left.
    const start = got[2].d;
    if (start.kind !== "start") throw new Error(`expected a start, got ${start.kind}`);
    expect(start.pool).toBe(1);
    expect(start.why!.reason).toBe("campaign plan (lp, built at 0 s): class qos:green has 1 planned node-hours left at site b in slot 1 [3600, 7200) s, forecast CC 0.1 kg/kWh");
    expect(start.why!.expected).toMatchObject({ slot: 1, slot_start_s: 3600, job_node_hours: 0.5, latest_start_s: 7200 });
    expect(got[3].d.kind === "start" && got[3].d.why!.expected!.remaining_node_hours).toBeCloseTo(0.5, 12);
  });

  it("policyCampaignTarget() starts a job without flexibility (max_delay_s 0) now, outside the plan", async () => {
    // The urgent job is left out of the plan and runs at once under EASY (first fit: pool 0); the green one waits.
    const policy = policyCampaignTarget();
    const r = await runTiny(laterClean(), policy, [qjob(1, 0, 1800, qos("urgent", 0)), green(2)]);
    expect(placed(r, [1, 2])).toEqual([{ id: 1, pool: 0, start: 0 }, { id: 2, pool: 1, start: 3600 }]);
    expect(policy.currentPlan()!.classes.map((c) => c.jobs)).toEqual([[2]]);
  });

  it("policyCampaignTarget() never starts a job later than its allowed delay, even when the plan's room is later", async () => {
    // 3600 s job, max_delay 1800: latest start 1800; LP window [0, ceil((1800 + 3600) / 3600)) = [0, 2).
    // Cheapest cell (b, 1) at 0.1 kg/kWh: the plan's room is at 3600, after the latest start, so the job
    // is deferred only to 1800 and starts there regardless of the plan (on pool 0, EASY's first fit).
    const got = await decisions(laterClean(), policyCampaignTarget(), [qjob(1, 0, 3600, qos("green", 1800))]);
    expect(got.map(({ time, d }) => [time, d.kind, d.kind === "defer" ? d.until : d.kind === "start" ? d.pool : undefined])).toEqual([
      [0, "defer", 1800],
      [1800, "start", 0],
    ]);
    const [defer, start] = got.map((g) => g.d);
    expect(defer.kind === "defer" && defer.why.reason).toMatch(/; next room: site b, slot 1 \[3600, 7200\) s, 1 planned node-hours .*; deferred only to its latest allowed start 1800 s$/);
    expect(start.kind === "start" && start.why!.reason).toBe(
      "campaign plan (lp, built at 0 s): latest allowed start 1800 s of class qos:green reached; starts as soon as possible at any site, whatever the plan holds",
    );
  });

  it("policyCampaignTarget() with ample capacity never starts a job after its allowed delay (random workloads)", async () => {
    const workload = fc.record({
      kg: fc.array(fc.double({ min: 0.01, max: 0.6, noNaN: true }), { minLength: 4, maxLength: 4 }),
      jobs: fc.array(
        fc.record({ gap: fc.integer({ min: 0, max: 4000 }), runtime: fc.integer({ min: 1, max: 6000 }), delay: fc.option(fc.integer({ min: 0, max: 20000 }), { nil: undefined }) }),
        { minLength: 1, maxLength: 12 },
      ),
    });
    await fc.assert(
      fc.asyncProperty(workload, async ({ kg, jobs }) => {
        const plat = tinyPlatform(
          [{ id: "a", pue: 1.2, kgPerKwh: ccSeries([0, 3600], kg.slice(0, 2), END) }, { id: "b", pue: 1.1, kgPerKwh: ccSeries([0, 5400], kg.slice(2), END) }],
          [{ ...node, nodes: jobs.length, site: 0 }, { ...node, nodes: jobs.length, site: 1 }],
        );
        let submit = 0;
        const specs = jobs.map((j, i) => qjob(i + 1, (submit += j.gap), j.runtime, j.delay === undefined ? undefined : qos(j.delay > 10000 ? "slow" : "fast", j.delay)));
        const slotS = 1800;
        const horizon = 16;
        const r = await runTiny(plat, policyCampaignTarget({ slot_s: slotS, horizon_slots: horizon, replan_s: 7200 }), specs);
        expect(r.result.jobsNeverStarted).toBe(0);
        for (const s of specs) {
          const start = r.facts.get(s.id)!.start;
          expect(start).toBeGreaterThanOrEqual(s.submit);
          expect(start).toBeLessThanOrEqual(s.submit + (s.qos ? s.qos.max_delay_s : horizon * slotS));
        }
      }),
      { numRuns: 40, seed: 4 },
    );
  });

  it("policyCampaignTarget() runs a job that arrives after the plan as soon as possible, and plans it at the next replan", async () => {
    // Job 2 arrives at 100, after the plan built at 0. Default replan_s (86400): EASY's first fit, the dirty
    // site. With replan_s 50 the pass at 100 plans again, and it goes to the clean site.
    const jobs = [green(1), green(2, 100)];
    expect(placed(await runTiny(twoSites(), policyCampaignTarget(), jobs), [1, 2])).toEqual([{ id: 1, pool: 1, start: 0 }, { id: 2, pool: 0, start: 100 }]);
    const policy = policyCampaignTarget({ replan_s: 50 });
    expect(placed(await runTiny(twoSites(), policy, jobs), [1, 2])).toEqual([{ id: 1, pool: 1, start: 0 }, { id: 2, pool: 1, start: 100 }]);
    expect(policy.currentPlan()!.built_s).toBe(100);
  });

  it("policyCampaignTarget() with class_of project groups jobs by project whatever their QoS", async () => {
    const policy = policyCampaignTarget({ class_of: "project" });
    await runTiny(twoSites(), policy, [green(1), { ...qjob(2, 0, 1800, qos("other", 7200)) }]);
    expect(policy.currentPlan()!.classes.map((c) => [c.class, c.jobs])).toEqual([["project:p", [1, 2]]]);
  });

  it("policyCampaignTarget() falls back to planCampaignGreedy above 20,000 LP variables, and records it", async () => {
    // A job without QoS may use the whole horizon: 2 sites x 10001 slots = 20002 variables. Constant
    // intensities: the greedy takes the cheapest, earliest cell, (clean, slot 0).
    const policy = policyCampaignTarget({ horizon_slots: 10001 });
    const r = await runTiny(twoSites(), policy, [qjob(1, 0, 1800)]);
    expect(placed(r, [1])).toEqual([{ id: 1, pool: 1, start: 0 }]);
    const plan = policy.currentPlan()!;
    expect(plan.solver).toBe("greedy");
    expect(plan.variables).toBe(20002);
    expect(plan.reason).toBe("LP not tried: 20002 variables > 20000");
  });

  it("policyCampaignTarget() runs every job as soon as possible when no plan is feasible, and says why", async () => {
    // One node per site, one slot of 3600 s: 2 node-hours in all; three 1-hour green jobs need 3, even with
    // their windows relaxed to the horizon. No plan: EASY starts jobs 1 and 2 at 0. At 3600 the horizon is
    // over and a new plan (job 3 alone, 1 node-hour) puts job 3 on the clean site.
    const policy = policyCampaignTarget({ horizon_slots: 1 });
    const plans: ReturnType<typeof policy.currentPlan>[] = [];
    const watched: Policy = {
      ...policy,
      decide(view, happened) {
        const out = policy.decide(view, happened);
        plans.push(policy.currentPlan());
        return out;
      },
    };
    const r = await runTiny(twoSites(1), watched, [green(1, 0, 3600), green(2, 0, 3600), green(3, 0, 3600)]);
    expect(placed(r, [1, 2, 3])).toEqual([{ id: 1, pool: 0, start: 0 }, { id: 2, pool: 1, start: 0 }, { id: 3, pool: 1, start: 3600 }]);
    const first = plans[0]!;
    expect(first.solver).toBe("none");
    expect(first.reason).toBe(
      'LP and greedy: class "qos:green by slot 1" needs 3 node-hours but its window [0, 1) holds at most 2; with windows over the whole horizon: LP and greedy: class "qos:green by slot 1" needs 3 node-hours but its window [0, 1) holds at most 2',
    );
    expect(plans.at(-1)).toMatchObject({ built_s: 3600, solver: "lp", classes: [{ class: "qos:green", jobs: [3] }] });
  });
});
