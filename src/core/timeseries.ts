/**
 * A piecewise-constant series of vectors (e.g. per-kWh impact intensity, PUE,
 * power budget): segment k holds `values[k]` on [starts[k], starts[k+1]), the
 * last one until `end`. Integrals are exact, from prefix sums, so accounting
 * never samples on a tick.
 *
 * Outside [starts[0], end) the series either refuses (RangeError), holds its
 * edge values, or repeats itself with period end - starts[0] (an explicit,
 * documented assumption used to run long traces on one year of grid data).
 */
export type Extension = "error" | "hold" | "repeat";

/** Set by withExtension for the one construction that shares an existing series' arrays. */
let sharing: TimeSeries | undefined;
/** Set by adopt for the one construction that keeps its caller's arrays instead of copying them. */
let adopting = false;

/** Rows of prefix sums filled at a time, on demand (about 42 days of 15-min rows). */
const PREFIX_BLOCK = 4096;

/**
 * Prefix sums filled on demand, in row order, so every sum is the same
 * sequence of additions as when they were all filled at once: a cold start
 * that integrates over a few days of a year of 15-min rows touches (and pays
 * the page faults of) the rows up to those days only. Shared by the series
 * withExtension makes from one another.
 */
class PrefixSums {
  /** sums[k*dim + d] = integral of coordinate d from starts[0] to starts[k] (k = n gives the end); rows 0..filled are set. */
  readonly sums: Float64Array;
  filled = 0;
  constructor(
    private readonly starts: Float64Array,
    private readonly values: Float64Array,
    private readonly dim: number,
    private readonly end: number,
  ) {
    this.sums = new Float64Array((starts.length + 1) * dim);
  }

  /** Fills the sums of rows up to k (at least; a block at a time) and returns them. */
  upTo(k: number): Float64Array {
    if (k > this.filled) this.fill(Math.min(this.starts.length, Math.max(k, this.filled + PREFIX_BLOCK)));
    return this.sums;
  }

  private fill(to: number): void {
    const { starts, values, dim, end, sums } = this;
    const n = starts.length;
    for (let k = this.filled; k < to; k++) {
      const width = (k + 1 < n ? starts[k + 1] : end) - starts[k];
      const at = k * dim;
      for (let d = 0; d < dim; d++) sums[at + dim + d] = sums[at + d] + values[at + d] * width;
    }
    this.filled = to;
  }
}

export class TimeSeries {
  readonly dim: number;
  readonly starts: Float64Array;
  readonly end: number;
  readonly values: Float64Array;
  readonly extension: Extension;
  private readonly prefix: PrefixSums;

