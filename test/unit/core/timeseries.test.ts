import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Extension, TimeSeries } from "../../../src/core/index.js";

/** 2 on [0, 10), 5 on [10, 30), 1 on [30, 40): one period integrates to 2*10 + 5*20 + 1*10 = 130. */
function steps(extension?: Extension): TimeSeries {
  return new TimeSeries([0, 10, 30], [2, 5, 1], 1, 40, extension);
}

/** 3 on [100, 110), 7 on [110, 130): period 30, one period integrates to 3*10 + 7*20 = 170. */
function periodic(): TimeSeries {
  return new TimeSeries([100, 110], [3, 7], 1, 130, "repeat");
}

const EXTENSIONS: readonly Extension[] = ["error", "hold", "repeat"];

/** A random series: strictly increasing starts from positive widths, values in [0.5, 100]. */
const arbSeries = fc
  .record({
    t0: fc.double({ min: -500, max: 500, noNaN: true }),
    widths: fc.array(fc.double({ min: 0.5, max: 50, noNaN: true }), { minLength: 1, maxLength: 8 }),
    dim: fc.integer({ min: 1, max: 4 }),
    extension: fc.constantFrom(...EXTENSIONS),
  })
  .chain(({ t0, widths, dim, extension }) =>
    fc.array(fc.double({ min: 0.5, max: 100, noNaN: true }), { minLength: widths.length * dim, maxLength: widths.length * dim }).map((values) => {
      const starts = [t0];
      for (let k = 1; k < widths.length; k++) starts.push(starts[k - 1] + widths[k - 1]);
      const end = starts[widths.length - 1] + widths[widths.length - 1];
      return new TimeSeries(starts, values, dim, end, extension);
    }),
  );

/**
 * Three times a <= b <= c with c - a >= 0.05, inside [starts[0], end) for "error"
 * series and up to three periods either side for the others.
 */
function arbTimes(s: TimeSeries): fc.Arbitrary<[number, number, number]> {
  const t0 = s.starts[0];
  const p = s.period;
  if (s.extension === "error") {
    return fc
      .tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }))
      .map(([x, y, z]) => {
        const [u, v, w] = [x, y, z].sort((m, n) => m - n);
        // a in the first 45 % of the span, c in the last 45 % but below end: c - a >= 0.1 * period >= 0.05.
        const a = t0 + u * p * 0.45;
        const c = t0 + p * 0.55 + w * p * 0.44;
        return [a, Math.min(c, Math.max(a, t0 + v * p * 0.99)), c] as [number, number, number];
      });
  }
  return fc
    .tuple(fc.double({ min: t0 - 3 * p, max: s.end + 3 * p, noNaN: true }), fc.double({ min: 0, max: 3 * p, noNaN: true }), fc.double({ min: 0.5, max: 3 * p, noNaN: true }))
    .map(([a, g1, g2]) => [a, a + g1, a + g1 + g2] as [number, number, number]);
}

