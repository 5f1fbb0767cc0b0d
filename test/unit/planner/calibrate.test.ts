import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { calibrateFromHistory, calibrateFromSamples, calibrateFromUser, calibrateFromWalltime, runtimeRatios, type PastJob } from "../../../src/planner/calibrate.js";

/*
 * simple-statistics 7 interpolates linearly between order statistics at index
 * (n - 1) p (R/numpy type 7). For the ten run times 100, 200, ..., 1000:
 *   p10:    index 9 * 0.1 = 0.9 -> 100 + 0.9 * (200 - 100) = 190
 *   median: index 9 * 0.5 = 4.5 -> 500 + 0.5 * (600 - 500) = 550
 *   p90:    index 9 * 0.9 = 8.1 -> 900 + 0.1 * (1000 - 900) = 910
 */
const TENTHS = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000];
const job = (runtime: number, over: Partial<PastJob> = {}): PastJob => ({ user: 12, cores: 16, runtime, walltime: 2000, ...over });

describe("calibrateFromHistory", () => {
  it("calibrateFromHistory(history, query) defaults to p10 and p90 and needs 5 matches at a level", () => {
    // 5 jobs of user 12 with 16-31 cores: level (a) at the default minMatches.
    const history = [100, 200, 300, 400, 500].map((r) => job(r));
    const cal = calibrateFromHistory(history, { user: 12, cores: 20 })!;
    expect(cal.quantiles).toEqual([0.1, 0.9]);
    expect(cal.n).toBe(5);
    expect(cal.source).toBe("history");
    // With 4 of them, level (a) has too few and every level falls through to (d).
    expect(calibrateFromHistory(history.slice(1), { user: 12, cores: 20 })!.detail).toMatch(/^history: all 4 jobs/);
  });

  it("calibrateFromHistory(history, query without walltime) gives the quantiles of the matched run times", () => {
    const cal = calibrateFromHistory(
      TENTHS.map((r) => job(r)),
      { user: 12, cores: 16 },
    )!;
    expect(cal.runtime.low).toBeCloseTo(190, 9);
    expect(cal.runtime.mid).toBeCloseTo(550, 9);
    expect(cal.runtime.high).toBeCloseTo(910, 9);
    expect(cal.detail).toMatchInlineSnapshot(`"history: 10 jobs of user 12 with 16-31 cores; run time p10 3.17 min, median 9.17 min, p90 15.2 min"`);
  });

  it("calibrateFromHistory(history, query with walltime) scales the run/requested quantiles to the query's walltime", () => {
    // Ratios 100/2000 .. 1000/2000 = 0.05 .. 0.5: p10 190/2000 = 0.095, median 0.275, p90 0.455; times 7200 s.
    const cal = calibrateFromHistory(
      TENTHS.map((r) => job(r)),
      { user: 12, cores: 16, walltime: 7200 },
    )!;
    expect(cal.runtime.low).toBeCloseTo(0.095 * 7200, 9);
    expect(cal.runtime.mid).toBeCloseTo(0.275 * 7200, 9);
    expect(cal.runtime.high).toBeCloseTo(0.455 * 7200, 9);
    expect(cal.detail).toMatchInlineSnapshot(`"history: 10 jobs of user 12 with 16-31 cores; run/requested time p10 0.095, median 0.28, p90 0.46, times the 2 h requested"`);
  });

  it("calibrateFromHistory(history, query with walltime) caps a job's ratio at 1, as it is killed at its walltime", () => {
    // Ratios 0.5, 0.5, 1 (capped from 1.5), 1 (capped from 3), 1: median 1, p90 1.
    const history = [job(1000), job(1000), job(3000), job(6000), job(2000)];
    const cal = calibrateFromHistory(history, { user: 12, cores: 16, walltime: 3600 })!;
    expect(cal.runtime).toEqual({ low: 0.5 * 3600, mid: 3600, high: 3600 });
    expect(cal.detail).toContain("; 2 jobs ran past the requested time, counted as 1");
  });

  describe("calibrateFromHistory(history, query) falls back level by level", () => {
    const history = [
      ...[10, 20, 30].map((r) => job(r, { user: 12, cores: 16 })), // (a) user 12, 16-31 cores: 3
      ...[40, 50, 60].map((r) => job(r, { user: 12, cores: 64 })), // (b) user 12: 6
      ...[70, 80, 90, 100, 110].map((r) => job(r, { user: 7, cores: 20 })), // (c) 16-31 cores: 8
      ...[120, 130, 140, 150].map((r) => job(r, { user: 7, cores: 1 })), // (d) all: 15
    ];
    it.each([
      [3, 3, "history: 3 jobs of user 12 with 16-31 cores; run time"],
      [4, 6, "history: 6 jobs of user 12, any size (with 16-31 cores: only 3, fewer than 4); run time"],
      [7, 8, "history: 8 jobs with 16-31 cores, any user (of user 12: only 6, fewer than 7); run time"],
      [9, 15, "history: all 15 jobs, any user and size (of user 12: only 6, fewer than 9; with 16-31 cores: only 8, fewer than 9); run time"],
      [100, 15, "history: all 15 jobs, any user and size (of user 12: only 6, fewer than 100; with 16-31 cores: only 8, fewer than 100); run time"],
    ])("with minMatches %i it uses %i jobs", (minMatches, n, start) => {
      const cal = calibrateFromHistory(history, { user: 12, cores: 31 }, { minMatches })!;
      expect(cal.n).toBe(n);
      expect(cal.detail.startsWith(start)).toBe(true);
    });

    it("with an unknown user (-1 or absent) it starts at the size class", () => {
      for (const user of [-1, undefined]) {
        const cal = calibrateFromHistory(history, { user, cores: 16 }, { minMatches: 3 })!;
        expect(cal.n).toBe(8);
        expect(cal.detail).toMatch(/^history: 8 jobs with 16-31 cores, any user \(user unknown\)/);
      }
    });
  });

  it("calibrateFromHistory(history, query) names power-of-two size classes in words", () => {
    const words = (cores: number) => calibrateFromHistory([job(100, { cores })], { user: 12, cores }, { minMatches: 1 })!.detail.split(";")[0];
    expect([1, 2, 3, 4, 7, 1024, 2047].map(words)).toEqual([
      "history: 1 job of user 12 with 1 core",
      "history: 1 job of user 12 with 2-3 cores",
      "history: 1 job of user 12 with 2-3 cores",
      "history: 1 job of user 12 with 4-7 cores",
      "history: 1 job of user 12 with 4-7 cores",
      "history: 1 job of user 12 with 1024-2047 cores",
      "history: 1 job of user 12 with 1024-2047 cores",
    ]);
    // 8 cores is the next class: the 7-core job does not match at (a).
    expect(calibrateFromHistory([job(100, { cores: 7 })], { user: 12, cores: 8 }, { minMatches: 1 })!.detail).toMatch(/^history: 1 job of user 12, any size/);
  });

  it("calibrateFromHistory(history, query) skips records without a usable run time (and, with a walltime, requested time) and counts them", () => {
    const bad = [job(0), job(-1), job(Number.NaN), job(Number.POSITIVE_INFINITY)];
    const noWalltime = [job(100, { walltime: 0 }), job(100, { walltime: -1 })];
    const history = [...TENTHS.map((r) => job(r)), ...bad, ...noWalltime];
    const byRuntime = calibrateFromHistory(history, { user: 12, cores: 16 })!;
    // Without a walltime the two jobs with no requested time still count: 12 run times.
    expect(byRuntime.n).toBe(12);
    expect(byRuntime.detail).toContain("; 4 of 16 history records skipped (run time <= 0 or unknown)");
    const byRatio = calibrateFromHistory(history, { user: 12, cores: 16, walltime: 3600 })!;
    expect(byRatio.n).toBe(10);
    expect(byRatio.detail).toContain("; 6 of 16 history records skipped (run time <= 0 or unknown, or no requested time)");
    expect(calibrateFromHistory(TENTHS.map((r) => job(r)), { cores: 16 })!.detail).not.toContain("skipped");
  });

  it("calibrateFromHistory(history, query) is undefined for an empty history or one without a usable job", () => {
    expect(calibrateFromHistory([], { user: 12, cores: 16 })).toBeUndefined();
    expect(calibrateFromHistory([job(0), job(-1)], { user: 12, cores: 16 })).toBeUndefined();
    expect(calibrateFromHistory([job(100, { walltime: -1 })], { user: 12, cores: 16, walltime: 3600 })).toBeUndefined();
  });

  it("calibrateFromHistory(history, query with walltime Infinity) calibrates run times, as without a walltime", () => {
    const cal = calibrateFromHistory(
      TENTHS.map((r) => job(r)),
      { cores: 16, walltime: Number.POSITIVE_INFINITY },
    )!;
    expect(cal.runtime.mid).toBeCloseTo(550, 9);
  });

  it("calibrateFromHistory(history, query, options) refuses bad cores, walltime, minMatches and quantiles", () => {
    const h = [job(100)];
    expect(() => calibrateFromHistory(h, { cores: 0 })).toThrow("calibrateFromHistory: expected cores an integer >= 1, got 0");
    expect(() => calibrateFromHistory(h, { cores: 2.5 })).toThrow(RangeError);
    expect(() => calibrateFromHistory(h, { cores: 1, walltime: 0 })).toThrow("expected a walltime > 0 s (or none), got 0");
    expect(() => calibrateFromHistory(h, { cores: 1, walltime: Number.NaN })).toThrow(RangeError);
    expect(() => calibrateFromHistory(h, { cores: 1 }, { minMatches: 0 })).toThrow("expected minMatches an integer >= 1, got 0");
    expect(() => calibrateFromHistory(h, { cores: 1 }, { quantiles: [0.6, 0.9] })).toThrow("expected quantiles [low, high] with 0 <= low <= 0.5 <= high <= 1, got [0.6,0.9]");
  });

  it("calibrateFromHistory(history, query) keeps low <= mid <= high within the matched samples (property)", () => {
    const pastJob = fc.record({
      user: fc.constantFrom(-1, 1, 2, 3),
      cores: fc.constantFrom(-1, 1, 2, 3, 5, 8, 16, 17, 64),
      runtime: fc.oneof(fc.double({ min: 1e-3, max: 1e6, noNaN: true }), fc.constantFrom(0, -1, Number.NaN, Number.POSITIVE_INFINITY)),
      walltime: fc.oneof(fc.double({ min: 1, max: 1e6, noNaN: true }), fc.constantFrom(0, -1)),
    });
    const query = fc.record({
      user: fc.constantFrom(undefined, -1, 1, 2),
      cores: fc.integer({ min: 1, max: 100 }),
      walltime: fc.constantFrom(undefined, 60, 3600.5, 86_400),
    });
    const options = fc.record({
      minMatches: fc.integer({ min: 1, max: 8 }),
      quantiles: fc.tuple(fc.double({ min: 0, max: 0.5, noNaN: true }), fc.double({ min: 0.5, max: 1, noNaN: true })),
    });
    fc.assert(
      fc.property(fc.array(pastJob, { maxLength: 40 }), query, options, (history, q, o) => {
        const cal = calibrateFromHistory(history, q, o);
        // The reference: the levels written out directly.
        const usable = history.filter((j) => j.runtime > 0 && Number.isFinite(j.runtime) && (q.walltime === undefined || j.walltime > 0));
        if (usable.length === 0) return cal === undefined;
        const cls = (c: number) => (c >= 1 ? Math.floor(Math.log2(c)) : -1);
        const known = q.user !== undefined && q.user >= 0;
        const levels = [
          ...(known ? [usable.filter((j) => j.user === q.user && cls(j.cores) === cls(q.cores)), usable.filter((j) => j.user === q.user)] : []),
          usable.filter((j) => cls(j.cores) === cls(q.cores)),
          usable,
        ];
        const matched = levels.find((l) => l.length >= o.minMatches) ?? usable;
        const values = matched.map((j) => (q.walltime === undefined ? j.runtime : Math.min(j.runtime / j.walltime, 1) * q.walltime));
        const { low, mid, high } = cal!.runtime;
        expect(cal!.n).toBe(matched.length);
        expect(low).toBeLessThanOrEqual(mid);
        expect(mid).toBeLessThanOrEqual(high);
        expect(low).toBeGreaterThanOrEqual(Math.min(...values));
        expect(high).toBeLessThanOrEqual(Math.max(...values));
        return true;
      }),
      { numRuns: 500, seed: 12 },
    );
  });
});

