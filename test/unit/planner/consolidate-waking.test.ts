/**
 * policyConsolidate hands the queue to EASY with the nodes it is switching on
 * shown as running jobs that end when the node is on (stand-ins). A head job
 * that holds whole nodes (an exclusive pool, or a job asking --exclusive) gets
 * its reservation from the time enough nodes are idle (common.ts idleNodesAt),
 * which counts the nodes each running entry frees. A stand-in must free its
 * one node there, as it frees its cores in the core count: one that freed no
 * node left such a head without a reservation, and a long job was backfilled
 * onto the idle node the head was waiting to use. And the wake plan, which
 * decides what to switch on, must count a whole-node job's supply in whole
 * nodes: cores free on nodes that other jobs use are no use to it.
 *
 * Schedules worked by hand on one pool of 4 nodes (ids 0..3), switch-on 20 s
 * (FIG), break-even idle time BE = 3250 / 90 s (about 36.1 s), beside EASY on
 * the same jobs with every node left on. (consolidate.test.ts checks the
 * same on random workloads: on one-core nodes a schedule must not depend on
 * whether jobs hold their nodes whole.)
 */
import { describe, expect, it } from "vitest";
import { policyEasyBackfill } from "../../../src/planner/index.js";
import { policyConsolidate } from "../../../src/planner/policies/consolidate.js";
import type { JobSpec } from "../../../src/io/spec.js";
import { job, tinyPlatform } from "../../helpers/tinyPlatform.js";
import { runTiny } from "../../helpers/runTiny.js";
import { recording } from "../../helpers/recording.js";
import { OFF, FIG, whole, starts, nodesOf, decisions, switchedOn } from "../../helpers/consolidate.js";


/** 4 nodes of `cores` cores; "exclusive": every job holds whole nodes. */
const platform = (sharing: "exclusive" | "shared", cores = 1) => tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0.3 }], [{ nodes: 4, cores, idle: 100, max: 200, off: OFF, sharing }]);



