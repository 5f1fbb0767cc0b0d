/**
 * FCFS, EASY and conservative backfilling in the simulator against the
 * independent reference schedulers (test/reference/batchReference.ts), job by
 * job: on one-core nodes, and at core level on nodes of several cores that jobs
 * share (where a job's cores may span nodes, so the machine is one heap of
 * cores, as the reference counts it). Random workloads, and a real trace.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AdjustmentLog } from "../../src/core/errors.js";
import type { JobSpec } from "../../src/io/spec.js";
import { openSwf } from "../../src/io/swf.js";
import { policyConservativeBackfill } from "../../src/planner/policies/conservative.js";
import { policyEasyBackfill } from "../../src/planner/policies/easy.js";
import { policyFcfs } from "../../src/planner/policies/fcfs.js";
import type { Policy } from "../../src/planner/view.js";
import { referenceConservative, referenceEasy, referenceFcfs, type RefJob } from "../reference/batchReference.js";
import { runTiny } from "../helpers/runTiny.js";
import { job, tinyPlatform } from "../helpers/tinyPlatform.js";

const POLICIES: [string, () => Policy, (jobs: readonly RefJob[], procs: number) => Map<number, number>][] = [
  ["FCFS", policyFcfs, referenceFcfs],
  ["EASY", policyEasyBackfill, referenceEasy],
  ["conservative", policyConservativeBackfill, referenceConservative],
];

/** Start times in the simulator on `nodes` nodes of `cores` cores, and the jobs whose start differs from the reference's on nodes x cores processors. */
async function mismatches(policy: Policy, reference: (jobs: readonly RefJob[], procs: number) => Map<number, number>, jobs: JobSpec[], nodes: number, cores: number): Promise<number[]> {
  const platform = tinyPlatform([{ id: "m", pue: 1, kgPerKwh: 0.1 }], [{ nodes, cores, idle: 10, max: 20 }]);
  const r = await runTiny(platform, policy, jobs, 512);
  const ref = reference(
    jobs.map((j) => ({ id: j.id, submit: j.submit, runtime: j.runtime, walltime: j.walltime, procs: j.cores })),
    nodes * cores,
  );
  expect(r.facts.size).toBe(jobs.length);
  return jobs.filter((j) => r.facts.get(j.id)!.start !== ref.get(j.id)).map((j) => j.id);
}

/** Whole seconds (exact comparisons), walltimes at or above run times and some below (killed at the walltime). */
const workload = fc
  .array(fc.record({ gap: fc.integer({ min: 0, max: 40 }), runtime: fc.integer({ min: 1, max: 200 }), over: fc.integer({ min: -50, max: 300 }), cores: fc.integer({ min: 1, max: 16 }) }), { minLength: 1, maxLength: 30 })
  .map((rows) => {
    let t = 0;
    return rows.map((r, i) => job(i + 1, (t += r.gap), r.runtime, Math.max(1, r.runtime + r.over), r.cores));
  });

describe.each(POLICIES)("%s against the reference scheduler", (_name, makePolicy, reference) => {
  it("gives the reference's start times on random workloads, on 16 one-core nodes and on 4 shared nodes of 4 cores", async () => {
    await fc.assert(
      fc.asyncProperty(workload, async (jobs) => {
        expect(await mismatches(makePolicy(), reference, jobs, 16, 1)).toEqual([]);
        expect(await mismatches(makePolicy(), reference, jobs, 4, 4)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});

async function readAll(path: string): Promise<{ jobs: JobSpec[]; procs: number }> {
  const reader = await openSwf(path, { mode: "lenient", log: new AdjustmentLog() });
  const jobs: JobSpec[] = [];
  for await (const j of reader.jobs()) jobs.push(j);
  return { jobs, procs: reader.header.maxProcs! };
}

describe("on a real trace (HPC2N excerpt, 3,145 jobs on 240 processors)", () => {
  it("conservative backfilling gives the reference's start times job by job, on one-core nodes and on 30 shared nodes of 8 cores", async () => {
    const { jobs, procs } = await readAll("traces/HPC2N-2002-2.2-first3170jobs-alea.swf.gz");
    expect(procs).toBe(240);
    expect(await mismatches(policyConservativeBackfill(), referenceConservative, jobs, 240, 1)).toEqual([]);
    expect(await mismatches(policyConservativeBackfill(), referenceConservative, jobs, 30, 8)).toEqual([]);
  });

  it("EASY gives the reference's start times at core level on 30 shared nodes of 8 cores", async () => {
    const { jobs } = await readAll("traces/HPC2N-2002-2.2-first3170jobs-alea.swf.gz");
    expect(await mismatches(policyEasyBackfill(), referenceEasy, jobs, 30, 8)).toEqual([]);
  });
});

describe("on a real trace (KTH-SP2, all 28,467 valid jobs on 100 processors)", () => {
  it("conservative backfilling gives the reference's start times job by job on one-core nodes (the schedules of whole-node allocation)", async () => {
    const { jobs, procs } = await readAll("traces/KTH-SP2-1996-2.1-cln.swf.gz");
    expect([jobs.length, procs]).toEqual([28467, 100]);
    expect(await mismatches(policyConservativeBackfill(), referenceConservative, jobs, 100, 1)).toEqual([]);
  });
});
