/**
 * The embodied rule's inputs: the scenario's attribution.embodied_after_life
 * and a node type's embodied.age_years, checked with their JSON paths, and what
 * a built pool's clock then says (two-site-eu: R640 4-year life, R620 6-year).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatIssue } from "../../../src/core/errors.js";
import { AdjustmentLog } from "../../../src/core/index.js";
import { SECONDS_PER_YEAR } from "../../../src/core/units.js";
import { checkPlatform } from "../../../src/io/platform.js";
import { checkScenario } from "../../../src/io/scenario.js";
import type { PlatformSpec, ScenarioSpec } from "../../../src/io/spec.js";
import { buildWorld } from "../../../src/run/world.js";

const PLATFORM = "platforms/two-site-eu.json";
const scenario = (rule: unknown) => ({
  name: "s",
  platform: "p.json",
  workload: { file: "t.swf", format: "swf", mode: "strict", start: "2020-01-06T00:00:00Z" },
  attribution: { embodied_after_life: rule },
  policy: { name: "fcfs" },
  seed: 1,
  output: { dir: "o" },
});
const platform = (age: number): PlatformSpec => {
  const spec = JSON.parse(readFileSync(PLATFORM, "utf8")) as PlatformSpec;
  const type = Object.values(spec.node_types)[0] as unknown as { embodied: Record<string, unknown> };
  type.embodied.age_years = age;
  return spec;
};

describe("embodied_after_life and age_years", () => {
  it("a scenario takes linear, capped or paid and refuses anything else at its JSON path", () => {
    for (const rule of ["linear", "capped", "paid"]) expect(checkScenario(scenario(rule), "s.json")).toEqual([]);
    expect(checkScenario(scenario("free") as unknown as ScenarioSpec, "s.json").map(formatIssue)).toEqual([
      's.json: attribution.embodied_after_life: expected one of "linear", "capped", "paid", got "free"',
    ]);
  });

  it("a node type's age at the start is >= 0 and at most 50 years", () => {
    expect(checkPlatform(platform(7), PLATFORM)).toEqual([]);
    const issues = checkPlatform(platform(-1), PLATFORM).map(formatIssue);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/node_types\["dell-r640"\]\.embodied\.age_years: expected a number >= 0, got -1/);
    expect(checkPlatform(platform(51), PLATFORM).map(formatIssue)[0]).toMatch(/embodied\.age_years: expected a number <= 50: the longest lifetime accepted, got 51/);
  });

  it("a built pool's clock: paid ends at lifetime - age (0 past it), capped counts the lifetime, linear never ends", async () => {
    const world = (rule: "linear" | "capped" | "paid", age: number) =>
      buildWorld(platform(age), { file: PLATFORM, t0Epoch: Date.parse("2020-01-06T00:00:00Z") / 1000, extension: "hold", log: new AdjustmentLog(), forecastError: { bias: 0, sigma: 0 }, seed: 1, embodiedRule: rule });
    const aged = Object.keys((JSON.parse(readFileSync(PLATFORM, "utf8")) as PlatformSpec).node_types)[0];
    const until = async (rule: "linear" | "capped" | "paid", age: number) => (await world(rule, age)).platform.pools.find((p) => p.nodeType === aged)!.embodiedClock!.until[0] / SECONDS_PER_YEAR;
    const life = (JSON.parse(readFileSync(PLATFORM, "utf8")) as PlatformSpec).node_types[aged].embodied.lifetime_years;
    expect(await until("paid", 1)).toBeCloseTo(life - 1, 12);
    expect(await until("paid", life + 2)).toBe(0);
    expect(await until("capped", 1)).toBeCloseTo(life, 12);
    expect(await until("linear", 1)).toBe(Infinity);
  });
});
