/**
 * Forecasts with a stated error: spread() on a hand-worked single segment, and
 * a Monte Carlo check that the actual mean's relative error around the
 * forecast has about the spread stated over many segments; meanInto() against
 * mean() per coordinate, to the bit, on random series and windows.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TimeSeries } from "../../../src/core/timeseries.js";
import { rngSeeded } from "../../../src/core/rng.js";
import { forecastFromActual } from "../../../src/models/forecast.js";
import type { IntensityModel } from "../../../src/models/platform.js";

/** A 1-d series of equal hourly segments. */
function hourly(values: number[]): IntensityModel {
  const starts = values.map((_, k) => k * 3600);
  return { series: new TimeSeries(starts, values, 1, values.length * 3600, "error"), basis: new Uint8Array(1), source: "test" };
}

describe("forecastFromActual", () => {
  it("a biased forecast states its bias and reads the actual series times (1 + bias)", () => {
    const f = forecastFromActual(hourly([1, 3]), { bias: 0.25, sigma: 0 }, rngSeeded(1));
    expect(f.bias).toBe(0.25);
    expect(f.mean(0, 7200)).toBe(2.5);
  });

  it("a perfect forecast equals the actual series and states no spread", () => {
    const f = forecastFromActual(hourly([1, 3]), { bias: 0, sigma: 0 }, rngSeeded(1));
    expect(f.mean(0, 7200)).toBe(2);
    expect(f.spread!(0, 7200)).toBe(0);
    expect(f.nextChange!(100)).toBe(3600);
    // The last segment of a series read in "error" mode has no successor.
    expect(f.nextChange!(3600)).toBe(Infinity);
  });

  it("within one segment the spread is sigma; a point window too", () => {
    const f = forecastFromActual(hourly([1, 3, 2]), { bias: 0, sigma: 0.2 }, rngSeeded(1));
    expect(f.spread!(100, 3000)).toBeCloseTo(0.2, 15);
    expect(f.spread!(5000, 5000)).toBe(0.2);
  });

  it("Monte Carlo: the relative error of the actual mean around the forecast mean has about the stated spread", () => {
    const actual = hourly(Array.from({ length: 24 }, (_, k) => 100 + 50 * Math.sin(k / 3)));
    const from = 2 * 3600 + 600;
    const to = 14 * 3600 + 1200;
    const truth = actual.series.integral(from, to) / (to - from);
    const errors: number[] = [];
    let spread = 0;
    for (let seed = 0; seed < 4000; seed++) {
      const f = forecastFromActual(actual, { bias: 0, sigma: 0.15 }, rngSeeded(seed));
      const mean = f.mean(from, to);
      errors.push((mean - truth) / truth);
      spread += f.spread!(from, to) / 4000;
    }
    const m = errors.reduce((a, b) => a + b, 0) / errors.length;
    const sd = Math.sqrt(errors.reduce((a, b) => a + (b - m) ** 2, 0) / (errors.length - 1));
    // 13 segments: about 0.15 / sqrt(13) = 0.042; sampling error of the sd over 4000 draws is about 1 %.
    expect(sd).toBeGreaterThan(0.9 * spread);
    expect(sd).toBeLessThan(1.1 * spread);
    expect(spread).toBeGreaterThan(0.035);
    expect(spread).toBeLessThan(0.05);
  });

  it("meanInto() gives every coordinate's mean() to the bit, on random series (held or repeated, one segment or many, constant columns, with forecast error) and windows in, before, across and past them", () => {
    // Values of either sign and zeros (some EF categories are negative); segment widths and window ends
    // in seconds, as a run reads them (whole and fractional).
    const value = fc.oneof(fc.constant(0), fc.double({ min: -5, max: 5, noNaN: true }), fc.integer({ min: -3, max: 3 }));
    const series = fc
      .record({
        widths: fc.array(fc.oneof(fc.integer({ min: 1, max: 7200 }), fc.double({ min: 0.5, max: 900, noNaN: true })), { minLength: 1, maxLength: 6 }),
        t0: fc.integer({ min: -3600, max: 3600 }),
        dim: fc.integer({ min: 1, max: 4 }),
        extension: fc.constantFrom("error" as const, "hold" as const, "repeat" as const),
        varying: fc.boolean(),
        error: fc.constantFrom({ bias: 0, sigma: 0 }, { bias: 0.1, sigma: 0 }, { bias: 0, sigma: 0.3 }),
      })
      .chain((x) => fc.record({ x: fc.constant(x), values: fc.array(value, { minLength: x.widths.length * x.dim, maxLength: x.widths.length * x.dim }) }));
    const point = fc.oneof(fc.integer({ min: -20000, max: 60000 }), fc.double({ min: -20000, max: 60000, noNaN: true }));
    fc.assert(
      fc.property(series, point, point, fc.boolean(), ({ x, values }, a, b, same) => {
        const starts = new Float64Array(x.widths.length);
        let t = x.t0;
        x.widths.forEach((w, k) => {
          starts[k] = t;
          t += w;
        });
        // Half the time the first coordinate varies and the rest are the first row's (adoptVarying).
        const s = x.varying
          ? TimeSeries.adoptVarying(starts, values.slice(0, x.dim), [0], Float64Array.from(x.widths, (_, k) => values[k * x.dim]), t, x.extension)
          : new TimeSeries(starts, values, x.dim, t, x.extension);
        const f = forecastFromActual({ series: s, basis: new Uint8Array(x.dim), source: "test" }, x.error, rngSeeded(3));
        const from = Math.min(a, b);
        const to = same ? from : Math.max(a, b);
        const out = new Float64Array(x.dim).fill(Number.NaN);
        f.meanInto!(from, to, out);
        for (let d = 0; d < x.dim; d++) expect(Object.is(out[d], f.mean(from, to, d)), `coordinate ${d}: ${out[d]} vs ${f.mean(from, to, d)}`).toBe(true);
      }),
      { numRuns: 2000, seed: 16 },
    );
  });
});
