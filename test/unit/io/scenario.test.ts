import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatIssue, InputError } from "../../../src/core/errors.js";
import { checkScenario, isIsoWithOffset, loadScenario, resolveFrom } from "../../../src/io/scenario.js";
import type { ScenarioSpec } from "../../../src/io/spec.js";

const fromRoot = (p: string): string => relative(process.cwd(), fileURLToPath(new URL(`../../../${p}`, import.meta.url)));

const valid: ScenarioSpec = {
  name: "kth",
  platform: "../platforms/two-site-eu.json",
  workload: { file: "../traces/KTH-SP2-1996-2.1-cln.swf.gz", format: "swf", mode: "strict", start: "2020-01-06T00:00:00Z" },
  policy: { name: "fcfs" },
  seed: 1,
  output: { dir: "../results/kth" },
};

describe("checkScenario", () => {
  it("checkScenario(minimal, file) finds no issue when the optional fields are left out", () => {
    expect(checkScenario(valid, "s.json")).toEqual([]);
  });

  it("checkScenario(broken, file) returns every issue, each with its JSON path", () => {
    const broken = {
      name: "",
      platform: 3,
      workload: { file: "t.swf", format: "gwf", mode: "loose", start: "2020-01-06 00:00" },
      series_extension: "wrap",
      policy: { name: "sjf", params: [] },
      seed: 1.5,
      output: { jobs_csv: "yes" },
      extra: true,
    };
    expect(checkScenario(broken, "scenarios/broken.json").map(formatIssue)).toMatchInlineSnapshot(`
      [
        "scenarios/broken.json: name: expected a non-empty string, got """,
        "scenarios/broken.json: platform: expected a string, got 3",
        "scenarios/broken.json: workload.format: expected "swf", got "gwf"",
        "scenarios/broken.json: workload.mode: expected one of "strict", "lenient", got "loose"",
        "scenarios/broken.json: workload.start: expected an ISO 8601 date-time with an offset, e.g. "2020-01-01T00:00:00+01:00", got "2020-01-06 00:00"",
        "scenarios/broken.json: series_extension: expected one of "error", "hold", "repeat", got "wrap"",
        "scenarios/broken.json: policy.name: expected one of "fcfs", "easy", "conservative", "heft", "temporal", "weighted", "consolidate", "powercap", "campaign", "flexible", got "sjf"",
        "scenarios/broken.json: policy.params: expected an object, got an array of 0 item(s)",
        "scenarios/broken.json: seed: expected an integer, got 1.5",
        "scenarios/broken.json: output.dir: expected a string, got nothing (missing field)",
        "scenarios/broken.json: output.jobs_csv: expected a boolean, got "yes"",
        "scenarios/broken.json: extra: unknown field, expected one of: name, description, platform, workload, series_extension, attribution, score_method, policy, seed, forecast, qos, workflows, output",
      ]
    `);
  });

  it("checkScenario(json, file) refuses a start without an offset or on a day that does not exist", () => {
    for (const start of ["2020-01-06T00:00:00", "2021-02-30T00:00:00+01:00", "2020-13-01T00:00Z"]) {
      expect(checkScenario({ ...valid, workload: { ...valid.workload, start } }, "s.json").map((i) => i.path)).toEqual(["workload.start"]);
    }
  });
});

describe("isIsoWithOffset", () => {
  it("isIsoWithOffset(s) accepts Z and ±hh:mm offsets with or without seconds and fractions", () => {
    expect(["2020-01-01T00:00Z", "2020-01-01T00:00:00+01:00", "2020-06-30T23:59:59.5-04:00"].map(isIsoWithOffset)).toEqual([true, true, true]);
    expect(["2020-01-01", "2020-01-01T00:00:00", "2020-01-01T00:00:00+0100"].map(isIsoWithOffset)).toEqual([false, false, false]);
  });
});

describe("loadScenario", () => {
  it("loadScenario(path) reads a valid scenario and keeps its paths as written", async () => {
    const s = await loadScenario(fromRoot("test/fixtures/platform/scenario-valid.json"));
    expect(s.platform).toBe("../../../platforms/two-site-eu.json");
    expect(s.workload.mode).toBe("lenient");
    expect(s.series_extension).toBe("repeat");
  });

  it("loadScenario(path) reports a JSON syntax error with file, line and column", async () => {
    const file = fromRoot("test/fixtures/platform/scenario-syntax-error.json");
    const error = await loadScenario(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).issues.map((i) => formatIssue(i).replace(file, "FILE"))).toMatchInlineSnapshot(`
      [
        "FILE:4: column 3: expected ',' before the next property, got '"'",
      ]
    `);
  });
});

describe("resolveFrom", () => {
  it("resolveFrom(file, relative) resolves against the folder of file", () => {
    expect(resolveFrom("scenarios/eu.json", "../platforms/two-site-eu.json")).toBe("platforms/two-site-eu.json");
    expect(resolveFrom("eu.json", "traces/a.swf")).toBe("traces/a.swf");
  });

  it("resolveFrom(file, absolute) returns an absolute path unchanged", () => {
    expect(resolveFrom("scenarios/eu.json", "/data/a.swf")).toBe("/data/a.swf");
  });

  it("resolveFrom(file, relative) makes the shipped fixture's platform path point at the shipped platform", () => {
    const file = fromRoot("test/fixtures/platform/scenario-valid.json");
    expect(resolveFrom(file, "../../../platforms/two-site-eu.json")).toBe(fromRoot("platforms/two-site-eu.json"));
  });
});