describe("policyConsolidate(): a head holding whole nodes reserves on the nodes being switched on", () => {
  // J1 (0 s, 1 node, runs 1000 s) on node 0, J2 (0 s, 1 node, 30 s) on node 1.
  //   BE (36.1)  nodes 2 and 3, idle since 0, switch off (off from 41.1); node 1, idle since 30, would at 66.1.
  //   50         J3 arrives: 3 nodes for 100 s; J4 (at 50 or 51): 1 node for 500 s.
  //              J3's wake plan: node 1 idle now, J1's node not before 1000: nodes 2 and 3 are switched on
  //              at 50, ready at 70, and J3 is to start then. J4 could only start at J1's end (1000).
  //              EASY: J3 does not fit (1 idle node). Its reservation: the node idle now and the two
  //              waking nodes, idle at 70, and 3 cores free then: shadow time 70, no extra core. J4 would
  //              end at 550 > 70 and needs a core of the reserved 3: not backfilled.
  //   70         nodes 2 and 3 on: J3 starts on [1, 2, 3], ends 170. J4 does not fit.
  //   170        J3 ends: J4 starts on node 1 (lowest id), ends 670.
  // Consolidate starts J3 and J4 each 20 s (the switch-on) after EASY with every node on, which starts J3
  // at 50 on the idle nodes 1-3 and J4 at J3's end, 150.
  // With stand-ins that freed no node the head's nodes were never all idle (only J1's at 1000): no
  // reservation, J4 started at 50 on node 1, and J3 waited for J4's end (550).
  const jobs = (j4Submit: number, wrap: (j: JobSpec) => JobSpec = (j) => j, cores = 1): JobSpec[] => [
    job(1, 0, 1000, 1000, cores),
    job(2, 0, 30, 30, cores),
    wrap(job(3, 50, 100, 100, 3 * cores)),
    job(4, j4Submit, 500, 500, cores),
  ];

  it("policyConsolidate() on an exclusive pool reserves J3 at 70 on the nodes it switched on in the same pass: J4 waits for J3", async () => {
    const policy = recording(policyConsolidate(FIG));
    const r = await runTiny(platform("exclusive"), policy, jobs(50));
    expect(switchedOn(policy.calls)).toEqual([[50, [2, 3]]]);
    expect(starts(r)).toEqual(new Map([[1, 0], [2, 0], [3, 70], [4, 170]]));
    expect(nodesOf(r, 3)).toEqual([1, 2, 3]);
    expect(nodesOf(r, 4)).toEqual([1]);
    expect(r.result.refusals).toEqual({});
    const easy = await runTiny(platform("exclusive"), policyEasyBackfill(), jobs(50));
    expect(starts(easy)).toEqual(new Map([[1, 0], [2, 0], [3, 50], [4, 150]]));
  });

  it("policyConsolidate() on an exclusive pool reserves J3 at 70 on nodes already waking when J4 arrives (51)", async () => {
    // At 51 nodes 2 and 3 are switching on (ready at 70): the stand-ins come from the view's waking nodes.
    const policy = recording(policyConsolidate(FIG));
    const r = await runTiny(platform("exclusive"), policy, jobs(51));
    expect(switchedOn(policy.calls)).toEqual([[50, [2, 3]]]);
    expect(starts(r)).toEqual(new Map([[1, 0], [2, 0], [3, 70], [4, 170]]));
    expect(r.result.refusals).toEqual({});
  });

  it("policyConsolidate() reserves the same for a job asking whole nodes (--exclusive) on a shared pool of 2-core nodes", async () => {
    // The same in cores x 2: J1 and J2 take 2 cores (a node each), J3 asks 6 cores as 3 whole nodes,
    // J4 2 cores. At 50 J3's need: 3 idle nodes and 6 cores, met at 70 with no extra core.
    const policy = recording(policyConsolidate(FIG));
    const r = await runTiny(platform("shared", 2), policy, jobs(50, whole, 2));
    expect(switchedOn(policy.calls)).toEqual([[50, [2, 3]]]);
    expect(starts(r)).toEqual(new Map([[1, 0], [2, 0], [3, 70], [4, 170]]));
    expect(nodesOf(r, 3)).toEqual([1, 2, 3]);
    expect(r.result.refusals).toEqual({});
  });

  it("policyConsolidate() gives a head counted in cores (nodes shared) the same reservation", async () => {
    // Control: J3 asks 3 cores of 1-core nodes that jobs share. Its reservation counts cores alone (1 free,
    // then 1 per waking node at 70): the same schedule, with or without nodes named on the stand-ins.
    const r = await runTiny(platform("shared"), policyConsolidate(FIG), jobs(50));
    expect(starts(r)).toEqual(new Map([[1, 0], [2, 0], [3, 70], [4, 170]]));
  });
});

