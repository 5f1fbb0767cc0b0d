/**
 * EASY and FCFS as run by the simulator, against the independent reference
 * oracle in test/reference (written without seeing src/): random workloads
 * (property test) must give identical start times for every job.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { policyEasyBackfill } from "../../../src/planner/policies/easy.js";
import { policyFcfs } from "../../../src/planner/policies/fcfs.js";
import { referenceEasy, referenceFcfs, type RefJob } from "../../reference/batchReference.js";
import { job, tinyPlatform } from "../../helpers/tinyPlatform.js";
import { runTiny } from "../../helpers/runTiny.js";

const MACHINE = 16;
const platform = () => tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0.1 }], [{ nodes: MACHINE, cores: 1, idle: 50, max: 100 }]);

/** Random workloads; with `grain` > 1 times fall on a coarse grid so predicted ends tie often. */
const workloadOn = (grain: number) => fc
  .array(
    fc.record({
      gap: fc.integer({ min: 0, max: 30 }),
      runtime: fc.integer({ min: 1, max: 200 }),
      over: fc.integer({ min: -50, max: 150 }),
      procs: fc.integer({ min: 1, max: MACHINE }),
    }),
    { minLength: 1, maxLength: 60 },
  )
  .map((rows) => {
    let t = 0;
    return rows.map((r, i): RefJob => {
      t += r.gap * grain;
      const runtime = Math.max(1, Math.round(r.runtime / 10)) * grain;
      // walltime sometimes below runtime (killed), often above (over-estimated)
      const walltime = Math.max(grain, Math.round((r.runtime + r.over) / 10) * grain);
      return { id: i + 1, submit: t, runtime: grain === 1 ? r.runtime : runtime, walltime: grain === 1 ? Math.max(1, r.runtime + r.over) : walltime, procs: r.procs };
    });
  });
const workload = workloadOn(1);

async function simStarts(jobs: RefJob[], policy: "easy" | "fcfs"): Promise<Map<number, number>> {
  const r = await runTiny(platform(), policy === "easy" ? policyEasyBackfill() : policyFcfs(), jobs.map((j) => job(j.id, j.submit, j.runtime, j.walltime, j.procs)), 7);
  return new Map([...r.facts.values()].map((f) => [f.job.id, f.start]));
}

describe("policyEasyBackfill() against the reference oracle", () => {
  it("policyEasyBackfill() starts every job when the reference EASY does, on random workloads", async () => {
    await fc.assert(
      fc.asyncProperty(workload, async (jobs) => {
        expect(await simStarts(jobs, "easy")).toEqual(referenceEasy(jobs, MACHINE));
      }),
      { numRuns: 200, seed: 42 },
    );
  });

  it("policyEasyBackfill() matches the reference when many predicted ends tie", async () => {
    await fc.assert(
      fc.asyncProperty(workloadOn(10), async (jobs) => {
        expect(await simStarts(jobs, "easy")).toEqual(referenceEasy(jobs, MACHINE));
      }),
      { numRuns: 300, seed: 3 },
    );
  });

  it("policyFcfs() starts every job when the reference FCFS does, on random workloads", async () => {
    await fc.assert(
      fc.asyncProperty(workload, async (jobs) => {
        expect(await simStarts(jobs, "fcfs")).toEqual(referenceFcfs(jobs, MACHINE));
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it("policyEasyBackfill() counts every job predicted to end exactly at the shadow time as extra nodes", async () => {
    // 6 nodes. J1 (2 nodes) and J2 (1 node) both predicted to end at 100; 3 free.
    // Head J3 needs 4: at 100, J1 gives 5 >= 4 (shadow 100) and J2, tied, gives 6: extra = 2.
    // J4 (2 nodes, walltime 500) ends after the shadow but fits in the 2 extra: it starts now.
    // Counting only J1 would leave extra = 1 and J4 would wait.
    const p6 = tinyPlatform([{ id: "s", pue: 1, kgPerKwh: 0.1 }], [{ nodes: 6, cores: 1, idle: 50, max: 100 }]);
    const r = await runTiny(p6, policyEasyBackfill(), [job(1, 0, 100, 100, 2), job(2, 0, 100, 100, 1), job(3, 1, 10, 10, 4), job(4, 2, 500, 500, 2)]);
    expect(r.facts.get(4)!.start).toBe(2);
    expect(r.facts.get(3)!.start).toBe(100);
  });
});
