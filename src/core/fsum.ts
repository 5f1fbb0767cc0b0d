/**
 * Exact floating-point summation (Shewchuk's algorithm, as in Python's
 * math.fsum): keeps non-overlapping partial sums so the result is the
 * correctly rounded sum of every value added, in any order. The ledger uses
 * it so that job shares plus overheads equal site totals.
 */
export class ExactSum {
  private partials: number[] = [];

  add(x: number): this {
    if (!Number.isFinite(x)) throw new RangeError(`ExactSum.add: expected a finite number, got ${x}`);
    const p = this.partials;
    let i = 0;
    for (let j = 0; j < p.length; j++) {
      let y = p[j];
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y;
      if (!Number.isFinite(hi)) throw new RangeError(`ExactSum.add: intermediate sum overflows (${x} + ${y})`);
      const lo = y - (hi - x);
      if (lo !== 0) p[i++] = lo;
      x = hi;
    }
    p.length = i;
    p.push(x);
    return this;
  }

  valueOf(): number {
    const p = this.partials;
    let n = p.length;
    if (n === 0) return 0;
    let hi = p[--n];
    let lo = 0;
    while (n > 0) {
      const x = hi;
      const y = p[--n];
      hi = x + y;
      const yr = hi - x;
      lo = y - yr;
      if (lo !== 0) break;
    }
    // Round-half-even correction, as CPython does.
    if (n > 0 && ((lo < 0 && p[n - 1] < 0) || (lo > 0 && p[n - 1] > 0))) {
      const y = lo * 2;
      const x = hi + y;
      if (y === x - hi) hi = x;
    }
    return hi;
  }
}

/** Exact sum of an iterable of finite numbers. */
export function fsum(values: Iterable<number>): number {
  const s = new ExactSum();
  for (const v of values) s.add(v);
  return s.valueOf();
}

/**
 * A vector of compensated (Neumaier) running sums: O(1) per add, error
 * independent of the number of terms. Used on the hot path where ExactSum's
 * partials would cost too much.
 */
export class CompensatedVector {
  readonly sum: Float64Array;
  private readonly comp: Float64Array;

  constructor(readonly length: number) {
    this.sum = new Float64Array(length);
    this.comp = new Float64Array(length);
  }

  /** this[i + offset] += v[i] * k for every i of v. */
  add(v: ArrayLike<number>, k = 1, offset = 0): void {
    const s = this.sum;
    const c = this.comp;
    for (let i = 0; i < v.length; i++) {
      const x = v[i] * k;
      const j = i + offset;
      const t = s[j] + x;
      c[j] += Math.abs(s[j]) >= Math.abs(x) ? s[j] - t + x : x - t + s[j];
      s[j] = t;
    }
  }

  /** Adds x to one coordinate. */
  addAt(j: number, x: number): void {
    const s = this.sum;
    const t = s[j] + x;
    this.comp[j] += Math.abs(s[j]) >= Math.abs(x) ? s[j] - t + x : x - t + s[j];
    s[j] = t;
  }

  /** The compensated totals. */
  values(): Float64Array {
    const out = new Float64Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.sum[i] + this.comp[i];
    return out;
  }

  /** Adds another vector's totals into this one. */
  merge(other: CompensatedVector): void {
    this.add(other.sum);
    this.add(other.comp);
  }
}