  /**
   * @param starts segment start times in seconds, strictly increasing
   * @param values n*dim values, segment-major
   * @param end end of the last segment (> last start)
   * @throws RangeError on unsorted starts, wrong lengths or non-finite values
   */
  constructor(starts: ArrayLike<number>, values: ArrayLike<number>, dim: number, end: number, extension: Extension = "error") {
    if (sharing !== undefined) {
      // withExtension: the same checked segments and sums, fields set in the same order (one object shape for all series).
      const from = sharing;
      sharing = undefined;
      this.dim = from.dim;
      this.starts = from.starts;
      this.values = from.values;
      this.end = from.end;
      this.extension = extension;
      this.prefix = from.prefix;
      return;
    }
    const adopt = adopting;
    adopting = false;
    const n = starts.length;
    if (n === 0) throw new RangeError("TimeSeries: expected at least one segment, got 0");
    if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`TimeSeries: expected dim >= 1, got ${dim}`);
    if (values.length !== n * dim) throw new RangeError(`TimeSeries: expected ${n * dim} values for ${n} segments of dim ${dim}, got ${values.length}`);
    checkIncreasing(starts);
    if (!Number.isFinite(starts[0]) || !Number.isFinite(end)) throw new RangeError(`TimeSeries: expected finite start and end, got ${starts[0]} and ${end}`);
    if (!(end > starts[n - 1])) throw new RangeError(`TimeSeries: expected end > last start ${starts[n - 1]}, got ${end}`);
    checkFinite(values);
    this.dim = dim;
    this.starts = adopt ? (starts as Float64Array) : copyOf(starts);
    this.values = adopt ? (values as Float64Array) : copyOf(values);
    this.end = end;
    this.extension = extension;
    this.prefix = new PrefixSums(this.starts, this.values, dim, end);
  }

  /**
   * A series on the caller's own arrays, kept rather than copied (a year of
   * 15-min rows of 18 coordinates is 5 MB, and a fresh copy's page faults cost
   * a cold start more than the copying): for arrays made for this series and
   * never written afterwards. Checked as the constructor checks.
   * @throws RangeError as the constructor does
   */
  static adopt(starts: Float64Array, values: Float64Array, dim: number, end: number, extension: Extension = "error"): TimeSeries {
    adopting = true;
    try {
      return new TimeSeries(starts, values, dim, end, extension);
    } finally {
      adopting = false;
    }
  }

  /**
   * The same segments with another extension, sharing this series' arrays
   * (never written after construction): a forecast that only holds where the
   * actual series refuses, without copying and summing a year of 15-min rows
   * again.
   */
  withExtension(extension: Extension): TimeSeries {
    if (extension === this.extension) return this;
    sharing = this;
    return new TimeSeries(this.starts, this.values, this.dim, this.end, extension);
  }

  /** A constant series (one segment, held forever). */
  static constant(value: ArrayLike<number>): TimeSeries {
    return new TimeSeries([0], value, value.length, 1, "hold");
  }

  get length(): number {
    return this.starts.length;
  }

  get period(): number {
    return this.end - this.starts[0];
  }

  /** Index of the segment containing t within one period (t already folded). */
  private indexIn(t: number): number {
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid] <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Whole periods removed by the last fold(): a field, not a returned pair, so no array is made per integral. */
  private foldCycles = 0;

  /** Folds t into [starts[0], end) and returns the folded t; the number of whole periods removed is left in foldCycles. */
  private fold(t: number): number {
    const t0 = this.starts[0];
    this.foldCycles = 0;
    if (t >= t0 && t < this.end) return t;
    if (this.extension === "repeat") {
      const cycles = Math.floor((t - t0) / this.period);
      this.foldCycles = cycles;
      return t - cycles * this.period;
    }
    if (this.extension === "hold") return Math.min(Math.max(t, t0), this.end);
    throw new RangeError(`TimeSeries: time ${t} s is outside the series [${t0}, ${this.end}) s and the series does not extend`);
  }

  /** Value of coordinate d at time t. */
  valueAt(t: number, d = 0): number {
    const ft = this.fold(t);
    const k = ft >= this.end ? this.starts.length - 1 : this.indexIn(ft);
    return this.values[k * this.dim + d];
  }

  /** Integral of coordinate d from starts[0] to t (t may lie outside when the series extends). */
  private cumulative(t: number, d: number): number {
    const t0 = this.starts[0];
    const n = this.starts.length;
    if (this.extension === "hold") {
      if (t < t0) return -this.values[d] * (t0 - t);
      if (t >= this.end) return this.prefix.upTo(n)[n * this.dim + d] + this.values[(n - 1) * this.dim + d] * (t - this.end);
    }
    // Integrals may run up to the exact end of a series that does not extend.
    if (t === this.end) return this.prefix.upTo(n)[n * this.dim + d];
    const ft = this.fold(t);
    const cycles = this.foldCycles;
    const k = this.indexIn(ft);
    const prefix = this.prefix.upTo(cycles === 0 ? k : n);
    const within = prefix[k * this.dim + d] + this.values[k * this.dim + d] * (ft - this.starts[k]);
    return cycles === 0 ? within : cycles * prefix[n * this.dim + d] + within;
  }

  /** Exact integral of coordinate d over [a, b] (value x seconds). */
  integral(a: number, b: number, d = 0): number {
    if (b < a) throw new RangeError(`TimeSeries.integral: expected a <= b, got a=${a}, b=${b}`);
    if (a === b) return 0;
    return this.cumulative(b, d) - this.cumulative(a, d);
  }

  /** Adds into out[d] the integral of every coordinate from starts[0] to t, times k. */
  private cumulativeAdd(t: number, out: Float64Array, k: number): void {
    const dim = this.dim;
    if (this.extension === "hold" && (t < this.starts[0] || t >= this.end)) {
      for (let d = 0; d < dim; d++) out[d] += k * this.cumulative(t, d);
      return;
    }
    const n = this.starts.length;
    if (t === this.end) {
      const prefix = this.prefix.upTo(n);
      for (let d = 0; d < dim; d++) out[d] += k * prefix[n * dim + d];
      return;
    }
    const ft = this.fold(t);
    const cycles = this.foldCycles;
    const i = this.indexIn(ft);
    const prefix = this.prefix.upTo(cycles === 0 ? i : n);
    const dt = ft - this.starts[i];
    for (let d = 0; d < dim; d++) {
      const within = prefix[i * dim + d] + this.values[i * dim + d] * dt;
      out[d] += k * (cycles === 0 ? within : cycles * prefix[n * dim + d] + within);
    }
  }

  /** out[d] = integral over [a, b] of every coordinate (one search per endpoint). */
  integralInto(a: number, b: number, out: Float64Array): void {
    if (b < a) throw new RangeError(`TimeSeries.integralInto: expected a <= b, got a=${a}, b=${b}`);
    if (this.starts.length === 1 && this.extension === "hold") {
      // constant series: value x duration, no search
      for (let d = 0; d < this.dim; d++) out[d] = this.values[d] * (b - a);
      return;
    }
    out.fill(0, 0, this.dim);
    if (a === b) return;
    this.cumulativeAdd(b, out, 1);
    this.cumulativeAdd(a, out, -1);
  }

  /** The first segment boundary strictly after t, or Infinity when the value never changes again. */
  nextChange(t: number): number {
    const t0 = this.starts[0];
    if (this.extension === "hold") {
      if (t < t0) return t0;
      const k = this.indexIn(Math.min(t, this.end));
      return k + 1 < this.starts.length && this.starts[k + 1] > t ? this.starts[k + 1] : Infinity;
    }
    const ft = this.fold(t);
    const cycles = this.foldCycles;
    const k = this.indexIn(ft);
    const base = cycles * this.period;
    if (k + 1 < this.starts.length) return base + this.starts[k + 1];
    // In "error" mode the last segment has no successor: reading past end throws instead.
    return this.extension === "repeat" ? base + this.end : Infinity;
  }
}

/** A copy as a Float64Array (a typed array's by one block copy). */
function copyOf(a: ArrayLike<number>): Float64Array {
  return a instanceof Float64Array ? a.slice() : Float64Array.from(a);
}

function checkIncreasing(starts: ArrayLike<number>): void {
  for (let k = 1; k < starts.length; k++) {
    if (!(starts[k] > starts[k - 1])) throw new RangeError(`TimeSeries: segment starts must increase, got ${starts[k - 1]} then ${starts[k]} at index ${k}`);
  }
}

function checkFinite(values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`TimeSeries: value ${i} is not finite: ${values[i]}`);
  }
}
