/**
 * policyConsolidate's reserve (keep_on) refills the idle nodes left
 * unclaimed by switching off nodes on; a node the wake plan has set aside to
 * switch on later, just in time for a waiting job, is claimed by that job:
 * the reserve must not switch it on as a spare (it counted it as one while the
 * plan counted it for the job; the job then claimed it as soon as it was on,
 * so it came on early without making the reserve any larger). (Nodes
 * switched on in place of idle nodes that a waiting job was planned on and
 * this pass's starts took may still be those: they are that job's; with
 * keep_on 0 that is all the reserve step does, as before.)
 *
 * Worked by hand on one exclusive pool of 7 one-core nodes (ids 0..6),
 * keep_on 2, switch-on 20 s (FIG), break-even idle time BE = 3250 / 90 s
 * (about 36.1 s).
 */
import { describe, expect, it } from "vitest";
import { policyConsolidate } from "../../../src/planner/policies/consolidate.js";
import { job, tinyPlatform } from "../../helpers/tinyPlatform.js";
import { runTiny } from "../../helpers/runTiny.js";
import { recording } from "../../helpers/recording.js";
import { OFF, FIG, starts, decisions, switched } from "../../helpers/consolidate.js";


const platform = tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0.3 }], [{ nodes: 7, cores: 1, idle: 100, max: 200, off: OFF, sharing: "exclusive" }]);

describe("policyConsolidate({keep_on: 2}): the reserve leaves the node planned to come on just in time", () => {
  // J1 (0 s, 3 nodes, 1000 s) on [0, 1, 2]; J2 (50 s, 6 nodes, 100 s).
  //   0      idle [3, 4, 5, 6]: the reserve keeps 3 and 4; 5 and 6 reach BE at 36.1 and switch off.
  //   50     J2's plan: idle 3, 4 now, J1's 3 nodes at 1000: 5 of 6; with both off nodes on by 70, 4. So at
  //          1000 with one node switched on just in time: node 6 (the high end), wakeAt 980. J2 claims
  //          the idle 3 and 4. Reserve: 0 unclaimed, 1 off node not planned (5): it switches 5 on.
  //   70     node 5 on. J2's plan: idle 3, 4, 5 now and J1's 3 at 1000: 6, nothing to switch on. It
  //          claims the 3 idle nodes; the reserve, 0 unclaimed, switches on the off node left: 6.
  //   1000   J1 ends: J2 starts on [0..5], ends 1100.
  // The reserve used to ask its 2 nodes at 50 from the low end of the off nodes, past those it was left:
  // [5, 6], node 6 too, which the plan had set aside for J2 at 980 (and counted in its 2).
  it("policyConsolidate() switches node 5 on for the reserve at 50, and node 6 only at 70, once no plan holds it", async () => {
    const policy = recording(policyConsolidate({ ...FIG, keep_on: 2 }));
    const r = await runTiny(platform, policy, [job(1, 0, 1000, 1000, 3), job(2, 50, 100, 100, 6)]);
    expect(switched(policy.calls, "off").filter(([t]) => (t as number) < 1000)).toEqual([[3250 / 90, [5, 6]]]);
    expect(decisions(policy.calls).filter(([t, d]) => t === 50 && d.kind === "wakeAt")).toEqual([[50, { kind: "wakeAt", time: 980 }]]);
    expect(switched(policy.calls, "on")).toEqual([
      [50, [5]],
      [70, [6]],
    ]);
    expect(starts(r)).toEqual(new Map([[1, 0], [2, 1000]]));
    expect(r.result.refusals).toEqual({});
  });
});

describe("policyConsolidate() (keep_on 0): idle nodes a waiting job was planned on, taken by a backfilled job, are switched on again elsewhere", () => {
  // 5 one-core nodes (exclusive pool). J1 (0 s, 2 nodes, 1000 s) on [0, 1]; J2, J3 (0 s, 1 node, 45 s) on 2 and 3.
  //   BE     node 4, idle since 0, switches off (36.1).
  //   45     J2, J3 end: nodes 2 and 3 idle.
  //   50     J4 (4 nodes, 100 s) and J5 (1 node, 50 s) arrive. J4's plan: idle 2, 3 now, J1's 2 at 1000: 4 at
  //          1000; by 70 with node 4 on, 3: it waits for 1000 and switches nothing on, claiming 2 and 3.
  //          EASY reserves J4 at 1000 and backfills J5 (ends 100 < 1000) onto node 2. The reserve step
  //          then sees 1 idle node for 2 claimed: node 4 is switched on in place of node 2.
  //   100    J5 ends; J4 starts at 1000 on [0, 1, 2, 3], ends 1100.
  // The decision says why: not "to keep 0 idle node(s) on as a reserve", as it did.
  // (Node 4 was not needed: EASY backfilled J5 only because it ends before J4's start. It stays on,
  // claimed by J4, until 1000: left as it is, see the report of this change.)
  it("policyConsolidate() switches node 4 on at 50 in place of node 2, and says so", async () => {
    const policy = recording(policyConsolidate(FIG));
    const plat = tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0.3 }], [{ nodes: 5, cores: 1, idle: 100, max: 200, off: OFF, sharing: "exclusive" }]);
    const r = await runTiny(plat, policy, [job(1, 0, 1000, 1000, 2), job(2, 0, 45, 45, 1), job(3, 0, 45, 45, 1), job(4, 50, 100, 100, 4), job(5, 50, 50, 50, 1)]);
    expect(switched(policy.calls, "on")).toEqual([[50, [4]]]);
    const why = decisions(policy.calls).flatMap(([t, d]) => (t === 50 && d.kind === "setPowerState" ? [d.why] : []));
    expect(why).toEqual([
      {
        reason: "switched on in place of 1 idle node(s) of pool 0 that waiting jobs were planned on and jobs started now took",
        expected: { keep_on: 0, idle: 1, waking: 0, idle_lost: 1, switch_on_s: 20, switch_on_j: 3000 },
      },
    ]);
    expect(starts(r)).toEqual(new Map([[1, 0], [2, 0], [3, 0], [4, 1000], [5, 50]]));
    expect(r.facts.get(5)!.allocation.map((a) => a.node)).toEqual([2]);
  });
});
