/**
 * A run that writes only its summary keeps no reasons: no decisions.jsonl, a
 * count of 0 explained decisions, and the view tells the policy so
 * (ClusterView.explain false); a run with its outputs records every applied
 * decision that carries a why, and the view says explain true.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shippedPath } from "../../../src/io/paths.js";
import { policyFcfs, type ClusterView, type Decision, type Policy } from "../../../src/planner/index.js";
import { runScenario } from "../../../src/run/runScenario.js";

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "impactsim-explain-"));
  writeFileSync(
    join(dir, "scenario.json"),
    JSON.stringify({
      name: "explain",
      platform: shippedPath("platforms/two-site-eu.json"),
      workload: { file: shippedPath("test/fixtures/swf/good.swf"), format: "swf", mode: "lenient", start: "2020-01-01T00:00:00+01:00" },
      policy: { name: "fcfs" },
      seed: 1,
      output: { dir: "out" },
    }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** FCFS, each start given a reason when the view asks for reasons; records what each pass's view said. */
function explainingFcfs(seen: (boolean | undefined)[]): Policy {
  const inner = policyFcfs();
  return {
    name: "explaining-fcfs",
    version: "1",
    params: {},
    decide(view: ClusterView, happened) {
      seen.push(view.explain);
      const out = inner.decide(view, happened, undefined) as readonly Decision[];
      if (view.explain === false) return out;
      return out.map((d) => (d.kind === "start" ? { ...d, why: { reason: `job ${d.jobId} first in line` } } : d));
    },
  };
}

describe("ClusterView.explain and decisions.jsonl", () => {
  it("a run with its outputs: explain true at every pass, one line per start with its reason", async () => {
    const seen: (boolean | undefined)[] = [];
    const out = join(dir, "full");
    const { summary } = await runScenario({ scenario: join(dir, "scenario.json"), policy: explainingFcfs(seen), overrides: { out } });
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set([true]));
    const lines = readFileSync(join(out, "decisions.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    // Every accepted job of the fixture starts once under FCFS, each with its reason.
    expect(lines.length).toBe(summary.jobs);
    expect(lines.every((l) => l.kind === "start" && l.why.reason === `job ${l.jobId} first in line`)).toBe(true);
    expect(summary.decisions_explained).toBe(summary.jobs);
    expect(Object.keys(summary.outputs)).toContain("decisions.jsonl");
  });

  it("a summary-only run: explain false at every pass, no decisions.jsonl, none counted, the same schedule", async () => {
    const seen: (boolean | undefined)[] = [];
    const out = join(dir, "summary-only");
    const full = await runScenario({ scenario: join(dir, "scenario.json"), policy: explainingFcfs([]), overrides: { out: join(dir, "full-2") } });
    const { summary } = await runScenario({ scenario: join(dir, "scenario.json"), policy: explainingFcfs(seen), overrides: { out, summaryOnly: true } });
    expect(new Set(seen)).toEqual(new Set([false]));
    expect(existsSync(join(out, "decisions.jsonl"))).toBe(false);
    expect(summary.decisions_explained).toBe(0);
    expect(Object.keys(summary.outputs)).toEqual([]);
    // Reasons change nothing the world does.
    expect([summary.jobs, summary.mean_wait_s, summary.makespan_s, summary.energy_j]).toEqual([full.summary.jobs, full.summary.mean_wait_s, full.summary.makespan_s, full.summary.energy_j]);
  });
});
