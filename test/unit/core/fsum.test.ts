import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CompensatedVector, ExactSum, fsum } from "../../../src/core/index.js";

/** The value x * 2^1074 as a BigInt: every finite double is an integer multiple of 2^-1074. */
function scaled(x: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const exponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  // Subnormal: fraction * 2^-1074. Normal: (2^52 + fraction) * 2^(exponent - 1075).
  const magnitude = exponent === 0 ? fraction : ((1n << 52n) + fraction) << BigInt(exponent - 1);
  return negative ? -magnitude : magnitude;
}

/**
 * Oracle: the exact sum of finite doubles, computed with BigInt and rounded once
 * to nearest, ties to even. Positive zero for an exact zero. Assumes no overflow.
 */
function exactRoundedSum(xs: readonly number[]): number {
  let s = 0n;
  for (const x of xs) s += scaled(x);
  if (s === 0n) return 0;
  const negative = s < 0n;
  if (negative) s = -s;
  const shift = Math.max(0, s.toString(2).length - 53);
  let m = s >> BigInt(shift);
  if (shift > 0) {
    const rest = s - (m << BigInt(shift));
    const half = 1n << BigInt(shift - 1);
    if (rest > half || (rest === half && (m & 1n) === 1n)) m += 1n;
  }
  // m < 2^54 is exact as a double, and scaling by a power of two is exact here:
  // either the result is normal, or shift is 0 and m * 2^-1074 is a subnormal.
  const r = Number(m) * 2 ** (shift - 1074);
  return negative ? -r : r;
}

/** Finite doubles small enough that no partial sum of a few hundred of them overflows. */
const finite = fc.double({ min: -1e300, max: 1e300, noNaN: true, noDefaultInfinity: true });

describe("ExactSum", () => {
  it("new ExactSum() is zero, and fsum([]) is zero", () => {
    expect(new ExactSum().valueOf()).toBe(0);
    expect(fsum([])).toBe(0);
    expect(new CompensatedVector(3).values()).toEqual(new Float64Array([0, 0, 0]));
    expect(new CompensatedVector(3).length).toBe(3);
  });

  it("fsum(ten times 0.1) is exactly 1", () => {
    // Naive summation gives 0.9999999999999999; the exact sum of ten doubles 0.1
    // (each 0.1000000000000000055511151231257827) is 1.000000000000000055511151231257827,
    // which rounds to 1.
    const tenths = Array.from({ length: 10 }, () => 0.1);
    expect(tenths.reduce((a, b) => a + b, 0)).not.toBe(1);
    expect(fsum(tenths)).toBe(1);
  });

  it("fsum([1e100, 1, -1e100]) is 1", () => {
    // 1e100 + 1 loses the 1 in naive summation; the partials keep it.
    expect(1e100 + 1 - 1e100).toBe(0);
    expect(fsum([1e100, 1, -1e100])).toBe(1);
  });

  it("fsum([1, 1e-16 ten thousand times]) keeps the small terms", () => {
    // 1e-16 is below half an ulp of 1 (2^-53 = 1.11e-16), so naive summation stays at 1;
    // exactly, 1 + 1e4 * 1e-16 = 1 + 1e-12.
    const xs = [1, ...Array.from({ length: 1e4 }, () => 1e-16)];
    expect(xs.reduce((a, b) => a + b, 0)).toBe(1);
    expect(fsum(xs)).toBeCloseTo(1 + 1e-12, 15);
  });

  it("fsum(values) is the correctly rounded exact sum (property, BigInt oracle)", () => {
    fc.assert(
      fc.property(fc.array(finite, { maxLength: 60 }), (xs) => {
        // + 0 turns -0 into +0: the oracle does not track the sign of zero.
        expect(fsum(xs) + 0).toBe(exactRoundedSum(xs));
      }),
      { numRuns: 500 },
    );
  });

  it("fsum(values) on sums with cancellations is the correctly rounded exact sum (property)", () => {
    // Values and their near-negatives, over a wide range of exponents: the hard case.
    const spread = fc.tuple(fc.double({ min: 1, max: 2, noNaN: true }), fc.integer({ min: -300, max: 300 })).map(([m, e]) => m * 2 ** e);
    fc.assert(
      fc.property(fc.array(spread, { minLength: 1, maxLength: 30 }), fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }), (xs, signs) => {
        const values = [...xs, ...xs.map((x, i) => (signs[i] ? -x : -x * (1 + 2 ** -52)))];
        expect(fsum(values) + 0).toBe(exactRoundedSum(values));
      }),
      { numRuns: 300 },
    );
  });

  it("fsum(shuffled values) is identical for every shuffle of the same floats (property)", () => {
    const arrayAndShuffle = fc
      .array(finite, { maxLength: 40 })
      .chain((xs) => fc.tuple(fc.constant(xs), fc.shuffledSubarray(xs, { minLength: xs.length, maxLength: xs.length })));
    fc.assert(
      fc.property(arrayAndShuffle, ([xs, shuffled]) => {
        expect(fsum(shuffled)).toBe(fsum(xs));
      }),
      { numRuns: 500 },
    );
  });

  it("new ExactSum().add(x) returns the sum, for chaining", () => {
    const s = new ExactSum();
    expect(s.add(0.5)).toBe(s);
    expect(s.add(0.25).add(0.125).valueOf()).toBe(0.875);
    // valueOf lets a sum be used as a number: 0.875 + 1 = 1.875.
    expect(+s + 1).toBe(1.875);
  });

  it("new ExactSum().add(NaN or ±Infinity) throws a RangeError naming the value", () => {
    expect(() => new ExactSum().add(NaN)).toThrowErrorMatchingInlineSnapshot(`[RangeError: ExactSum.add: expected a finite number, got NaN]`);
    expect(() => new ExactSum().add(Infinity)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: ExactSum.add: expected a finite number, got Infinity]`,
    );
    expect(() => new ExactSum().add(-Infinity)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: ExactSum.add: expected a finite number, got -Infinity]`,
    );
    expect(() => fsum([1, NaN])).toThrow(RangeError);
  });

  // Regression (found at ea8e41f, fixed in b4edc60): partial sums that overflowed became
  // -Infinity/Infinity partials and valueOf() returned NaN (Infinity + -Infinity),
  // although every input is finite and the exact sum 1e308 is representable.
  // CPython's math.fsum, which this follows, raises OverflowError("intermediate
  // overflow in fsum") instead. Either answer is acceptable; a silent NaN is not.
  it("fsum([1e308, 1e308, -1e308]) is 1e308 or throws a RangeError, never a silent NaN", () => {
    // The exact sum 2e308 is not representable: refusing it is the only honest answer.
    expect(() => fsum([1e308, 1e308])).toThrow(RangeError);
    let result: number;
    try {
      result = fsum([1e308, 1e308, -1e308]);
    } catch (err) {
      expect(err).toBeInstanceOf(RangeError);
      return;
    }
    expect(result).toBe(1e308);
  });
});