describe("calibrateFromUser", () => {
  it("calibrateFromUser(runtime) gives low = mid = high = runtime, no samples and no quantiles", () => {
    expect(calibrateFromUser(5400)).toEqual({ source: "user", detail: "user: run time 90 min, no range given", n: 0, runtime: { low: 5400, mid: 5400, high: 5400 }, quantiles: null });
  });

  it("calibrateFromUser(runtime, spread) keeps the absolute low and high", () => {
    const cal = calibrateFromUser(3600, { low: 1800, high: 10_800 });
    expect(cal.runtime).toEqual({ low: 1800, mid: 3600, high: 10_800 });
    expect(cal.detail).toBe("user: run time 60 min, range 30 min to 3 h");
  });

  it("calibrateFromUser(runtime, spread) refuses a range that does not hold the run time, or a run time <= 0", () => {
    expect(() => calibrateFromUser(3600, { low: 4000, high: 5000 })).toThrow('calibrateFromUser: expected 0 < low <= runtime <= high s, all finite, got runtime 3600, spread {"low":4000,"high":5000}');
    expect(() => calibrateFromUser(0)).toThrow(RangeError);
    expect(() => calibrateFromUser(Number.NaN)).toThrow(RangeError);
    expect(() => calibrateFromUser(10, { low: 5, high: Number.POSITIVE_INFINITY })).toThrow(RangeError);
  });
});