describe("TimeSeries", () => {
  it("new TimeSeries(starts, values, dim, end) defaults to the \"error\" extension", () => {
    const s = new TimeSeries([0, 10], [1, 2, 3, 4], 2, 20);
    expect(s.extension).toBe("error");
    expect(s.dim).toBe(2);
    expect(s.length).toBe(2);
    expect(s.period).toBe(20);
    expect(s.end).toBe(20);
    // Segment-major: segment 1, coordinate 1 is values[1 * 2 + 1] = 4.
    expect(s.valueAt(15, 1)).toBe(4);
    // d defaults to coordinate 0.
    expect(s.valueAt(15)).toBe(3);
    expect(s.integral(0, 15)).toBe(1 * 10 + 3 * 5);
  });

  it("TimeSeries.constant(value) holds its value forever in every coordinate", () => {
    const s = TimeSeries.constant([4, 0.5]);
    expect(s.extension).toBe("hold");
    expect(s.dim).toBe(2);
    expect(s.valueAt(-1e9, 0)).toBe(4);
    expect(s.valueAt(1e9, 1)).toBe(0.5);
    // 0.5 over 1000 s = 500.
    expect(s.integral(-500, 500, 1)).toBe(500);
    expect(s.nextChange(-1e9)).toBe(0);
    expect(s.nextChange(0)).toBe(Infinity);
  });

  it("new TimeSeries(...).integral(a, b) sums value x width over the segments it crosses", () => {
    const s = steps();
    // [5, 35]: 2*(10-5) + 5*(30-10) + 1*(35-30) = 10 + 100 + 5 = 115.
    expect(s.integral(5, 35)).toBe(115);
    // Within one segment: 5 * (25 - 12) = 65.
    expect(s.integral(12, 25)).toBe(65);
    // Empty interval.
    expect(s.integral(7, 7)).toBe(0);
    // Exactly on boundaries: 5 * 20 = 100.
    expect(s.integral(10, 30)).toBe(100);
  });

  it("new TimeSeries(...).integral(b, a) with b > a throws a RangeError naming both", () => {
    expect(() => steps().integral(20, 10)).toThrowErrorMatchingInlineSnapshot(`[RangeError: TimeSeries.integral: expected a <= b, got a=20, b=10]`);
    expect(() => steps().integralInto(20, 10, new Float64Array(1))).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: TimeSeries.integralInto: expected a <= b, got a=20, b=10]`,
    );
  });

  it("new TimeSeries(...).valueAt(t) reads the segment whose start is the last one <= t", () => {
    const s = steps();
    expect(s.valueAt(0)).toBe(2);
    expect(s.valueAt(9.999)).toBe(2);
    expect(s.valueAt(10)).toBe(5);
    expect(s.valueAt(30)).toBe(1);
    expect(s.valueAt(39.999)).toBe(1);
  });

  it("new TimeSeries(..., \"error\").valueAt(t) outside [start, end) throws a RangeError naming the time", () => {
    const s = steps("error");
    expect(() => s.valueAt(-1)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: TimeSeries: time -1 s is outside the series [0, 40) s and the series does not extend]`,
    );
    expect(() => s.valueAt(40)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: TimeSeries: time 40 s is outside the series [0, 40) s and the series does not extend]`,
    );
    expect(() => s.integral(-5, 5)).toThrow(/time -5 s/);
    expect(() => s.integral(35, 45)).toThrow(/time 45 s/);
    expect(() => s.nextChange(-5)).toThrow(/time -5 s/);
  });

  // Regression (found at ea8e41f, fixed in b4edc60): cumulative(end) folded t = end, which fold()
  // treats as outside [t0, end), so integral(a, end) threw in "error" mode
  // although it needs values on [a, end) only. "error" is the default
  // series_extension of a scenario, so accounting up to the last row's end threw.
  it("new TimeSeries(..., \"error\").integral(a, end) integrates up to the end of the last segment", () => {
    const s = steps("error");
    // [30, 40]: 1 * 10 = 10; [0, 40]: 2*10 + 5*20 + 1*10 = 130.
    expect(s.integral(30, 40)).toBe(10);
    expect(s.integral(0, 40)).toBe(130);
    const out = new Float64Array(1);
    s.integralInto(0, 40, out);
    expect(out[0]).toBe(130);
  });

  it("new TimeSeries(..., \"hold\") holds the first value before the start and the last after the end", () => {
    const s = steps("hold");
    expect(s.valueAt(-100)).toBe(2);
    expect(s.valueAt(40)).toBe(1);
    expect(s.valueAt(1000)).toBe(1);
    // Before: 2 * (0 - -10) = 20. After: 1 * (50 - 40) = 10.
    expect(s.integral(-10, 0)).toBe(20);
    expect(s.integral(40, 50)).toBe(10);
    // Across everything: 20 + 130 + 10 = 160.
    expect(s.integral(-10, 50)).toBe(160);
    // Both ends before the start: 2 * 5 = 10.
    expect(s.integral(-20, -15)).toBe(10);
    const out = new Float64Array(1);
    s.integralInto(-10, 50, out);
    expect(out[0]).toBe(160);
  });

  it("new TimeSeries(..., \"repeat\").integral over two periods is twice one period", () => {
    const s = periodic();
    expect(s.period).toBe(30);
    expect(s.integral(100, 130)).toBe(170);
    expect(s.integral(100, 160)).toBe(2 * 170);
    // Any window of two periods, starting mid-segment: 340.
    expect(s.integral(105, 165)).toBe(2 * 170);
    // Windows entirely before the series: [40, 100] is two periods as well.
    expect(s.integral(40, 100)).toBe(2 * 170);
    // Crossing a period boundary: [125, 135] = 7*5 + 3*5 = 50.
    expect(s.integral(125, 135)).toBe(50);
  });

  it("new TimeSeries(..., \"repeat\").valueAt(t) is periodic", () => {
    const s = periodic();
    for (const t of [100, 105, 110, 129]) {
      expect(s.valueAt(t + 30)).toBe(s.valueAt(t));
      expect(s.valueAt(t + 300)).toBe(s.valueAt(t));
      expect(s.valueAt(t - 60)).toBe(s.valueAt(t));
    }
    // 135 folds to 105 (3) and 145 to 115 (7); 95 before the start folds to 125 (7).
    expect(s.valueAt(135)).toBe(3);
    expect(s.valueAt(145)).toBe(7);
    expect(s.valueAt(95)).toBe(7);
    expect(s.valueAt(130)).toBe(3);
  });

  it("new TimeSeries(..., \"repeat\").nextChange(t) crosses the period boundary", () => {
    const s = periodic();
    // Last segment [110, 130): the value changes back to 3 at 130, where the next period begins.
    expect(s.nextChange(125)).toBe(130);
    expect(s.nextChange(130)).toBe(140);
    expect(s.nextChange(140)).toBe(160);
    expect(s.nextChange(100)).toBe(110);
    // Before the series: 95 folds to 125 one period earlier, next change at 100.
    expect(s.nextChange(95)).toBe(100);
    // Two periods on: 185 folds to 125, next change at 130 + 60 = 190.
    expect(s.nextChange(185)).toBe(190);
  });

  it("new TimeSeries(...).nextChange(t) is the next segment start, and Infinity in the last segment for \"error\" and \"hold\"", () => {
    for (const extension of ["error", "hold"] as const) {
      const s = steps(extension);
      expect(s.nextChange(0)).toBe(10);
      expect(s.nextChange(5)).toBe(10);
      expect(s.nextChange(10)).toBe(30);
      expect(s.nextChange(30)).toBe(Infinity);
      expect(s.nextChange(39)).toBe(Infinity);
    }
    const hold = steps("hold");
    expect(hold.nextChange(-5)).toBe(0);
    expect(hold.nextChange(40)).toBe(Infinity);
    expect(hold.nextChange(1e6)).toBe(Infinity);
  });

  it("new TimeSeries(unsorted starts, ...) throws a RangeError naming both starts", () => {
    expect(() => new TimeSeries([0, 20, 10], [1, 2, 3], 1, 40)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: TimeSeries: segment starts must increase, got 20 then 10 at index 2]`,
    );
    expect(() => new TimeSeries([0, 0], [1, 2], 1, 40)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: TimeSeries: segment starts must increase, got 0 then 0 at index 1]`,
    );
    expect(() => new TimeSeries([0, NaN], [1, 2], 1, 40)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: TimeSeries: segment starts must increase, got 0 then NaN at index 1]`,
    );
  });

  it("new TimeSeries(starts, values of the wrong length, ...) throws a RangeError with both lengths", () => {
    expect(() => new TimeSeries([0, 10, 20], [1, 2, 3, 4, 5], 2, 30)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: TimeSeries: expected 6 values for 3 segments of dim 2, got 5]`,
    );
    expect(() => new TimeSeries([], [], 1, 30)).toThrowErrorMatchingInlineSnapshot(`[RangeError: TimeSeries: expected at least one segment, got 0]`);
    expect(() => new TimeSeries([0], [1], 0, 30)).toThrowErrorMatchingInlineSnapshot(`[RangeError: TimeSeries: expected dim >= 1, got 0]`);
    expect(() => new TimeSeries([0], [1], 1.5, 30)).toThrowErrorMatchingInlineSnapshot(`[RangeError: TimeSeries: expected dim >= 1, got 1.5]`);
  });

  it("new TimeSeries(..., NaN or Infinity values, ...) throws a RangeError naming the value and its index", () => {
    expect(() => new TimeSeries([0, 10, 20], [1, NaN, 3], 1, 30)).toThrowErrorMatchingInlineSnapshot(`[RangeError: TimeSeries: value 1 is not finite: NaN]`);
    expect(() => new TimeSeries([0, 10], [1, 2, 3, -Infinity], 2, 30)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: TimeSeries: value 3 is not finite: -Infinity]`,
    );
  });

  it("new TimeSeries(..., end <= last start) throws a RangeError naming both", () => {
    expect(() => new TimeSeries([0, 10], [1, 2], 1, 10)).toThrowErrorMatchingInlineSnapshot(`[RangeError: TimeSeries: expected end > last start 10, got 10]`);
    expect(() => new TimeSeries([0, 10], [1, 2], 1, NaN)).toThrowErrorMatchingInlineSnapshot(`[RangeError: TimeSeries: expected finite start and end, got 0 and NaN]`);
  });

  it("new TimeSeries(...) copies its inputs", () => {
    const starts = [0, 10];
    const values = [1, 2];
    const s = new TimeSeries(starts, values, 1, 20);
    starts[1] = 5;
    values[0] = 100;
    expect(s.valueAt(7)).toBe(1);
    expect(s.integral(0, 15)).toBe(1 * 10 + 2 * 5);
  });

  it("new TimeSeries(...).integralInto(a, b, out) matches integral(a, b, d) for every coordinate (property)", () => {
    fc.assert(
      fc.property(
        arbSeries.chain((s) => fc.tuple(fc.constant(s), arbTimes(s))),
        ([s, [a, , c]]) => {
          const out = new Float64Array(s.dim + 1).fill(-7);
          s.integralInto(a, c, out);
          for (let d = 0; d < s.dim; d++) {
            const expected = s.integral(a, c, d);
            expect(Math.abs(out[d] - expected)).toBeLessThanOrEqual(1e-12 * Math.abs(expected));
          }
          // Coordinates past dim are left alone.
          expect(out[s.dim]).toBe(-7);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("new TimeSeries(...).integralEachInto(a, b, out) is integral(a, b, d) for every coordinate to the bit, a one-segment held series included (property)", () => {
    const oneSegment = fc.record({ t0: fc.double({ min: -500, max: 500, noNaN: true }), width: fc.double({ min: 0.5, max: 50, noNaN: true }), v: fc.double({ min: -100, max: 100, noNaN: true }) }).map(({ t0, width, v }) => new TimeSeries([t0], [v, 2 * v], 2, t0 + width, "hold"));
    fc.assert(
      fc.property(
        fc.oneof(arbSeries, oneSegment).chain((s) => fc.tuple(fc.constant(s), arbTimes(s))),
        ([s, [a, , c]]) => {
          const out = new Float64Array(s.dim + 1).fill(-7);
          s.integralEachInto(a, c, out);
          for (let d = 0; d < s.dim; d++) expect(Object.is(out[d], s.integral(a, c, d)), `coordinate ${d}`).toBe(true);
          expect(out[s.dim]).toBe(-7);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("new TimeSeries(...) answers a run of queries as a fresh series answers each alone, to the bit: the segments its last searches found are hints, never answers (property)", () => {
    // A series queried many times (windows moving forward, jumps back, the ends of each window in turn) against a
    // new series with the same segments for every single query (no history).
    const fresh = (s: TimeSeries) => new TimeSeries(s.starts, Array.from({ length: s.length * s.dim }, (_, i) => s.value(Math.floor(i / s.dim), i % s.dim)), s.dim, s.end, s.extension);
    fc.assert(
      fc.property(
        arbSeries.chain((s) => fc.tuple(fc.constant(s), fc.array(arbTimes(s), { minLength: 1, maxLength: 40 }), fc.array(fc.nat({ max: s.length - 1 }), { maxLength: 20 }))),
        ([s, queries, at]) => {
          for (const [a, b, c] of queries) {
            for (let d = 0; d < s.dim; d++) {
              expect(s.integral(a, c, d)).toBe(fresh(s).integral(a, c, d));
              expect(s.integral(b, c, d)).toBe(fresh(s).integral(b, c, d));
              expect(s.valueAt(b, d)).toBe(fresh(s).valueAt(b, d));
            }
          }
          // Exactly at segment starts, where a hint's segment ends and the next begins.
          for (const k of at) {
            const t = s.starts[k];
            expect(s.valueAt(t, 0)).toBe(fresh(s).valueAt(t, 0));
            expect(s.integral(s.starts[0], t, 0)).toBe(fresh(s).integral(s.starts[0], t, 0));
          }
        },
      ),
      { numRuns: 300, seed: 11 },
    );
  });

  it("new TimeSeries(...).integral(a, b) + integral(b, c) = integral(a, c) within 1e-9 relative (property)", () => {
    fc.assert(
      fc.property(
        arbSeries.chain((s) => fc.tuple(fc.constant(s), arbTimes(s), fc.nat({ max: 3 }))),
        ([s, [a, b, c], dRaw]) => {
          const d = dRaw % s.dim;
          const ab = s.integral(a, b, d);
          const bc = s.integral(b, c, d);
          const ac = s.integral(a, c, d);
          // Values are >= 0.5 and c - a >= 0.05, so ac >= 0.025 is far from zero, while rounding
          // in the prefix sums (magnitudes <= 100 * 10 periods of <= 400 s) is about 1e-11.
          expect(Math.abs(ab + bc - ac)).toBeLessThanOrEqual(1e-9 * ac);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("new TimeSeries(...).integral(a, b) lies between min and max value times (b - a) (property)", () => {
    fc.assert(
      fc.property(
        arbSeries.chain((s) => fc.tuple(fc.constant(s), arbTimes(s))),
        ([s, [a, , c]]) => {
          let lo = Infinity;
          let hi = -Infinity;
          for (let k = 0; k < s.length; k++) {
            lo = Math.min(lo, s.value(k, 0));
            hi = Math.max(hi, s.value(k, 0));
          }
          const i = s.integral(a, c, 0);
          const tol = 1e-9 * hi * Math.max(1, c - a);
          expect(i).toBeGreaterThanOrEqual(lo * (c - a) - tol);
          expect(i).toBeLessThanOrEqual(hi * (c - a) + tol);
        },
      ),
      { numRuns: 300 },
    );
  });
});
