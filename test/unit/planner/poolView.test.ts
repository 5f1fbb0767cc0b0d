/**
 * poolView makes a pool's view with a maker compiled from its figures' keys
 * (planner/poolView.ts). Expected: the object the plain construction makes,
 * the figures spread then the four counts, key for key and in the same order,
 * frozen, a plain object; and figures made without poolFigures (a copy) give
 * the same view through the spread.
 */
import { describe, expect, it } from "vitest";
import { platformPoolFigures, poolView, type PoolView } from "../../../src/planner/index.js";
import { tinyPlatform } from "../../helpers/tinyPlatform.js";

const OFF = { watts: 5, switchOnSeconds: 60, switchOnWatts: 150, switchOffSeconds: 10, switchOffWatts: 120 };

/** The pools' figures differ in which optional keys they have (none; off state and memory; memory; off state), and in GPUs, sharing and DVFS. */
const platform = tinyPlatform([{ id: "a", pue: 1.2, kgPerKwh: 0.1 }, { id: "b", pue: 1.5, kgPerKwh: 0.3 }], [
  { nodes: 4, cores: 8, idle: 100, max: 300 },
  { nodes: 2, cores: 16, idle: 120, max: 400, off: OFF, memoryMb: 65536, site: 1 },
  { nodes: 3, cores: 4, idle: 90, max: 250, gpus: { count: 2, idle: 30, max: 250 }, sharing: "exclusive", memoryMb: 32768 },
  { nodes: 5, cores: 2, idle: 50, max: 100, sharing: "shared_only", off: OFF, dvfs: [{ name: "low", speed: 0.8, idle: 40, max: 80 }] },
]);

function expectSameView(got: PoolView, want: Record<string, unknown>): void {
  expect(Object.keys(got)).toEqual(Object.keys(want));
  for (const k of Object.keys(want)) expect(Object.is((got as unknown as Record<string, unknown>)[k], want[k]), k).toBe(true);
  expect(Object.isFrozen(got)).toBe(true);
  expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
  expect(Object.getOwnPropertySymbols(got)).toEqual([]);
}

describe("poolView", () => {
  it("gives, for figures with and without each optional key, the figures' keys in order then the four counts, the same values, frozen and plain", () => {
    const figures = platformPoolFigures(platform);
    const counts = [[4, 0, 0, 32], [0, 1, 1, 0], [2, 0, 0, 8], [5, 0, 0, 10], [1, 2, 1, 3]];
    for (const f of figures) {
      for (const [freeNodes, sleeping, waking, freeCores] of counts) {
        const want = { ...f, freeNodes, sleepingNodes: sleeping, wakingNodes: waking, freeCores };
        expectSameView(poolView(f, freeNodes, sleeping, waking, freeCores), want);
      }
      // Free cores default to those of the free nodes.
      expect(poolView(f, 3, 0, 0).freeCores).toBe(3 * f.coresPerNode);
    }
    // The optional keys do differ between these pools (else the test would show less).
    expect(new Set(figures.map((f) => Object.keys(f).join())).size).toBe(figures.length);
  });

  it("gives the same view from a copy of the figures (made without poolFigures) and from a view spread back into figures", () => {
    for (const f of platformPoolFigures(platform)) {
      const copy = { ...f };
      const want = { ...f, freeNodes: 1, sleepingNodes: 0, wakingNodes: 0, freeCores: 2 };
      expectSameView(poolView(copy, 1, 0, 0, 2), want);
      const { freeNodes: _a, sleepingNodes: _b, wakingNodes: _c, freeCores: _d, ...again } = poolView(f, 2, 0, 0, 5);
      expectSameView(poolView(again, 1, 0, 0, 2), want);
    }
  });
});
