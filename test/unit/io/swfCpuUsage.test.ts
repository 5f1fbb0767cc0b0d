import { describe, expect, it } from "vitest";
import { AdjustmentLog } from "../../../src/core/errors.js";
import { openSwf, parseSwfText } from "../../../src/io/swf.js";
import type { JobSpec } from "../../../src/io/spec.js";

function jobsOf(text: string): JobSpec[] {
  return parseSwfText(text, { mode: "lenient", log: new AdjustmentLog(), label: "t.swf" }).jobs;
}

describe("JobSpec.cpuUsage from SWF", () => {
  it("openSwf(...).jobs() gives cpuUsage = field 6 / field 4, undefined where field 6 is -1, and values above 1 as they are", async () => {
    const line = (id: number, run: number, cpu: number) => `${id} 0 0 ${run} 4 ${cpu} -1 4 ${run} -1 1 1 1 -1 1 1 -1 -1`;
    const jobs = jobsOf(["; MaxProcs: 8", line(1, 100, 30), line(2, 100, -1), line(3, 100, 102)].join("\n"));
    expect(jobs.map((j) => j.cpuUsage)).toEqual([0.3, undefined, 1.02]);
    // The key is there, undefined: every record from the reader has the same keys (one hidden class in V8).
    expect(Object.hasOwn(jobs[1], "cpuUsage") && jobs[1].cpuUsage === undefined).toBe(true);
  });

  it("openSwf(HPC2N excerpt) has cpuUsage for the jobs with a known field 6, some above 1, none below 0", async () => {
    const reader = await openSwf("traces/HPC2N-2002-2.2-first3170jobs-alea.swf.gz", { mode: "lenient", log: new AdjustmentLog() });
    let known = 0;
    let above = 0;
    for await (const j of reader.jobs()) {
      if (j.cpuUsage === undefined) continue;
      known++;
      expect(j.cpuUsage).toBeGreaterThanOrEqual(0);
      expect(j.cpuUsage).toBe(j.avgCpuTime / j.runtime);
      if (j.cpuUsage > 1) above++;
    }
    expect(known).toBeGreaterThan(2000);
    expect(above).toBeGreaterThan(0);
  });
});
