/**
 * A piecewise-constant series of vectors (e.g. per-kWh impact intensity, PUE,
 * power budget): segment k holds row k on [starts[k], starts[k+1]), the last
 * one until `end`. Integrals are exact, from prefix sums, so accounting never
 * samples on a tick.
 *
 * Coordinates that never change (a grid series gives CC alone; the other
 * categories are the zone's constants) may be kept once instead of in every
 * row (TimeSeries.adoptVarying): a year of 15-min rows of 18 coordinates is
 * 5 MB, and on a cold start its page faults cost more than the arithmetic.
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
/** Set by adoptVarying: the coordinates its values give, and the constant row of the others. */
let adoptingColumns: { varying: Int32Array; fixed: Float64Array } | undefined;

/**
 * Rows of prefix sums filled at least at a time, on demand (about 5 days of
 * 15-min rows): small, as a cold start pays each page of sums it touches.
 */
const PREFIX_BLOCK = 512;

/**
 * The rows of a series: `values` holds, row-major, the coordinates listed in
 * `varying` (column j of a row is coordinate varying[j]); every other
 * coordinate d is fixed[d] in every row. A dense series lists them all.
 */
class Rows {
  /** Stored columns per row. */
  readonly width: number;
  /** Coordinates not stored, each fixed[d] in every row. */
  readonly constant: Int32Array;
  /** Column of coordinate d in a stored row, or -1 when it is constant. */
  readonly column: Int32Array;
  constructor(
    readonly values: Float64Array,
    readonly varying: Int32Array,
    readonly fixed: Float64Array,
    readonly dim: number,
  ) {
    this.width = varying.length;
    this.column = new Int32Array(dim).fill(-1);
    varying.forEach((d, j) => (this.column[d] = j));
    const constant: number[] = [];
    for (let d = 0; d < dim; d++) if (this.column[d] < 0) constant.push(d);
    this.constant = Int32Array.from(constant);
  }

  /** All coordinates stored, in order. */
  static dense(values: Float64Array, dim: number): Rows {
    return new Rows(values, Int32Array.from({ length: dim }, (_, d) => d), new Float64Array(dim), dim);
  }

  get dense(): boolean {
    return this.width === this.dim;
  }

  /** Coordinate d of row k. */
  at(k: number, d: number): number {
    const c = this.column[d];
    return c < 0 ? this.fixed[d] : this.values[k * this.width + c];
  }
}

/**
 * Prefix sums filled on demand, in row order, so every sum is the same
 * sequence of additions as when they were all filled at once: a cold start
 * that integrates over a few days of a year of 15-min rows touches (and pays
 * the page faults of) the rows up to those days only. A constant coordinate
 * is summed as it would be were its value stored in every row (the same
 * product and addition per row), so its sums are those of the dense series to
 * the bit. Shared by the series withExtension makes from one another.
 */
class PrefixSums {
  /** sums[k*dim + d] = integral of coordinate d from starts[0] to starts[k] (k = n gives the end); rows 0..filled are set. */
  readonly sums: Float64Array;
  filled = 0;
  constructor(
    private readonly starts: Float64Array,
    private readonly rows: Rows,
    private readonly end: number,
  ) {
    this.sums = new Float64Array((starts.length + 1) * rows.dim);
  }

  /** Fills the sums of rows up to k (at least; a block at a time) and returns them. */
  upTo(k: number): Float64Array {
    if (k > this.filled) this.fill(Math.min(this.starts.length, Math.max(k, this.filled + PREFIX_BLOCK)));
    return this.sums;
  }

  private fill(to: number): void {
    const { starts, end, sums } = this;
    const { values, varying, constant, fixed, dim, width: w } = this.rows;
    const n = starts.length;
    const nc = constant.length;
    for (let k = this.filled; k < to; k++) {
      const width = (k + 1 < n ? starts[k + 1] : end) - starts[k];
      const at = k * dim;
      const row = k * w;
      for (let j = 0; j < w; j++) {
        const d = varying[j];
        sums[at + dim + d] = sums[at + d] + values[row + j] * width;
      }
      for (let j = 0; j < nc; j++) {
        const d = constant[j];
        sums[at + dim + d] = sums[at + d] + fixed[d] * width;
      }
    }
    this.filled = to;
  }
}

