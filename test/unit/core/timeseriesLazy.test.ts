import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eagerIntegral } from "../../helpers/eagerIntegral.js";
import { TimeSeries } from "../../../src/core/index.js";

/**
 * Prefix sums are filled on demand (a block of rows at a time). The oracle
 * (eagerIntegral) sums every row eagerly in row order, as the series did
 * before, so integrals must be equal to the bit whatever order they are asked in.
 */

/** 12,000 rows of 900 s (many prefix blocks), dim 3, values from a seeded generator. */
function big() {
  const n = 12_000;
  const dim = 3;
  const starts = new Float64Array(n);
  const values = new Float64Array(n * dim);
  let x = 12345;
  for (let k = 0; k < n; k++) starts[k] = 1_577_836_800 + k * 900;
  for (let i = 0; i < values.length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    values[i] = 50 + (x / 2147483648) * 400;
  }
  return { starts, values, dim, end: starts[n - 1] + 900 };
}

describe("TimeSeries prefix sums filled on demand", () => {
  it("integral(a, b, d) asked in any order equals the eagerly summed oracle to the bit (property)", () => {
    const { starts, values, dim, end } = big();
    const ref = eagerIntegral(starts, values, dim, end);
    const t0 = starts[0];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: dim - 1 })), { minLength: 1, maxLength: 20 }), (queries) => {
        const s = new TimeSeries(starts, values, dim, end);
        const out = new Float64Array(dim);
        for (const [u, v, d] of queries) {
          const a = t0 + Math.min(u, v) * (end - t0);
          const b = t0 + Math.max(u, v) * (end - t0);
          expect(s.integral(a, b, d)).toBe(ref(a, b, d));
          s.integralInto(a, b, out);
          expect(out[d]).toBe(ref(a, b, d));
        }
      }),
      { numRuns: 60 },
    );
  });

  it("a series made by withExtension shares the sums and integrates as a fresh series does", () => {
    const { starts, values, dim, end } = big();
    const ref = eagerIntegral(starts, values, dim, end);
    const s = new TimeSeries(starts, values, dim, end);
    const held = s.withExtension("hold");
    const late = starts[11_000];
    expect(held.integral(starts[0], late, 1)).toBe(ref(starts[0], late, 1));
    expect(s.integral(starts[10], late, 2)).toBe(ref(starts[10], late, 2));
    // Past the end the held series goes on at the last value.
    expect(held.integral(late, end + 900, 0)).toBe(ref(late, end, 0) + values[(starts.length - 1) * dim] * 900);
  });

  it("TimeSeries.adopt keeps the caller's arrays and checks them as the constructor does", () => {
    const starts = Float64Array.of(0, 10, 30);
    const values = Float64Array.of(2, 5, 1);
    const s = TimeSeries.adopt(starts, values, 1, 40);
    expect(s.starts).toBe(starts);
    // Kept, not copied: a write to the caller's array (which adopt's callers never make) shows through.
    values[1] = 6;
    expect(s.value(1)).toBe(6);
    values[1] = 5;
    expect(s.integral(0, 40)).toBe(130); // 2*10 + 5*20 + 1*10
    expect(() => TimeSeries.adopt(starts, Float64Array.of(2, Number.NaN, 1), 1, 40)).toThrow(/value 1 is not finite/);
    // The constructor still copies after a refused adopt.
    const copied = new TimeSeries(starts, values, 1, 40);
    expect(copied.starts).not.toBe(starts);
  });
});
