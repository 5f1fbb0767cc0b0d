import { describe, expect, it } from "vitest";
import { checkSweep, expandSweep, seedNumber, variantTask, type SweepSpec } from "../../../src/sweep/spec.js";
import { deriveSeed } from "../../../src/core/rng.js";

const spec = (parameters: Record<string, unknown>): SweepSpec => ({ name: "s", base: "scenarios/qos-eu.json", parameters, output: { dir: "out" } });

describe("expandSweep", () => {
  it("expandSweep varies the first parameter slowest and the seed fastest, indexing variants and groups", () => {
    const vs = expandSweep(spec({ policy: ["easy", "temporal"], seed: { replicas: 2 }, "forecast.sigma": [0, 0.2] }));
    expect(vs).toHaveLength(8);
    expect(vs.map((v) => v.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(vs.map((v) => [v.group, v.replica, v.values])).toEqual([
      [0, 0, { policy: "easy", "forecast.sigma": 0 }],
      [0, 1, { policy: "easy", "forecast.sigma": 0 }],
      [1, 0, { policy: "easy", "forecast.sigma": 0.2 }],
      [1, 1, { policy: "easy", "forecast.sigma": 0.2 }],
      [2, 0, { policy: "temporal", "forecast.sigma": 0 }],
      [2, 1, { policy: "temporal", "forecast.sigma": 0 }],
      [3, 0, { policy: "temporal", "forecast.sigma": 0.2 }],
      [3, 1, { policy: "temporal", "forecast.sigma": 0.2 }],
    ]);
    // Replica r has the same derived seed in every group (common random numbers).
    expect(vs.map((v) => v.seed)).toEqual([0, 1, 0, 1, 0, 1, 0, 1].map((r) => seedNumber(deriveSeed(1, `replica/${r}`))));
    expect(vs[2].overrides).toEqual({ policy: "easy", forecast: { sigma: 0.2 }, seed: vs[0].seed });
  });

  it("expandSweep without parameters gives one variant, and explicit seeds are used as given", () => {
    expect(expandSweep(spec({}))).toEqual([{ index: 0, group: 0, replica: 0, values: {}, overrides: {} }]);
    expect(expandSweep(spec({ seed: [5, 9] })).map((v) => [v.index, v.group, v.seed])).toEqual([[0, 0, 5], [1, 0, 9]]);
  });

  it("expandSweep resolves workload and platform files from the sweep file, and variantTask merges the scenario's forecast and policy params", () => {
    const [v] = expandSweep(spec({ platform: ["../platforms/two-site-eu.json"], "policy.params.impact_weight": [2], "forecast.bias": [0.1] }), "scenarios/sweep.json");
    expect(v.overrides.platform).toBe("platforms/two-site-eu.json");
    const task = variantTask(v, "scenarios/x.json", { policy: { name: "heft", params: { insertion: true } }, forecast: { bias: 0, sigma: 0.3 } });
    expect(task).toEqual({ id: "0", scenario: "scenarios/x.json", overrides: { platform: "platforms/two-site-eu.json", forecast: { bias: 0.1, sigma: 0.3 } }, policyParams: { insertion: true, impact_weight: 2 } });
  });
});

describe("checkSweep", () => {
  it("checkSweep accepts a valid sweep, trying each swept policy with each swept parameter", () => {
    expect(checkSweep(spec({ policy: ["easy"], "policy.params.impact_weight": [0, 1], seed: { replicas: 3 }, "forecast.bias": [0], workload: ["a.swf"] }), "s.json")).toEqual([
      expect.objectContaining({ path: 'parameters["policy.params.impact_weight"][0]' }),
    ]);
    expect(checkSweep(spec({ policy: ["heft"], "policy.params.impact_weight": [0, 1], seed: { replicas: 3 } }), "s.json")).toEqual([]);
  });

  it("checkSweep returns every issue with its JSON path", () => {
    const issues = checkSweep({ name: "", base: "x.json", parameters: { policy: ["easy", "nope"], seed: { replicas: 0 }, "forecast.sigma": [-1], pue: [1.2], foo: 1 }, output: {} }, "s.json");
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toMatchInlineSnapshot(`
      [
        "name: expected a non-empty string, got """,
        "parameters.policy[1]: expected one of "fcfs", "easy", "conservative", "heft", "temporal", "weighted", "consolidate", "powercap", "campaign", "flexible", got "nope"",
        "parameters.seed.replicas: expected a number >= 1, got 0",
        "parameters["forecast.sigma"][0]: expected a number >= 0, got -1",
        "output.dir: expected a string, got nothing (missing field)",
        "parameters.pue: expected one of policy, policy.params.<name>, seed, forecast.bias, forecast.sigma, workload, platform, platform.pue, platform.nodes_scale, platform.lifetime_years, platform.zone, workload.scale, got "pue"",
        "parameters.foo: expected one of policy, policy.params.<name>, seed, forecast.bias, forecast.sigma, workload, platform, platform.pue, platform.nodes_scale, platform.lifetime_years, platform.zone, workload.scale, got "foo"",
      ]
    `);
  });

  it("checkSweep names a policy parameter a swept policy does not know", () => {
    const issues = checkSweep(spec({ policy: ["temporal", "easy"], "policy.params.impact_weight": [0, 1] }), "s.json");
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toMatchInlineSnapshot(`
      [
        "parameters["policy.params.impact_weight"][0]: policy temporal: unknown parameter "impact_weight" (expected one of step_s, min_saving, category, preempt)",
        "parameters["policy.params.impact_weight"][0]: policy easy: expected no parameters, got "impact_weight"",
      ]
    `);
  });
});

describe("platform and workload variants", () => {
  it("expandSweep maps platform.* and workload.scale keys to the run's platform variant and workload scale", () => {
    const variants = expandSweep(spec({ "platform.pue": [1.1, 1.5], "platform.zone": ["SWE"], "workload.scale": [2] }) as SweepSpec);
    expect(variants.map((v) => v.overrides)).toEqual([
      { platformVariant: { pue: 1.1, zone: "SWE" }, workloadScale: 2 },
      { platformVariant: { pue: 1.5, zone: "SWE" }, workloadScale: 2 },
    ]);
  });
});