export class TimeSeries {
  readonly dim: number;
  readonly starts: Float64Array;
  readonly end: number;
  readonly extension: Extension;
  private readonly rows: Rows;
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
      this.end = from.end;
      this.extension = extension;
      this.rows = from.rows;
      this.prefix = from.prefix;
      return;
    }
    const adopt = adopting;
    const columns = adoptingColumns;
    adopting = false;
    adoptingColumns = undefined;
    const n = starts.length;
    if (n === 0) throw new RangeError("TimeSeries: expected at least one segment, got 0");
    if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`TimeSeries: expected dim >= 1, got ${dim}`);
    const width = columns ? columns.varying.length : dim;
    if (values.length !== n * width) throw new RangeError(`TimeSeries: expected ${n * width} values for ${n} segments of ${columns ? `${width} varying coordinate(s)` : `dim ${dim}`}, got ${values.length}`);
    checkIncreasing(starts);
    if (!Number.isFinite(starts[0]) || !Number.isFinite(end)) throw new RangeError(`TimeSeries: expected finite start and end, got ${starts[0]} and ${end}`);
    if (!(end > starts[n - 1])) throw new RangeError(`TimeSeries: expected end > last start ${starts[n - 1]}, got ${end}`);
    checkFinite(values);
    this.dim = dim;
    this.starts = adopt ? (starts as Float64Array) : copyOf(starts);
    this.end = end;
    this.extension = extension;
    const kept = adopt ? (values as Float64Array) : copyOf(values);
    this.rows = columns ? new Rows(kept, columns.varying, columns.fixed, dim) : Rows.dense(kept, dim);
    this.prefix = new PrefixSums(this.starts, this.rows, end);
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
   * As adopt, for a series whose coordinates are `row` at all times except
   * those listed in `varying`, which `values` gives per segment (row-major,
   * n x varying.length; column j is coordinate varying[j]). Values and
   * integrals are those of the dense series with `row` in every segment and
   * `values` in its columns, to the bit; only the constant part is kept once.
   * @throws RangeError as the constructor does, on a coordinate out of range or listed twice, or a non-finite `row`
   */
  static adoptVarying(starts: Float64Array, row: ArrayLike<number>, varying: readonly number[], values: Float64Array, end: number, extension: Extension = "error"): TimeSeries {
    const dim = row.length;
    const seen = new Set<number>();
    for (const d of varying) {
      if (!Number.isInteger(d) || d < 0 || d >= dim || seen.has(d)) throw new RangeError(`TimeSeries: expected distinct coordinates in [0, ${dim}) as varying columns, got ${varying.join(", ")}`);
      seen.add(d);
    }
    checkFinite(row);
    adopting = true;
    adoptingColumns = { varying: Int32Array.from(varying), fixed: Float64Array.from(row) };
    try {
      return new TimeSeries(starts, values, dim, end, extension);
    } finally {
      adopting = false;
      adoptingColumns = undefined;
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
    return new TimeSeries(this.starts, this.rows.values, this.dim, this.end, extension);
  }

  /** Coordinate d of segment k (0 <= k < length). */
  value(k: number, d = 0): number {
    return this.rows.at(k, d);
  }

  /** Segment k's values of every coordinate, into `out` (dim long; a new array when not given). */
  row(k: number, out: Float64Array = new Float64Array(this.dim)): Float64Array {
    for (let d = 0; d < this.dim; d++) out[d] = this.rows.at(k, d);
    return out;
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

  /**
   * The segments the last two searches found (a hint, never a result: a
   * segment is taken from them only when it holds t). Integrals ask for a
   * window's two ends in turn, and a planner's windows move forward a step at
   * a time, so most searches end at a kept segment or the one after.
   */
  private hintA = 0;
  private hintB = 0;

  /** Index of the segment containing t within one period (t already folded): the last segment starting at or before t (0 before the first). */
  private indexIn(t: number): number {
    const s = this.starts;
    const last = s.length - 1;
    const a = this.hintA;
    if (s[a] <= t) {
      if (a === last || t < s[a + 1]) return a;
      if (a + 1 === last || t < s[a + 2]) return (this.hintA = a + 1);
    }
    const b = this.hintB;
    if (s[b] <= t) {
      if (b === last || t < s[b + 1]) return this.swapHints(b);
      if (b + 1 === last || t < s[b + 2]) return this.swapHints(b + 1);
    }
    let lo = 0;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid] <= t) lo = mid;
      else hi = mid - 1;
    }
    return this.swapHints(lo);
  }

  /** Keeps k as the latest hint, the previous one as the other; returns k. */
  private swapHints(k: number): number {
    this.hintB = this.hintA;
    this.hintA = k;
    return k;
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
    return this.rows.at(k, d);
  }

  /** Integral of coordinate d from starts[0] to t (t may lie outside when the series extends). */
  private cumulative(t: number, d: number): number {
    const t0 = this.starts[0];
    const n = this.starts.length;
    if (this.extension === "hold") {
      if (t < t0) return -this.rows.at(0, d) * (t0 - t);
      if (t >= this.end) return this.prefix.upTo(n)[n * this.dim + d] + this.rows.at(n - 1, d) * (t - this.end);
    }
    // Integrals may run up to the exact end of a series that does not extend.
    if (t === this.end) return this.prefix.upTo(n)[n * this.dim + d];
    const ft = this.fold(t);
    const cycles = this.foldCycles;
    const k = this.indexIn(ft);
    const prefix = this.prefix.upTo(cycles === 0 ? k : n);
    const within = prefix[k * this.dim + d] + this.rows.at(k, d) * (ft - this.starts[k]);
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
    const rows = this.rows;
    for (let d = 0; d < dim; d++) {
      const within = prefix[i * dim + d] + rows.at(i, d) * dt;
      out[d] += k * (cycles === 0 ? within : cycles * prefix[n * dim + d] + within);
    }
  }

  /** out[d] = integral over [a, b] of every coordinate (one search per endpoint). */
  integralInto(a: number, b: number, out: Float64Array): void {
    if (b < a) throw new RangeError(`TimeSeries.integralInto: expected a <= b, got a=${a}, b=${b}`);
    if (this.starts.length === 1 && this.extension === "hold") {
      // constant series: value x duration, no search
      for (let d = 0; d < this.dim; d++) out[d] = this.rows.at(0, d) * (b - a);
      return;
    }
    this.integralEachInto(a, b, out);
  }

  /**
   * out[d] = integral(a, b, d) for every coordinate, equal to it to the bit
   * (one search per endpoint; integralInto multiplies a constant series out,
   * which rounds otherwise): for callers that must agree with integral().
   */
  integralEachInto(a: number, b: number, out: Float64Array): void {
    if (b < a) throw new RangeError(`TimeSeries.integralEachInto: expected a <= b, got a=${a}, b=${b}`);
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
