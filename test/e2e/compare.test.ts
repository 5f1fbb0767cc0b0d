/** impactsim compare and QoS classes, end to end on the bundled scenarios. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { comparePolicies, formatComparison } from "../../src/run/compare.js";
import { runScenario } from "../../src/run/runScenario.js";

describe("comparePolicies()", () => {
  it("comparePolicies() reports the baseline with nothing saved and FCFS with no less wait than EASY", async () => {
    const outRoot = mkdtempSync(join(tmpdir(), "impactsim-compare-"));
    const { rows } = await comparePolicies({ policies: [{ name: "easy" }, { name: "fcfs" }], outRoot });
    expect(rows.map((r) => [r.policy, r.class])).toEqual([
      ["easy", "all"],
      ["fcfs", "all"],
    ]);
    expect(rows[0].cc_saved).toBe(0);
    expect(rows[0].wait_added_s).toBe(0);
    expect(rows[1].wait_added_s).toBeGreaterThanOrEqual(0);
    expect(rows[1].jobs).toBe(rows[0].jobs);
    expect(formatComparison(rows).split("\n")[0]).toMatch(/^policy\s+class\s+jobs/);
  });
});

describe("QoS classes", () => {
  it("runScenario() on qos-eu.json gives every job one class, in about the configured shares, the same on every run", async () => {
    const out = mkdtempSync(join(tmpdir(), "impactsim-qos-"));
    const a = await runScenario({ scenario: "scenarios/qos-eu.json", overrides: { out, summaryOnly: true } });
    const b = await runScenario({ scenario: "scenarios/qos-eu.json", overrides: { out, summaryOnly: true } });
    const q = a.summary.qos;
    const n = q.urgent.jobs + q.balanced.jobs + q.green.jobs;
    expect(n).toBe(a.summary.jobs);
    // 3,145 draws: a share's standard deviation is below 1 %; allow 4 %
    expect(Math.abs(q.urgent.jobs / n - 0.3)).toBeLessThan(0.04);
    expect(Math.abs(q.balanced.jobs / n - 0.4)).toBeLessThan(0.04);
    expect(b.summary.qos).toEqual(q);
    // per-class impacts add up to the jobs' total (overheads are not any class's)
    let jobsCc = 0;
    for (const s of Object.values(a.summary.sites)) jobsCc += s.jobs.impacts.CC.total;
    expect(q.urgent.cc_kgco2eq + q.balanced.cc_kgco2eq + q.green.cc_kgco2eq).toBeCloseTo(jobsCc, 6);
  });
});
