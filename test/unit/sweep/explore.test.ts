import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../../src/core/errors.js";
import { shippedPath } from "../../../src/io/paths.js";
import { sha256File } from "../../../src/run/provenance.js";
import { exploreTradeoff, OBJECTIVES } from "../../../src/sweep/explore.js";
import { dominates } from "../../../src/sweep/pareto.js";
import { createPool, runTask } from "../../../src/sweep/pool.js";

const SCENARIO = "scenarios/workflow-continuum.json";
const options = { scenario: shippedPath(SCENARIO), policy: "heft", param: "impact_weight", values: [0, 1] } as const;
const tempRuns = () => readdirSync(tmpdir()).filter((f) => f.startsWith("impactsim-run-")).length;

describe("exploreTradeoff", () => {
  it("exploreTradeoff refuses no values, values that are not finite and unknown objectives", async () => {
    await expect(exploreTradeoff({ ...options, values: [] })).rejects.toThrowErrorMatchingInlineSnapshot(`[RangeError: exploreTradeoff: values: expected at least one value, got none]`);
    await expect(exploreTradeoff({ ...options, values: [0, Number.NaN] })).rejects.toThrowErrorMatchingInlineSnapshot(`[RangeError: exploreTradeoff: values[1]: expected a finite number, got NaN]`);
    await expect(exploreTradeoff({ ...options, objectives: ["cost" as never] })).rejects.toThrowErrorMatchingInlineSnapshot(`[RangeError: exploreTradeoff: objectives: expected one of mean_wait_s, single_score, cc, energy, makespan, got "cost"]`);
  });

  it("exploreTradeoff gives the same candidates and front with 1 worker (in-process) and 2 worker threads", async () => {
    const sequential = await exploreTradeoff({ ...options, workers: 1 });
    const pool = createPool({ workers: 2 });
    try {
      const parallel = await exploreTradeoff({ ...options, pool });
      expect(parallel).toEqual(sequential);
      expect(JSON.stringify(parallel)).toBe(JSON.stringify(sequential));

      // An input error in a worker thread arrives as an InputError with its issues.
      const failed = pool.run({ id: "bad", scenario: shippedPath("test/fixtures/platform/broken.json"), overrides: {} });
      await expect(failed).rejects.toBeInstanceOf(InputError);
      await expect(failed).rejects.toSatisfy((e: InputError) => e.issues.length > 0 && e.issues.every((i) => i.file.endsWith("broken.json")));
    } finally {
      await pool.close();
    }

    expect(sequential.candidates.map((c) => c.params)).toEqual([{ impact_weight: 0 }, { impact_weight: 1 }]);
    expect(sequential.objectives).toEqual(["mean_wait_s", "single_score"]);
    // The front holds only non-dominated candidates, and the rest are dominated by one on it.
    const vec = (c: (typeof sequential.candidates)[number]) => sequential.objectives.map((o) => OBJECTIVES[o].of(c.summary));
    expect(sequential.front.length).toBeGreaterThan(0);
    for (const c of sequential.candidates) {
      const dominated = sequential.candidates.some((d) => dominates(vec(d), vec(c)));
      expect(c.onFront).toBe(!dominated);
    }
    expect(sequential.front).toEqual(sequential.candidates.filter((c) => c.onFront));
  });
});

describe("runTask", () => {
  it("runTask with policyParams records them, names the original scenario in provenance and leaves no temporary folder", async () => {
    // A private temp folder: other test files create run folders concurrently.
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = mkdtempSync(join(tmpdir(), "impactsim-private-"));
    try {
      const before = tempRuns();
      const { id, summary } = await runTask({ id: "w2", scenario: SCENARIO, overrides: { policy: "heft" }, policyParams: { impact_weight: 2 } });
      expect(id).toBe("w2");
      expect(summary.provenance.policy.name).toBe("heft");
      expect(summary.provenance.policy.params).toMatchObject({ impact_weight: 2 });
      expect(summary.provenance.inputs[0]).toEqual({ path: SCENARIO, sha256: sha256File(SCENARIO) });
      expect(summary.scenario).toBe("workflow-continuum");
      expect(tempRuns()).toBe(before);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });
});