describe("calibrateFromWalltime", () => {
  it("calibrateFromWalltime(walltime) uses the requested time as low, mid and high and says it is an upper bound", () => {
    expect(calibrateFromWalltime(7200)).toEqual({
      source: "walltime",
      detail: "walltime: the 2 h requested, an upper bound of the run time (the job is killed there); no spread known",
      n: 0,
      runtime: { low: 7200, mid: 7200, high: 7200 },
      quantiles: null,
    });
  });

  it("calibrateFromWalltime(walltime) refuses a walltime that is not finite and > 0", () => {
    for (const w of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => calibrateFromWalltime(w)).toThrow(RangeError);
  });
});

describe("calibrateFromSamples", () => {
  it("calibrateFromSamples(samples, what) defaults to p10 and p90, median as mid (simple-statistics type 7)", () => {
    const cal = calibrateFromSamples(TENTHS, "case A (cpu)");
    expect(cal.source).toBe("profile");
    expect(cal.n).toBe(10);
    expect(cal.quantiles).toEqual([0.1, 0.9]);
    expect(cal.runtime.low).toBeCloseTo(190, 9);
    expect(cal.runtime.mid).toBeCloseTo(550, 9);
    expect(cal.runtime.high).toBeCloseTo(910, 9);
    expect(cal.detail).toBe("profile: case A (cpu); 10 runs, run time p10 3.17 min, median 9.17 min, p90 15.2 min");
  });

  it("calibrateFromSamples([s], what) gives low = mid = high = s and no quantiles", () => {
    expect(calibrateFromSamples([3600], "one run")).toEqual({ source: "profile", detail: "profile: one run; one run, 60 min, no spread known", n: 1, runtime: { low: 3600, mid: 3600, high: 3600 }, quantiles: null });
  });

  it("calibrateFromSamples(samples, what, quantiles) takes the quantiles asked for; two samples interpolate", () => {
    // Two samples 600 and 610: index p -> 600 + 10 p; p25 602.5, median 605, p75 607.5.
    const cal = calibrateFromSamples([610, 600], "gpu", [0.25, 0.75]);
    expect(cal.runtime).toEqual({ low: 602.5, mid: 605, high: 607.5 });
    expect(cal.detail).toContain("p25 10 min, median 10.1 min, p75 10.1 min");
  });

  it("calibrateFromSamples(samples, what) refuses no samples or a sample not finite and > 0", () => {
    expect(() => calibrateFromSamples([], "x")).toThrow("calibrateFromSamples: expected at least one sample (x), got none");
    expect(() => calibrateFromSamples([10, -3], "x")).toThrow("calibrateFromSamples: expected run times finite and > 0 s (x), got -3");
    expect(() => calibrateFromSamples([10, 20], "x", [0.1, 0.4])).toThrow(RangeError);
  });
});