describe("CompensatedVector", () => {
  it("new CompensatedVector(1).add([1e-16]) a million times after 1 stays within an ulp of 1 + 1e-10, where naive summation loses it all", () => {
    // Exact: 1 + 1e6 * 1e-16 = 1 + 1e-10. Naive: each 1 + 1e-16 rounds back to 1
    // (1e-16 < 2^-53), so the naive error is the full 1e-10.
    const v = new CompensatedVector(1);
    const one = new Float64Array([1e-16]);
    let naive = 1;
    v.addAt(0, 1);
    for (let i = 0; i < 1e6; i++) {
      v.add(one);
      naive += 1e-16;
    }
    const expected = 1 + 1e-10;
    expect(Math.abs(naive - expected)).toBeGreaterThan(0.99e-10);
    // One ulp of 1 is 2^-52 = 2.2e-16: the compensated error is 6 orders of magnitude smaller.
    expect(Math.abs(v.values()[0] - expected)).toBeLessThanOrEqual(2 ** -52);
  });

  it("new CompensatedVector(n).add(ten times [0.1, 0.2]) gives [1, 2] exactly", () => {
    // Exact sums are 1.0000000000000000555 and 2.000000000000000111, which round to 1 and 2.
    const v = new CompensatedVector(2);
    for (let i = 0; i < 10; i++) v.add([0.1, 0.2]);
    expect(Array.from(v.values())).toEqual([1, 2]);
  });

  it("new CompensatedVector(n).add(v, k, offset) adds v[i] * k into coordinate i + offset", () => {
    const v = new CompensatedVector(4);
    v.add([1, 2], 3, 1); // [0, 3, 6, 0]
    v.add([1, 1, 1, 1], 0.5); // [0.5, 3.5, 6.5, 0.5]
    v.addAt(3, 2); // [0.5, 3.5, 6.5, 2.5]
    expect(Array.from(v.values())).toEqual([0.5, 3.5, 6.5, 2.5]);
  });

  it("new CompensatedVector(n).merge(other) adds the other's totals and keeps its compensation", () => {
    // a holds 1 + 1e4 * 1e-16 = 1 + 1e-12, b holds 3; merged: 4 + 1e-12.
    const a = new CompensatedVector(1);
    a.addAt(0, 1);
    for (let i = 0; i < 1e4; i++) a.addAt(0, 1e-16);
    const b = new CompensatedVector(1);
    b.addAt(0, 3);
    b.merge(a);
    // One ulp of 4 is 8.9e-16; the compensation carried 1e-12 across.
    expect(b.values()[0]).toBeCloseTo(4 + 1e-12, 14);
    expect(Math.abs(b.values()[0] - (4 + 1e-12))).toBeLessThanOrEqual(2 ** -50);
  });
});
