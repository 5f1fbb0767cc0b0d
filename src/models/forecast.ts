/**
 * Forecasts of impact intensity, separate from the actuals: built once from the
 * actual series with a configurable multiplicative error per segment
 * (value * (1 + bias + sigma * N(0,1)), floored at 0), drawn from a seeded RNG.
 * With bias = sigma = 0 it equals the actual series (perfect foresight, to be
 * said so in results).
 *
 * Past the end of an actual series that does not extend, a forecast holds its
 * last value (a persistence forecast): a policy may look ahead of the data it
 * has, as real forecasts do, while the run itself is refused before it needs
 * actual intensities the series do not give (models/coverage.ts).
 */
import { TimeSeries } from "../core/index.js";
import type { Rng } from "../core/index.js";
import type { IntensityModel } from "./platform.js";

export interface ForecastError {
  /** Relative bias, e.g. 0.1 for forecasts 10 % high. */
  readonly bias: number;
  /** Relative standard deviation of the per-segment noise. */
  readonly sigma: number;
}

/** A forecast of one site's impact intensity: what a policy may know of the future. */
export interface IntensityForecast {
  /** Mean forecast intensity of coordinate `category` (default 0, climate change) over [from, to], per joule. */
  mean(from: number, to: number, category?: number): number;
  /**
   * Every coordinate's mean over [from, to] into `out` (the series' dimension
   * long), each equal to the bit to what mean gives it: for planners that
   * price all categories at once (models/charge forecastIntegralInto), with
   * one search of the series per window end instead of two per coordinate.
   * Optional: callers fall back to mean per coordinate. A forecast made from
   * another must not pass this one on unless its mean is the other's.
   */
  meanInto?(from: number, to: number, out: Float64Array): void;
  /** Forecast intensity at time t, per joule. */
  at(t: number, category?: number): number;
  /** Relative bias the forecast is known to carry (forecast = actual x (1 + bias) on average); absent: none stated. */
  readonly bias?: number;
  /** The first time after t the forecast changes (Infinity when it never does); optional for hand-made forecasts. */
  nextChange?(t: number): number;
  /**
   * Relative standard deviation of the actual mean over [from, to] around this
   * forecast's mean, from the forecast's error model (0 for a perfect one);
   * optional for hand-made forecasts, which state no error.
   */
  spread?(from: number, to: number, category?: number): number;
}

export function forecastFromActual(actual: IntensityModel, error: ForecastError, rng: Rng): IntensityForecast {
  const s = actual.series;
  let series = s;
  const extension = s.extension === "error" ? "hold" : s.extension;
  if (error.bias !== 0 || error.sigma !== 0) {
    // Every coordinate of a row times that row's draw: all of them vary now, so the forecast keeps every row.
    const values = new Float64Array(s.length * s.dim);
    const row = new Float64Array(s.dim);
    for (let k = 0; k < s.length; k++) {
      const f = Math.max(0, 1 + error.bias + error.sigma * rng.normal());
      s.row(k, row);
      for (let d = 0; d < s.dim; d++) values[k * s.dim + d] = row[d] * f;
    }
    series = TimeSeries.adopt(s.starts, values, s.dim, s.end, extension);
  } else series = s.withExtension(extension);
  const mean = (from: number, to: number, category = 0): number => (to > from ? series.integral(from, to, category) / (to - from) : series.valueAt(from, category));
  return {
    mean,
    meanInto(from, to, out) {
      const dim = series.dim;
      if (!(to > from)) {
        for (let d = 0; d < dim; d++) out[d] = mean(from, to, d);
        return;
      }
      series.integralEachInto(from, to, out);
      const width = to - from;
      for (let d = 0; d < dim; d++) out[d] = out[d] / width;
    },
    at(t, category = 0) {
      return series.valueAt(t, category);
    },
    bias: error.bias,
    nextChange: (t) => series.nextChange(t),
    spread(from, to, category = 0) {
      // Independent noise per segment: the window mean's error has sd sigma * sqrt(sum of w_k^2),
      // w_k the share of the window's integral in segment k. A repeating series reuses its
      // segments' draws, so windows longer than a period are correlated more than this says.
      if (error.sigma === 0) return 0;
      if (!(to > from)) return error.sigma;
      let total = 0;
      let squares = 0;
      for (let t = from; t < to; ) {
        const next = Math.min(series.nextChange(t), to);
        const part = series.integral(t, next, category);
        total += part;
        squares += part * part;
        t = next;
      }
      return total > 0 ? (error.sigma * Math.sqrt(squares)) / total : 0;
    },
  };
}
