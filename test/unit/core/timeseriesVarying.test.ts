import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eagerIntegral } from "../../helpers/eagerIntegral.js";
import { TimeSeries, type Extension } from "../../../src/core/index.js";

/**
 * TimeSeries.adoptVarying keeps the constant coordinates once instead of in
 * every row. Its values and integrals must be those of the dense series (the
 * constant row written into every row) to the bit, whatever the extension and
 * the order integrals are asked in: checked against the dense series and,
 * inside the span, against prefix sums summed eagerly in row order
 * (eagerIntegral).
 */

/** A random series: its segments, the constant row, which coordinates vary and their values. */
const arbCase = fc
  .record({
    widths: fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 1500 }),
    t0: fc.integer({ min: -100_000, max: 100_000 }),
    row: fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 7 }),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
    extension: fc.constantFrom<Extension>("error", "hold", "repeat"),
  })
  .chain((c) => fc.record({ c: fc.constant(c), varying: fc.shuffledSubarray([...c.row.keys()]) }))
  .map(({ c, varying }) => {
    const n = c.widths.length;
    const dim = c.row.length;
    const starts = new Float64Array(n);
    let t = c.t0;
    c.widths.forEach((w, k) => {
      starts[k] = t;
      t += w;
    });
    const values = new Float64Array(n * varying.length);
    let x = c.seed;
    for (let i = 0; i < values.length; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      values[i] = (x / 2147483648) * 800 - 100;
    }
    // The same series written out in full: the row everywhere, the varying columns over it.
    const dense = new Float64Array(n * dim);
    for (let k = 0; k < n; k++) {
      for (let d = 0; d < dim; d++) dense[k * dim + d] = c.row[d];
      varying.forEach((d, j) => (dense[k * dim + d] = values[k * varying.length + j]));
    }
    return { starts, end: t, row: Float64Array.from(c.row), varying, values, dense, dim, extension: c.extension };
  });

describe("TimeSeries.adoptVarying", () => {
  it("gives the dense series' values, integrals and changes to the bit, in any order, with every extension (property)", () => {
    fc.assert(
      fc.property(arbCase, fc.array(fc.tuple(fc.double({ min: -2.5, max: 3.5, noNaN: true }), fc.double({ min: -2.5, max: 3.5, noNaN: true })), { minLength: 1, maxLength: 25 }), (s, queries) => {
        const { starts, end, dim, extension } = s;
        const sparse = TimeSeries.adoptVarying(starts, s.row, s.varying, s.values, end, extension);
        const dense = new TimeSeries(starts, s.dense, dim, end, extension);
        const ref = eagerIntegral(starts, s.dense, dim, end);
        const t0 = starts[0];
        const span = end - t0;
        const outS = new Float64Array(dim);
        const outD = new Float64Array(dim);
        for (let k = 0; k < starts.length; k++) for (let d = 0; d < dim; d++) expect(sparse.value(k, d)).toBe(s.dense[k * dim + d]);
        for (const [u, v] of queries) {
          // Error mode: inside the span only; the others also before and past it (over whole periods when repeating).
          const clamp = (x: number) => (extension === "error" ? Math.min(Math.max(x, 0), 1) : x);
          const a = t0 + Math.min(clamp(u), clamp(v)) * span;
          const b = t0 + Math.max(clamp(u), clamp(v)) * span;
          sparse.integralInto(a, b, outS);
          dense.integralInto(a, b, outD);
          for (let d = 0; d < dim; d++) {
            const i = sparse.integral(a, b, d);
            expect(i).toBe(dense.integral(a, b, d));
            expect(outS[d]).toBe(outD[d]);
            if (a >= t0 && b <= end) expect(i).toBe(ref(a, b, d));
            if (extension !== "error" || a < end) expect(sparse.valueAt(a, d)).toBe(dense.valueAt(a, d));
          }
          if (extension !== "error" || a < end) expect(sparse.nextChange(a)).toBe(dense.nextChange(a));
        }
      }),
      { numRuns: 150 },
    );
  });

  it("shares its rows and sums with withExtension, and gives rows whole", () => {
    const starts = Float64Array.of(0, 10, 30);
    const s = TimeSeries.adoptVarying(starts, [7, 1, 3], [1], Float64Array.of(2, 5, 1), 40, "error");
    expect(s.dim).toBe(3);
    // Hand-computed: coordinate 1 is 2*10 + 5*20 + 1*10; the others their constant times 40 s.
    expect(s.integral(0, 40, 1)).toBe(130);
    expect(s.integral(0, 40, 0)).toBe(280);
    expect(s.integral(0, 40, 2)).toBe(120);
    expect([...s.row(1)]).toEqual([7, 5, 3]);
    const held = s.withExtension("hold");
    expect(held.integral(30, 50, 1)).toBe(20);
    expect(held.integral(30, 50, 0)).toBe(140);
    expect([...held.row(2)]).toEqual([7, 1, 3]);
  });

  it("refuses coordinates out of range or listed twice, values of the wrong length and non-finite values", () => {
    const starts = Float64Array.of(0, 10);
    expect(() => TimeSeries.adoptVarying(starts, [1, 2], [2], Float64Array.of(1, 2), 20)).toThrow(/distinct coordinates in \[0, 2\)/);
    expect(() => TimeSeries.adoptVarying(starts, [1, 2], [0, 0], Float64Array.of(1, 2, 3, 4), 20)).toThrow(/distinct coordinates/);
    expect(() => TimeSeries.adoptVarying(starts, [1, 2], [0], Float64Array.of(1, 2, 3), 20)).toThrow(/expected 2 values for 2 segments of 1 varying coordinate/);
    expect(() => TimeSeries.adoptVarying(starts, [1, Number.NaN], [0], Float64Array.of(1, 2), 20)).toThrow(/not finite/);
    expect(() => TimeSeries.adoptVarying(starts, [1, 2], [0], Float64Array.of(1, Number.POSITIVE_INFINITY), 20)).toThrow(/value 1 is not finite/);
    // No varying coordinate at all: a constant row over segments, still summed segment by segment.
    const flat = TimeSeries.adoptVarying(starts, [0.1, 3], [], new Float64Array(0), 20);
    expect(flat.integral(0, 20, 0)).toBe(0.1 * 10 + 0.1 * 10);
  });
});
