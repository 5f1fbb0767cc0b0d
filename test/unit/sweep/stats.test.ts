import { describe, expect, it } from "vitest";
import { meanCI, summarizeSweep, tQuantile975, type SweepResult } from "../../../src/sweep/stats.js";
import type { RunSummary } from "../../../src/run/summary.js";

describe("meanCI", () => {
  it("meanCI of 1, 2, 3, 4, 5 is 3 ± t(0.975, 4)·√2.5/√5 = 3 ± 1.963243", () => {
    const e = meanCI([1, 2, 3, 4, 5]);
    expect(e.n).toBe(5);
    expect(e.mean).toBe(3);
    expect(e.sd).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(e.half_width).toBeCloseTo((2.776445 * Math.sqrt(2.5)) / Math.sqrt(5), 12);
    expect(e.half_width).toBeCloseTo(1.963243, 5);
    expect(e.ci95![0]).toBeCloseTo(3 - 1.963243, 5);
  });

  it("meanCI of one value has no interval, and refuses no values or NaN", () => {
    expect(meanCI([7])).toEqual({ n: 1, mean: 7, sd: null, half_width: null, ci95: null });
    expect(() => meanCI([])).toThrowErrorMatchingInlineSnapshot(`[RangeError: meanCI: expected at least one value, got none]`);
    expect(() => meanCI([1, Number.NaN])).toThrowErrorMatchingInlineSnapshot(`[RangeError: meanCI: values[1]: expected a finite number, got NaN]`);
  });

  it("tQuantile975 follows the table and tends to the normal quantile", () => {
    expect(tQuantile975(1)).toBe(12.706205);
    expect(tQuantile975(30)).toBe(2.042272);
    expect(tQuantile975(50)).toBeCloseTo(2.008559, 3);
    expect(tQuantile975(1e9)).toBeCloseTo(1.959964, 6);
  });
});

describe("summarizeSweep", () => {
  const result = (index: number, group: number, wait: number, score: number): SweepResult => ({
    index,
    group,
    replica: index % 2,
    values: { policy: `p${group}` },
    summary: { mean_wait_s: wait, single_score: { total_pt: score }, impacts: { CC: { total: 1 } }, energy_j: { facility: 2 } } as unknown as RunSummary,
  });

  it("summarizeSweep groups replicas in any order and marks the Pareto front of the means", () => {
    const s = summarizeSweep([result(3, 1, 20, 1), result(0, 0, 10, 2), result(1, 0, 12, 2), result(2, 1, 22, 1), result(4, 2, 30, 3), { index: 5, group: 2, replica: 1, values: { policy: "p2" }, error: { name: "Error", message: "x" } }]);
    expect(s.groups.map((g) => [g.group, g.values, g.runs, g.failed, g.metrics?.mean_wait_s.mean, g.on_front])).toEqual([
      [0, { policy: "p0" }, 2, 0, 11, true],
      [1, { policy: "p1" }, 2, 0, 21, true],
      [2, { policy: "p2" }, 1, 1, 30, false],
    ]);
    expect(s.front).toEqual([0, 1]);
    expect(s.failed).toBe(1);
  });

  it("summarizeSweep compares each group with the first by paired differences and says when it beats the noise", () => {
    // Group 1 waits 10 s longer than group 0 in every replica: differences 10, 10, 10 (sd 0): significant.
    // Group 2 differs by +5, -5, +1: mean 1/3, sd 5.03, half-width t(2) 4.303 x 5.03 / sqrt 3 = 12.5: not significant.
    const base = [100, 200, 300];
    const rows: SweepResult[] = [];
    const add = (group: number, waits: number[]) => waits.forEach((w, replica) => rows.push({ ...result(group * 3 + replica, group, w, 1), replica }));
    add(0, base);
    add(1, base.map((w) => w + 10));
    add(2, [105, 195, 301]);
    const s = summarizeSweep(rows);
    expect(s.groups[0].versus_first).toBeNull();
    expect(s.groups[1].versus_first!.mean_wait_s.mean).toBeCloseTo(10, 12);
    expect(s.groups[1].versus_first!.mean_wait_s.significant).toBe(true);
    expect(s.groups[2].versus_first!.mean_wait_s.mean).toBeCloseTo(1 / 3, 12);
    expect(s.groups[2].versus_first!.mean_wait_s.half_width).toBeCloseTo((4.302653 * Math.sqrt(76 / 3)) / Math.sqrt(3), 4);
    expect(s.groups[2].versus_first!.mean_wait_s.significant).toBe(false);
  });
});