describe("policyConsolidate(): a head holding whole nodes reserves on a node it plans to switch on later", () => {
  // J1, J2 (0 s, 1 node, 1000 s) on nodes 0 and 1; J3 (0 s, 1 node, 30 s) on node 2.
  //   BE (36.1)  node 3, idle since 0, switches off; node 2 (idle since 30) would at 66.1.
  //   50         J4 arrives: all 4 nodes for 100 s; J5: 1 node for 2000 s.
  //              J4's wake plan: node 2 idle now, nodes 0 and 1 at 1000: with node 3 on, 4 nodes at 1000.
  //              Switching node 3 on now would not start J4 sooner, so it is planned just in time:
  //              wakeAt 980 and a stand-in node on at 1000. EASY: J4's reservation, 4 nodes idle and 4
  //              cores free at 1000 (node 2, J1's, J2's and the planned node): shadow time 1000, no extra
  //              core. J5 would end at 2050 > 1000: not backfilled; node 2 stays on for J4.
  //   980        node 3 switched on, ready at 1000.
  //   1000       J1 and J2 end, node 3 on: J4 starts on [0, 1, 2, 3], ends 1100; J5 starts at 1100.
  // EASY with every node on decides the same: J4 at 1000 (node 3 idle all along), J5 at 1100.
  // With the planned stand-in freeing no node, the head's nodes were never all idle (3 of 4):
  // no reservation, J5 started at 50 on node 2, and J4 waited for its end (2050).
  const jobs = [job(1, 0, 1000, 1000, 1), job(2, 0, 1000, 1000, 1), job(3, 0, 30, 30, 1), job(4, 50, 100, 100, 4), job(5, 50, 2000, 2000, 1)];

  it("policyConsolidate() on an exclusive pool reserves J4 at 1000 with node 3 planned on at 980: J5 waits", async () => {
    const policy = recording(policyConsolidate(FIG));
    const r = await runTiny(platform("exclusive"), policy, jobs);
    expect(decisions(policy.calls).filter(([t, d]) => t === 50 && d.kind !== "setPowerState")).toEqual([[50, { kind: "wakeAt", time: 980 }]]);
    expect(switchedOn(policy.calls)).toEqual([[980, [3]]]);
    expect(starts(r)).toEqual(new Map([[1, 0], [2, 0], [3, 0], [4, 1000], [5, 1100]]));
    expect(nodesOf(r, 4)).toEqual([0, 1, 2, 3]);
    expect(r.result.refusals).toEqual({});
    const easy = await runTiny(platform("exclusive"), policyEasyBackfill(), jobs);
    expect(starts(easy)).toEqual(starts(r));
  });
});

describe("policyConsolidate(): a job holding whole nodes beside jobs that share them", () => {
  // 4 nodes of 2 cores that jobs share. J1 (0 s, 1 core, 1000 s), J2 (0 s, 2 cores, 30 s),
  // J3 (5 s, 1 core, 1000 s), J4 (50 s, 4 cores as 2 whole nodes, --exclusive, 100 s).
  //   0      J1 on node 0 (lowest idle); J2 fills node 0's free core, then one of node 1: [0, 1].
  //   5      J3: the fullest node in use that holds it, node 1: [1].
  //   30     J2 ends: nodes 0 and 1 have a core free each (J1, J3 on them).
  //   BE     nodes 2 and 3, idle since 0, switch off (off from BE + 5).
  //   50     J4 needs 2 idle nodes. The 2 free cores are on nodes in use and no use to it; J1 and J3
  //          share their nodes, so their ends (1000, 1005) free nodes for it only as EASY finds then.
  //          Both off nodes are switched on at 50, ready at 70; EASY reserves J4 at 70 (the two
  //          waking nodes idle then).
  //   70     J4 starts on [2, 3], ends 170.
  // EASY with every node on starts J4 at 50 on [2, 3]: consolidate adds the 20 s switch-on.
  // The wake plan used to count the 2 free cores on nodes 0 and 1 as half of J4's need: it switched
  // on node 2 alone, and J4 waited for J1's end (1000) to start on [0, 2], node 2 idle from 70.
  const plat = tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0.3 }], [{ nodes: 4, cores: 2, idle: 100, max: 200, off: OFF, sharing: "shared" }]);
  const jobs = [job(1, 0, 1000, 1000, 1), job(2, 0, 30, 30, 2), job(3, 5, 1000, 1000, 1), whole(job(4, 50, 100, 100, 4))];

  it("policyConsolidate() switches on both nodes a whole-node job needs, not counting cores free on nodes in use", async () => {
    const policy = recording(policyConsolidate(FIG));
    const r = await runTiny(plat, policy, jobs);
    expect(switchedOn(policy.calls)).toEqual([[50, [2, 3]]]);
    expect(starts(r)).toEqual(new Map([[1, 0], [2, 0], [3, 5], [4, 70]]));
    expect([1, 2, 3, 4].map((id) => nodesOf(r, id))).toEqual([[0], [0, 1], [1], [2, 3]]);
    expect(r.result.refusals).toEqual({});
    const easy = await runTiny(plat, policyEasyBackfill(), jobs);
    expect(starts(easy).get(4)).toBe(50);
  });
});
