/**
 * Bad study files are refused with the JSON path and the reason before
 * anything runs: no output folder is made, no simulation starts.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkStudy } from "../../../src/io/index.js";
import { runStudy } from "../../../src/sweep/index.js";
import { inputIssues } from "../../helpers/issues.js";

const FIX = resolve("test/unit/study/fixtures");

/** A valid lifetime study on the tiny fixture, with `patch` applied. */
function study(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: "lifetime",
    name: "bad",
    base: join(FIX, "tiny-scenario.json"),
    years: { from: 2020, to: 2023 },
    period_days: 10,
    node_types: { new: { cores: 4, power: { idle_w: 50, max_w: 100, source: "test" }, embodied: { lifetime_years: 4, lifetime_source: "test", impacts: { fabrication: { CC: 1000 } }, source: "test" } } },
    lifetime: { group: "a/old", successor: { type: "new", count: 2 }, replace_at: [2022] },
    output: { dir: "out" },
    ...patch,
  };
}

const paths = (issues: string[]) => issues.map((i) => i.replace(/^[^:]*: /, ""));

describe("checkStudy (the file alone)", () => {
  it("accepts the valid base study", () => {
    expect(checkStudy(study(), "s.json")).toEqual([]);
  });

  it("refuses dates that go backwards: the horizon and events out of order", () => {
    expect(checkStudy(study({ years: { from: 2023, to: 2020 } }), "s.json").map((i) => [i.path, i.message])).toEqual([["years.to", "expected a year >= years.from (2023), got 2020: dates go backwards"]]);
    const events = [
      { year: 2022, add: { group: "b", site: "a", type: "old", count: 1 } },
      { year: 2021, add: { group: "c", site: "a", type: "old", count: 1 } },
    ];
    const issues = checkStudy(study({ fleet: events }), "s.json");
    expect(issues.map((i) => i.path)).toEqual(["fleet[1].year"]);
    expect(issues[0].message).toContain("dates go backwards");
  });

  it("refuses overlapping events: two on one group in a year, one after its group was replaced", () => {
    const twice = [
      { year: 2021, retire: "a/old" },
      { year: 2021, replace: "a/old", with: { type: "new", count: 1 } },
    ];
    expect(checkStudy(study({ fleet: twice }), "s.json").map((i) => i.path)).toEqual(["fleet[1]", "fleet[1]", "lifetime.group"]);
    const after = [
      { year: 2021, replace: "a/x", with: { type: "new", count: 1 } },
      { year: 2022, retire: "a/x" },
    ];
    const issues = checkStudy(study({ fleet: after }), "s.json");
    expect(issues.map((i) => [i.path, i.message])).toEqual([["fleet[1]", 'expected a group in service in 2022, got "a/x", retired or replaced from 2021 (events overlap)']]);
  });

  it("refuses a horizon past its trajectories: too few grid or workload factors, a missing yearly series", () => {
    const issues = checkStudy(study({ grid: { a: { factors: [1, 0.9], source: "test" } }, workload: { factors: [1, 1, 1] } }), "s.json");
    expect(issues.map((i) => [i.path, i.message])).toEqual([
      ["workload.factors", "expected 4 workload factors (one per year of the horizon), got 3: the horizon runs past the data"],
      ["grid.a.factors", "expected 4 grid factors (one per year of the horizon), got 2: the horizon runs past the data"],
    ]);
    const series = checkStudy(study({ grid: { a: { series: { "2020": "x.csv", "2021": "x.csv" }, source: "test" } } }), "s.json");
    expect(series.map((i) => [i.path, i.message])).toEqual([["grid.a.series", "expected a series for every year 2020..2023, missing 2022, 2023: the horizon runs past the grid data"]]);
  });

  it("refuses a replacement year outside the horizon or in its first year", () => {
    const issues = checkStudy(study({ lifetime: { group: "a/old", successor: { type: "new", count: 2 }, replace_at: [2020, 2030] } }), "s.json");
    expect(issues.map((i) => i.path)).toEqual(["lifetime.replace_at[0]", "lifetime.replace_at[1]"]);
  });
});

describe("runStudy refuses before anything runs", () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "impactsim-study-bad-"));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** Issues of running the study, and whether an output folder appeared. */
  async function refuse(s: Record<string, unknown>, name: string): Promise<string[]> {
    const file = join(root, `${name}.json`);
    writeFileSync(file, JSON.stringify(s, null, 2));
    const issues = await inputIssues(() => runStudy({ file, workers: 1 }));
    expect(existsSync(join(root, "out"))).toBe(false);
    expect(issues.every((i) => i.startsWith(file))).toBe(true);
    return paths(issues);
  }

  it("a replacement of a group that does not exist", async () => {
    expect(await refuse(study({ fleet: [{ year: 2021, replace: "a/nope", with: { type: "new", count: 1 } }] }), "nope")).toEqual([
      'fleet[0]: expected a group of the fleet (a/old), got "a/nope" (known groups: a/old)',
    ]);
    expect(await refuse(study({ lifetime: { group: "b/old", successor: { type: "new", count: 2 }, replace_at: [2022] } }), "nope2")).toEqual([
      'lifetime.group: expected a group of the fleet (a/old), got "b/old"',
    ]);
  });

  it("a node type or a site that does not exist", async () => {
    const issues = await refuse(study({ fleet: [{ year: 2021, add: { group: "g", site: "z", type: "old2", count: 1 } }] }), "unknown");
    expect(issues.map((i) => i.split(":")[0])).toEqual(["fleet[0].add.site", "fleet[0].add.type"]);
  });

  it("a horizon past its grid data: a yearly series that ends before the simulated year", async () => {
    const short = join(root, "short.csv");
    writeFileSync(short, "time,ci\n2020-01-01 00:00:00,100\n2020-03-01 00:00:00,100\n");
    const series = Object.fromEntries([2020, 2021, 2022, 2023].map((y) => [String(y), y === 2022 ? short : join(FIX, "tiny-ci.csv")]));
    const issues = await refuse(study({ grid: { a: { series, source: "test" } } }), "short");
    expect(issues.length).toBe(1);
    expect(issues[0]).toMatch(/^grid\.a\.series\["?2022"?\]: expected the series of 2022 for site a to cover 2020-01-01 00:00\.\.2020-12-2\d \d\d:\d\d UTC .*the horizon runs past its grid data$/);
  });

  it("a study of the other kind than the command asked for", async () => {
    const file = join(root, "kind.json");
    writeFileSync(file, JSON.stringify(study()));
    expect(paths(await inputIssues(() => runStudy({ file, kind: "growth", workers: 1 })))[0]).toMatch(/^kind: expected a growth study/);
  });
});
