/**
 * writeNumber writes exactly String(x): the oracle is V8's own Number to
 * String (shortest round trip, closest, ties to even, ECMAScript notation),
 * independent of the code under test. Checked on random bit patterns, random
 * decimals of every length, whole numbers, short binary fractions (whose
 * shortest decimals can be exact ties), and each power of two and of ten
 * with its neighbours.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_NUMBER_CHARS, writeNumber } from "../../../src/io/numberText.ts";

const out = new Uint8Array(64);
const decoder = new TextDecoder();
const text = (x: number): string => {
  const end = writeNumber(out, 0, x);
  if (end > MAX_NUMBER_CHARS) throw new Error(`${x}: ${end} characters`);
  return decoder.decode(out.subarray(0, end));
};
/** Fails naming x and both texts (an expect per case would cost more than the case). */
const same = (x: number): void => {
  if (Number.isFinite(x) && text(x) !== String(x)) expect(text(x)).toBe(String(x));
};

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
const fromBits = (hi: number, lo: number): number => {
  words[0] = lo;
  words[1] = hi;
  return bits[0];
};
/** The next double up or down from x (x finite, not 0). */
const neighbour = (x: number, step: 1 | -1): number => {
  bits[0] = x;
  const [lo, hi] = [words[0], words[1]];
  const mag = hi * 2 ** 32 + lo + (x > 0 ? step : -step);
  return fromBits(Math.floor(mag / 2 ** 32), mag % 2 ** 32);
};

describe("writeNumber", () => {
  it("writeNumber(edge cases: -0, 0, subnormals, 1e-7, 1e-6, 1e21, 2^53, MAX_VALUE, 0.1 + 0.2, ...) writes String(x)", () => {
    const cases = [
      -0, 0, 5e-324, -5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, 1e-290, 1.0000000000000001e-290, 1e-7, 1.5e-7, 1e-6, 0.000001234, 9.999999999999999e-7,
      1e21, 1e21 - 65536, 999999999999999900000, 1.5e21, 2 ** 53, 2 ** 53 - 1, 2 ** 53 + 2, 2 ** 52 + 0.5, 2 ** 53 - 0.5, 4503599627370495.5, Number.MAX_VALUE, Number.MAX_SAFE_INTEGER,
      0.1, 0.2, 0.1 + 0.2, 1 / 3, 2 / 3, 1 - Number.EPSILON, 1 + Number.EPSILON, 209.375, 0.5, 123456789.123, 252.14004516601562, 82.94296264648438, 5e-7, 9.5367431640625e-7,
    ];
    for (const x of cases) {
      expect(text(x)).toBe(String(x));
      same(-x);
    }
  });

  it("writeNumber(each power of two and of ten, and the doubles either side) writes String(x)", () => {
    for (let e = -1074; e <= 1023; e++) for (const x of [2 ** e, 1.5 * 2 ** e]) for (const y of [x, neighbour(x, 1), neighbour(x, -1)]) same(y);
    for (let e = -323; e <= 308; e++) {
      const x = Number(`1e${e}`);
      for (const y of [x, neighbour(x, 1), neighbour(x, -1), 5 * x, 9.999999999999998 * x]) same(y);
    }
  });

  it("writeNumber(random bit patterns) writes String(x)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (hi, lo) => {
        const x = fromBits(hi, lo);
        same(x);
      }),
      { numRuns: 30_000 },
    );
  });

  it("writeNumber(random decimals of 1 to 17 digits, exponents -330..310) writes String(x)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 17 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: -330, max: 310 }), (digits, u, exp) => {
        const x = Number(`${u.toFixed(digits).replace("0.", "")}e${exp}`);
        same(x);
      }),
      { numRuns: 30_000 },
    );
  });

  it("writeNumber(short binary fractions k / 2^m times a power of ten, whose shortest decimal may be an exact tie) writes String(x)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: -20, max: 20 }), (k, m, e) => {
        const x = (k / 2 ** m) * 10 ** e;
        same(x);
      }),
      { numRuns: 30_000 },
    );
  });

  it("writeNumber(whole numbers up to 2^53 and beyond, and uniform doubles in [0, 1)) writes String(x)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.maxSafeInteger(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 1e20, max: 1e22, noNaN: true })), (x) => {
        same(x);
      }),
      { numRuns: 30_000 },
    );
  });

  it("writeNumber(whole numbers either side of 2^31, of 10^8 multiples and of each power of ten up to 2^53, both signs) writes String(x)", () => {
    const cases: number[] = [2 ** 31, 2 ** 31 - 1, 2 ** 31 + 1, 2 ** 32, 2 ** 32 - 1, 2 ** 53 - 1, 2 ** 53 - 2, 99999999, 100000000, 100000001, 1e8 * 123456 - 1, 1e8 * 123456];
    for (let e = 0; e <= 15; e++) for (const d of [-1, 0, 1]) cases.push(10 ** e + d);
    for (let k = 1; k < 90071992; k = k * 3 + 1) for (const d of [-1, 0, 1]) cases.push(k * 1e8 + d);
    for (const x of cases) {
      expect(text(x)).toBe(String(x));
      expect(text(-x)).toBe(String(-x));
    }
  });

  it("writeNumber(binary fractions m / 2^f, f from 1 to 24, m of 1 to 53 bits: short decimals and not) writes String(x)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 53 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: -3, max: 3 }), (f, bits, u, d) => {
        const m = Math.min(2 ** 53 - 1, Math.max(1, Math.floor(u * 2 ** bits) + d));
        same(m / 2 ** f);
        same(-m / 2 ** f);
      }),
      { numRuns: 30_000 },
    );
    // The largest fractions of at most 15 digits and the smallest of 16, and short ones in exponent notation.
    for (const x of [999999999999999.5, 99999999999999.75, 0.000244140625, 2 ** -20, 3 * 2 ** -22, 2 ** -22, 1.5, 0.5, 2147483647.5, 2147483648.5, 1e14 + 0.5, 1e15 - 0.5]) {
      expect(text(x)).toBe(String(x));
      same(-x);
    }
  });

  it("writeNumber(x) writes at `at` and returns the position after the text", () => {
    const buf = new Uint8Array(40).fill(120);
    const end = writeNumber(buf, 3, -0.000012089005370441675);
    expect(new TextDecoder().decode(buf.subarray(0, end + 1))).toBe("xxx-0.000012089005370441675x");
  });
});
