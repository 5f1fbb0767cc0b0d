/**
 * policyConsolidate's wake plan for a job holding whole nodes (an exclusive
 * pool, or --exclusive) beside jobs that share nodes: the end of a shared job
 * that is the last one on a node leaves that node idle, and a whole-node job
 * can use it then (EASY's reservation counts it so: common.ts idleNodesAt).
 * A plan that never counted those ends switched on nodes it did not need, and
 * planned later starts than it could.
 *
 * Schedules worked by hand on one pool of 2-core nodes that jobs share,
 * switch-on 20 s (FIG), break-even idle time BE = (150*20 + 100*5 - 10*25) /
 * (100 - 10) = 3250 / 90 s (about 36.1 s), beside EASY on the same jobs with
 * every node left on. And Supply.sharedWhole, the count the plan reads, on
 * random shared placements against a count of each node's jobs.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { policyEasyBackfill } from "../../../src/planner/index.js";
import { policyConsolidate, Supply } from "../../../src/planner/policies/consolidate.js";
import { RunningReader } from "../../../src/planner/runningReader.js";
import type { ClusterView, RunningJobView } from "../../../src/planner/view.js";
import { job, tinyPlatform } from "../../helpers/tinyPlatform.js";
import { runTiny } from "../../helpers/runTiny.js";
import { recording } from "../../helpers/recording.js";
import { runningJob } from "../../helpers/views.js";
import { OFF, FIG, whole, starts, nodesOf, decisions, switchedOn } from "../../helpers/consolidate.js";


const platform = (nodes: number) => tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0.3 }], [{ nodes, cores: 2, idle: 100, max: 200, off: OFF, sharing: "shared" }]);


describe("policyConsolidate(): a whole-node job counts the node a shared job leaves idle at its end", () => {
  // 4 nodes of 2 cores. J1 (0 s, 2 cores, 1000 s), J2 (0 s, 1 core, 60 s), J3 (50 s, 2 cores as 1 whole node, 100 s).
  //   0      J1 fills node 0 (lowest idle); J2 takes idle node 1 (node 0 is full): alone on it.
  //   BE     nodes 2 and 3, idle since 0, switch off (off from BE + 5 = 41.1).
  //   50     J3 needs 1 idle node. J2 is node 1's only job: its end at 60 leaves node 1 idle, 10 s
  //          away, sooner than a switch-on (ready at 70): nothing is switched on. EASY reserves J3 at 60
  //          (node 1 idle then).
  //   60     J2 ends: J3 starts on node 1, ends 160.
  // The plan used to count no node from J2's end (it shares its node): it saw J3 start at 70 only with a
  // node switched on, so it switched node 2 on at 50; J3 still started at 60 on node 1 (EASY's reservation),
  // and node 2 came on at 70 for nothing: 20 s at 150 W, idle BE s, then switched off again
  // (3000 + 3611 + 500 J, where off it draws 10 W).
  // EASY with every node on starts J3 at 50 on the idle node 2.
  const jobs = [job(1, 0, 1000, 1000, 2), job(2, 0, 60, 60, 1), whole(job(3, 50, 100, 100, 2))];

  it("policyConsolidate() switches nothing on for J3: J2's end frees node 1 at 60, before a switch-on would (70)", async () => {
    const policy = recording(policyConsolidate(FIG));
    const r = await runTiny(platform(4), policy, jobs);
    expect(switchedOn(policy.calls)).toEqual([]);
    expect(starts(r)).toEqual(new Map([[1, 0], [2, 0], [3, 60]]));
    expect([1, 2, 3].map((id) => nodesOf(r, id))).toEqual([[0], [1], [1]]);
    expect(r.result.refusals).toEqual({});
    const easy = await runTiny(platform(4), policyEasyBackfill(), jobs);
    expect(starts(easy).get(3)).toBe(50);
  });
});

describe("policyConsolidate(): a whole-node job counts a shared job's end and switches on only the rest, at once", () => {
  // 3 nodes of 2 cores. J1 (0 s, 2 cores as 1 whole node, 1000 s), J2 (0 s, 1 core, 60 s),
  // J3 (50 s, 4 cores as 2 whole nodes, 100 s).
  //   0      J1 takes node 0 whole; J2 takes idle node 1, alone on it.
  //   BE     node 2, idle since 0, switches off.
  //   50     J3 needs 2 idle nodes: node 1 at 60 (J2's end, its last job), node 0 at 1000 (J1's end).
  //          Waiting: 2 nodes at 1000; with node 2 switched on now (ready 70) and node 1: 2 nodes at
  //          70. Node 2 is switched on at 50. EASY reserves J3 at 70 (node 1 at 60, node 2 at 70).
  //   70     node 2 on: J3 starts on [1, 2], ends 170.
  // The plan used to count no node from J2's end: 1 node at 1000 (J1's) and node 2 were all it saw,
  // so it planned J3 at 1000 with node 2 switched on just in time (wakeAt 980). At J2's end (60) the
  // next pass saw node 1 idle and switched node 2 on then: J3 started at 80, 10 s later.
  // EASY with every node on starts J3 at 60 on [1, 2].
  const jobs = [whole(job(1, 0, 1000, 1000, 2)), job(2, 0, 60, 60, 1), whole(job(3, 50, 100, 100, 4))];

  it("policyConsolidate() switches node 2 on at 50 and starts J3 at 70, with no wake planned at 980", async () => {
    const policy = recording(policyConsolidate(FIG));
    const r = await runTiny(platform(3), policy, jobs);
    expect(switchedOn(policy.calls)).toEqual([[50, [2]]]);
    expect(decisions(policy.calls).filter(([, d]) => d.kind === "wakeAt" && d.time === 980)).toEqual([]);
    expect(starts(r)).toEqual(new Map([[1, 0], [2, 0], [3, 70]]));
    expect([1, 2, 3].map((id) => nodesOf(r, id))).toEqual([[0], [1], [1, 2]]);
    expect(r.result.refusals).toEqual({});
    const easy = await runTiny(platform(3), policyEasyBackfill(), jobs);
    expect(starts(easy).get(3)).toBe(60);
  });
});

describe("Supply.sharedWhole against a count of each node's jobs", () => {
  // Independent of the cores each job frees: as EASY counts them (common.ts idleNodesAt), a node is left
  // idle by the last of its jobs to end (running order); a job sharing its nodes frees those where its
  // end brings the count of their jobs to 0, K cores each.
  const scene = fc
    .record({
      K: fc.integer({ min: 1, max: 4 }),
      nodes: fc.integer({ min: 1, max: 5 }),
      jobs: fc.array(fc.record({ end: fc.constantFrom(10, 20, 20, 30, 40), picks: fc.array(fc.record({ node: fc.nat(4), cores: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 3 }) }), { maxLength: 12 }),
    })
    .map(({ K, nodes, jobs }) => {
      // Place each job's picks where the node has room (cores capped by what is free), dropping what does not fit.
      const used = new Array<number>(nodes).fill(0);
      const running: RunningJobView[] = [];
      jobs.forEach((j, i) => {
        const alloc = new Map<number, number>();
        for (const { node, cores } of j.picks) {
          const n = node % nodes;
          const c = Math.min(cores, K - used[n]);
          if (c <= 0) continue;
          used[n] += c;
          alloc.set(n, (alloc.get(n) ?? 0) + c);
        }
        if (alloc.size === 0) return;
        const allocation = [...alloc].map(([node, cores]) => ({ node, cores, gpus: 0, fpgas: 0, memMb: 0 }));
        const cores = allocation.reduce((a, x) => a + x.cores, 0);
        running.push(runningJob({ id: i + 1, predictedEnd: j.end, cores, allocCores: cores, nodes: [...alloc.keys()], allocation }));
      });
      running.sort((a, b) => a.predictedEnd - b.predictedEnd || a.id - b.id);
      return { K, used, running };
    });

  it("Supply.sharedWhole gives each shared job's end the cores of the nodes it is the last job on", () => {
    fc.assert(
      fc.property(scene, ({ K, used, running }) => {
        const left = new Map<number, number>();
        for (const r of running) for (const n of r.nodes) left.set(n, (left.get(n) ?? 0) + 1);
        const expected = running.map((r) => K * r.nodes.filter((n) => left.set(n, left.get(n)! - 1).get(n) === 0).length);
        const view = { running, nodeFreeCores: (n: number) => K - used[n] } as unknown as ClusterView;
        const s = new Supply();
        s.readyLen = 0;
        s.begin(0, K, 0, 0, 0, new RunningReader().bind(view), view);
        const got: number[] = [];
        for (let i = 0; s.has(i); i++) got.push(s.sharedWhole(i));
        expect(got).toEqual(expected);
      }),
      { numRuns: 300, seed: 18 },
    );
  });
});
