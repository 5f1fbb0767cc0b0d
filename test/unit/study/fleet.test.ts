import { describe, expect, it } from "vitest";
import { N_COORDS, N_PHASES, PHASE_INDEX, categoryIndex } from "../../../src/core/index.js";
import { embodiedByYear, fleetCapacity, fleetInYear, fleetTimeline, gpuNodeForCpuJobs, platformGroups, powerCurveFromSpec } from "../../../src/models/index.js";
import type { PlatformSpec } from "../../../src/io/index.js";

const CC = categoryIndex("CC");
const FAB = PHASE_INDEX.fabrication * N_COORDS + CC;
const EOL = PHASE_INDEX.endOfLife * N_COORDS + CC;

/** One node's whole-life embodied vector: 1000 kg CC fabrication, 100 end of life. */
function perNode(): Float64Array {
  const v = new Float64Array(N_PHASES * N_COORDS);
  v[FAB] = 1000;
  v[EOL] = 100;
  return v;
}

const initial = [
  { id: "a/old", site: "a", type: "old", count: 2 },
  { id: "b/gpu", site: "b", type: "gpu", count: 1 },
];

describe("platformGroups", () => {
  it("names groups site/type, and site/type/2 for a second group of a type on a site", () => {
    const spec = { sites: [{ id: "a", nodes: [{ type: "x", count: 2 }, { type: "y", count: 1 }, { type: "x", count: 3 }] }, { id: "b", nodes: [{ type: "x", count: 4 }] }] } as unknown as PlatformSpec;
    expect(platformGroups(spec).map((g) => [g.id, g.count])).toEqual([["a/x", 2], ["a/y", 1], ["a/x/2", 3], ["b/x", 4]]);
  });
});

describe("fleetTimeline", () => {
  it("replacing a group ends it and starts its successor on the same site that year", () => {
    const { groups, problems } = fleetTimeline(initial, [{ year: 2, replace: "a/old", with: { id: "a/new", type: "new", count: 1 } }], 5);
    expect(problems).toEqual([]);
    expect(groups.map((g) => [g.id, g.site, g.from, g.until, g.replaces])).toEqual([
      ["a/old", "a", 0, 2, undefined],
      ["b/gpu", "b", 0, 5, undefined],
      ["a/new", "a", 2, 5, "a/old"],
    ]);
    expect(fleetInYear(groups, 1).map((g) => g.id)).toEqual(["a/old", "b/gpu"]);
    expect(fleetInYear(groups, 2).map((g) => g.id)).toEqual(["b/gpu", "a/new"]);
  });

  it("reports an unknown group, a group already gone, a reused name and a year outside the horizon, and skips those events", () => {
    const { groups, problems } = fleetTimeline(
      initial,
      [
        { year: 1, retire: "a/nope" },
        { year: 1, retire: "a/old" },
        { year: 2, replace: "a/old", with: { id: "a/new", type: "new", count: 1 } },
        { year: 2, add: { id: "b/gpu", site: "b", type: "gpu", count: 1 } },
        { year: 7, retire: "b/gpu" },
      ],
      5,
    );
    expect(problems.map((p) => p.event)).toEqual([0, 2, 3, 4]);
    expect(problems[0].message).toContain('got "a/nope"');
    expect(problems[1].message).toContain("left service in year index 1");
    expect(problems[2].message).toContain("already exists");
    expect(groups.map((g) => [g.id, g.until])).toEqual([["a/old", 1], ["b/gpu", 5]]);
  });

  it("refuses to retire a group in the year it enters service", () => {
    const { problems } = fleetTimeline(initial, [{ year: 2, add: { id: "c", site: "a", type: "old", count: 1 } }, { year: 2, retire: "c" }], 4);
    expect(problems).toEqual([{ event: 1, message: 'expected "c" in service before and in that year, got it enters service in year index 2' }]);
  });
});

describe("fleetCapacity", () => {
  it("counts nodes x cores x speed", () => {
    const types = { old: { cores: 4 }, fast: { cores: 8, speed: 1.5 } } as never;
    expect(fleetCapacity([{ type: "old", count: 2 }, { type: "fast", count: 3 }], types)).toBe(2 * 4 + 3 * 8 * 1.5);
  });
});

describe("embodiedByYear", () => {
  const cc = (ys: Float64Array[]) => ys.map((y) => [y[FAB], y[EOL]]);
  const use = PHASE_INDEX.use * N_COORDS + CC;

  it("purchase: the whole embodied impacts of every node in the year the group enters", () => {
    const g = { id: "n", site: "a", type: "t", count: 2, from: 1, until: 3 };
    expect(cc(embodiedByYear(g, perNode(), 4, "purchase", 4))).toEqual([[0, 0], [2000, 200], [0, 0], [0, 0]]);
  });

  it("amortised: a quarter a year over a 4-year life, the rest in the year a group retired early leaves", () => {
    // In service in years 0 and 1 of 5: 2 x 1000 / 4 = 500 each; retired in year 2, the remaining half (1000) then.
    const g = { id: "n", site: "a", type: "t", count: 2, from: 0, until: 2 };
    expect(cc(embodiedByYear(g, perNode(), 4, "amortised", 5))).toEqual([[500, 50], [500, 50], [1000, 100], [0, 0], [0, 0]]);
  });

  it("amortised: nothing past the declared life, nothing of the rest when the horizon ends first", () => {
    const long = { id: "n", site: "a", type: "t", count: 1, from: 0, until: 4 };
    expect(cc(embodiedByYear(long, perNode(), 2, "amortised", 4))).toEqual([[500, 50], [500, 50], [0, 0], [0, 0]]);
    const cut = { id: "n", site: "a", type: "t", count: 1, from: 1, until: 3 };
    expect(cc(embodiedByYear(cut, perNode(), 4, "amortised", 3))).toEqual([[0, 0], [250, 25], [250, 25]]);
  });

  it("never charges the use phase", () => {
    const v = perNode();
    v[use] = 5;
    const g = { id: "n", site: "a", type: "t", count: 1, from: 0, until: 1 };
    expect(embodiedByYear(g, v, 1, "purchase", 1)[0][use]).toBe(0);
  });
});

describe("gpuNodeForCpuJobs", () => {
  const base = { cores: 4, power: { idle_w: 100, max_w: 200, source: "cpu" }, gpus: { model: "g", count: 2, power: { idle_w: 10, curve_w: [[0.5, 40], [1, 110]], source: "gpu" } }, embodied: { lifetime_years: 4, lifetime_source: "t", impacts: {}, source: "t" } } as never;

  it("runs speedup times faster and adds the GPUs' draw over their idle, loaded as the cores are", () => {
    const t = gpuNodeForCpuJobs(base, 3, "assumed");
    expect(t.speed).toBe(3);
    const p = powerCurveFromSpec(t.power);
    // u = 0.5: CPU 150 W, each GPU 40 - 10 = 30 W over idle; u = 1: 200 + 2 x 100; u = 0.25: 125 + 2 x (25 - 10).
    expect([p(0), p(0.25), p(0.5), p(1)]).toEqual([100, 155, 210, 400]);
  });

  it("gives a linear node (max_w) when both curves are linear", () => {
    const linear = { ...(base as object), gpus: { model: "g", count: 1, power: { idle_w: 10, max_w: 110, source: "gpu" } } } as never;
    const t = gpuNodeForCpuJobs(linear, 2, "assumed");
    expect(t.power).toMatchObject({ idle_w: 100, max_w: 300 });
  });
});
