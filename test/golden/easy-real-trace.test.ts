/**
 * EASY backfilling on real SWF traces (HPC2N, 3,145 valid jobs on 240
 * processors; all 28,467 valid jobs of KTH-SP2 on 100) gives, job by job, the
 * start times of the independent reference implementation in test/reference.
 */
import { describe, expect, it } from "vitest";
import { openSwf } from "../../src/io/swf.js";
import { AdjustmentLog } from "../../src/core/errors.js";
import type { JobSpec } from "../../src/io/spec.js";
import { policyEasyBackfill } from "../../src/planner/policies/easy.js";
import { referenceEasy } from "../reference/batchReference.js";
import { tinyPlatform } from "../helpers/tinyPlatform.js";
import { runTiny } from "../helpers/runTiny.js";

async function readAll(path: string, limit = Infinity): Promise<{ jobs: JobSpec[]; procs: number }> {
  const reader = await openSwf(path, { mode: "lenient", log: new AdjustmentLog() });
  const jobs: JobSpec[] = [];
  for await (const j of reader.jobs()) {
    if (jobs.length >= limit) break;
    jobs.push(j);
  }
  return { jobs, procs: reader.header.maxProcs! };
}

describe("policyEasyBackfill() on real traces", () => {
  for (const [file, limit] of [
    ["traces/HPC2N-2002-2.2-first3170jobs-alea.swf.gz", Infinity],
    ["traces/KTH-SP2-1996-2.1-cln.swf.gz", Infinity],
  ] as const) {
    it(`policyEasyBackfill() reproduces the reference start times on ${file}`, async () => {
      const { jobs, procs } = await readAll(file, limit);
      const platform = tinyPlatform([{ id: "m", pue: 1, kgPerKwh: 0.1 }], [{ nodes: procs, cores: 1, idle: 10, max: 20 }]);
      const r = await runTiny(platform, policyEasyBackfill(), jobs, 512);
      const ref = referenceEasy(
        jobs.map((j) => ({ id: j.id, submit: j.submit, runtime: j.runtime, walltime: j.walltime, procs: j.cores })),
        procs,
      );
      expect(r.facts.size).toBe(jobs.length);
      let mismatches = 0;
      for (const j of jobs) if (r.facts.get(j.id)!.start !== ref.get(j.id)) mismatches++;
      expect(mismatches).toBe(0);
      // not a trivial schedule: some jobs waited and some were backfilled ahead of earlier ones
      const waited = jobs.filter((j) => r.facts.get(j.id)!.start > j.submit).length;
      expect(waited).toBeGreaterThan(100);
    });
  }
});