describe("runtimeRatios", () => {
  it("runtimeRatios(history) gives p10, median and p90 of run/requested time over every usable job, capped at 1", () => {
    // Ratios 0.05 .. 0.5 (as above) plus two left out (walltime 0, runtime 0).
    const history = [...TENTHS.map((r) => job(r)), job(100, { walltime: 0 }), job(0)];
    const r = runtimeRatios(history)!;
    expect(r.n).toBe(10);
    expect(r.low).toBeCloseTo(0.095, 12);
    expect(r.mid).toBeCloseTo(0.275, 12);
    expect(r.high).toBeCloseTo(0.455, 12);
    // Every job ran past its request: all ratios are 1.
    expect(runtimeRatios([job(3000), job(2500)], [0, 1])).toEqual({ low: 1, mid: 1, high: 1, n: 2 });
  });

  it("runtimeRatios(history) is undefined without a usable job", () => {
    expect(runtimeRatios([])).toBeUndefined();
    expect(runtimeRatios([job(100, { walltime: -1 })])).toBeUndefined();
  });

  it("runtimeRatios(history) keeps 0 < low <= mid <= high <= 1 (property)", () => {
    const pastJob = fc.record({ user: fc.constant(1), cores: fc.constant(1), runtime: fc.double({ min: 1e-3, max: 1e6, noNaN: true }), walltime: fc.double({ min: 1, max: 1e6, noNaN: true }) });
    fc.assert(
      fc.property(fc.array(pastJob, { minLength: 1, maxLength: 30 }), (history) => {
        const r = runtimeRatios(history)!;
        return r.low > 0 && r.low <= r.mid && r.mid <= r.high && r.high <= 1 && r.n === history.length;
      }),
      { numRuns: 300, seed: 5 },
    );
  });
});
