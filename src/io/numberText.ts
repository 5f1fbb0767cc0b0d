/**
 * String(x) of a finite number written as ASCII bytes straight into a buffer,
 * with no string and no allocation per number (the CSV writer's hot path).
 *
 * String(x) is ECMAScript's Number::toString: the shortest decimal that reads
 * back as x (reading rounds to nearest, ties to even, so the rounding
 * interval's ends count when x's significand is even); among the shortest,
 * the one closest to x; plain notation from 1e-6 to below 1e21, exponent
 * notation outside. V8 (Grisu3 with a bignum fallback) gives exactly that.
 *
 * Method, worked out here from those rules (no code taken from elsewhere):
 * - Whole numbers below 2^53: their digits.
 * - Other x in [1e-290, 2^53): x is scaled by a power of ten to an 18- or
 *   19-digit number V = A*10^9 + B + F (A, B whole, F the fraction), computed
 *   in double-double arithmetic (Dekker's exact product, 10^k held as the sum
 *   of two doubles), so V is known to within about 1e-12 while the rounding
 *   interval of x, scaled alike, is from about 0.5 to 1100 wide. Then, for
 *   j = 0, 1, 2, ..., the multiples of 10^j just below and above V are tested
 *   against the interval; the last j with one inside gives the shortest
 *   decimal, and of two inside the closer one is taken. A decision that falls
 *   within 1e-9 of an interval end or of a tie (about one number in 1e10, and
 *   every exact tie) is left to String(), as are numbers outside that range.
 *
 * test/unit/io/numberText.test.ts compares it with String() on millions of
 * random bit patterns, decimals, integers and edge cases.
 */

/** Longest text String() gives a finite number: "-1.2345678901234567e-308" is 24 characters. */
export const MAX_NUMBER_CHARS = 25;

/** 10^k for k in 0..22, each exact in a double. */
const POW10 = Float64Array.from({ length: 23 }, (_, k) => 10 ** k);

/** Scales 10^P handled: P = 8 - floor(log10 x) for x in [1e-290, 2^53), one either side for log10's rounding. */
const P_MIN = -9;
const P_MAX = 300;
/** 10^P = SCALE_HI[P - P_MIN] + SCALE_LO[P - P_MIN] to within 2^-106 of it (the high part correctly rounded, the low part the rounded rest). */
const SCALE_HI = new Float64Array(P_MAX - P_MIN + 1);
const SCALE_LO = new Float64Array(P_MAX - P_MIN + 1);
for (let p = P_MIN; p <= P_MAX; p++) {
  if (p >= 0) {
    const exact = 10n ** BigInt(p);
    const hi = Number(exact); // correctly rounded (ECMAScript's BigInt to Number)
    SCALE_HI[p - P_MIN] = hi;
    SCALE_LO[p - P_MIN] = Number(exact - BigInt(hi));
  } else {
    // 10^p = 1 / 10^-p: hi = m * 2^-s exactly (m whole), so 10^p - hi = (2^s - m * 10^-p) / (2^s * 10^-p), both parts exact as BigInt.
    const hi = Number(`1e${p}`);
    let s = 0;
    while (!Number.isInteger(hi * 2 ** s)) s++;
    const m = BigInt(hi * 2 ** s);
    const den = 10n ** BigInt(-p);
    SCALE_HI[p - P_MIN] = hi;
    SCALE_LO[p - P_MIN] = Number(2n ** BigInt(s) - m * den) / (2 ** s * Number(den));
  }
}

/** How close to an interval end or a tie a computed distance may come before the exact answer is left to String() (the error bound is below 1e-12). */
const MARGIN = 1e-9;
/** Veltkamp's splitter for doubles: 2^27 + 1. */
const SPLIT = 134217729;

/** A double's bits, read without allocating. */
const BITS = new Float64Array(1);
const WORDS = new Uint32Array(BITS.buffer);
const HIGH = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f ? 1 : 0; // the word with the sign and exponent (1 on little-endian machines)
const LOW = 1 - HIGH;

/** Digits of the number being written, most significant first. */
const DIGITS = new Uint8Array(24);

/** Writes String(x) of a finite x at `at` (room for MAX_NUMBER_CHARS bytes reserved); returns the position after it. */
export function writeNumber(out: Uint8Array, at: number, x: number): number {
  if (Number.isSafeInteger(x)) return writeInteger(out, at, x);
  if (x < 0) {
    out[at++] = 45;
    x = -x;
  }
  if (x >= 1e-290 && x < 9007199254740992) {
    const end = writeShortest(out, at, x);
    if (end >= 0) return end;
  }
  const s = String(x);
  for (let i = 0; i < s.length; i++) out[at++] = s.charCodeAt(i);
  return at;
}

/** Writes a whole number below 2^53 in magnitude (-0 as 0); returns the position after it. */
function writeInteger(out: Uint8Array, at: number, x: number): number {
  if (x < 0) {
    out[at++] = 45;
    x = -x;
  }
  const start = at;
  do {
    const q = Math.floor(x / 10);
    out[at++] = 48 + (x - q * 10); // the digit first: 48 + x may round above 2^53
    x = q;
  } while (x > 0);
  for (let a = start, b = at - 1; a < b; a++, b--) {
    const t = out[a];
    out[a] = out[b];
    out[b] = t;
  }
  return at;
}

/**
 * Writes the shortest closest decimal of x (1e-290 <= x < 2^53, not whole)
 * in String()'s notation; returns the position after it, or -1 when a
 * decision is too close to call (nothing is written then).
 */
function writeShortest(out: Uint8Array, at: number, x: number): number {
  BITS[0] = x;
  const high = WORDS[HIGH];
  const biased = high >>> 20; // x > 0 and normal here
  const powerOfTwo = (high & 0xfffff) === 0 && WORDS[LOW] === 0;
  // Half a unit in the last place of x: 2^(biased - 1023 - 53), built from its bits.
  WORDS[HIGH] = (biased - 53) << 20;
  WORDS[LOW] = 0;
  const halfUlp = BITS[0];

  // V1 = x * 10^P in [10^8, 2 * 10^9): x is in [2^e2, 2^(e2+1)) and floor(e2 * log10(2)) is floor(log10(x)) or one less
  // (78913 / 2^18 is log10(2) closely enough for |e2| < 1700).
  const p = 8 - ((biased - 1023) * 78913 >> 18);
  const ph = SCALE_HI[p - P_MIN];
  const pl = SCALE_LO[p - P_MIN];
  const a = x * ph;
  const lo = productError(x, ph, a) + x * pl;
  // V1 = A + r1 + lo, A whole, r1 in [0, 1) exactly (a has at least 27 bits above the point).
  let A = Math.floor(a);
  let r1 = a - A;
  if (r1 + lo < 0) {
    A -= 1;
    r1 += 1;
  }
  // V = V1 * 10^9 = A * 10^9 + B + F. r1 has at most 27 bits, 10^9 = 2^9 * 1953125: the product is exact.
  const u = r1 * 1e9;
  const w = lo * 1e9;
  let B = Math.floor(u + w);
  let F = u - B + w;
  if (F < 0) {
    B -= 1;
    F += 1;
  } else if (F >= 1) {
    B += 1;
    F -= 1;
  }
  if (B < 0) {
    A -= 1;
    B += 1e9;
  } else if (B >= 1e9) {
    A += 1;
    B -= 1e9;
  }
  // The digits of V's whole part: A's 9 or 10 (A < 2^31), then B's 9.
  let n = A >= 1e9 ? 10 : 9;
  for (let i = n - 1, v = A | 0; i >= 0; i--) {
    const q = (v / 10) | 0;
    DIGITS[i] = v - q * 10;
    v = q;
  }
  for (let i = n + 8, v = B | 0; i >= n; i--) {
    const q = (v / 10) | 0;
    DIGITS[i] = v - q * 10;
    v = q;
  }
  n += 9;
  // The rounding interval of x, scaled alike: up to `above` over V and `below` under it.
  const above = halfUlp * ph * 1e9;
  const below = powerOfTwo ? above / 2 : above;

  // The largest j for which a multiple of 10^j is inside the interval, and which one: the one at or below V (V's
  // digits with the last j cut) or the next one up. Below V by `down` (the cut digits + F), above by `up`; each
  // accumulated digit by digit, so the one that can be small is exact.
  let found = -1;
  let upper = false;
  let unsure = false;
  let tieCandidate = false;
  let cut = 0;
  let rest = 0;
  for (let j = 0; j < n; j++) {
    if (j > 0) {
      const d = DIGITS[n - j];
      cut += d * POW10[j - 1];
      rest += (9 - d) * POW10[j - 1];
    }
    const down = cut + F;
    const up = rest + (1 - F);
    const closeDown = Math.abs(down - below) <= MARGIN;
    const closeUp = Math.abs(up - above) <= MARGIN;
    const inDown = down < below && !closeDown;
    const inUp = up < above && !closeUp;
    if (!inDown && !inUp) {
      if (closeDown || closeUp) return -1; // whether j is short enough is too close to call
      break;
    }
    // A choice too close to call matters only if no shorter one is found.
    if (inDown && inUp) {
      upper = up < down;
      unsure = tieCandidate = Math.abs(down - up) <= MARGIN;
    } else {
      upper = inUp;
      unsure = closeDown || closeUp;
      tieCandidate = false;
    }
    found = j;
  }
  if (found < 0) return -1;
  if (unsure) {
    // Too close to call, unless V is exactly whole (x * 10^(p+9) exact as a + b, both whole): then the distances are
    // whole numbers of the same parity, and close means equal, an exact tie, which goes to the even last digit.
    if (!(tieCandidate && exactlyWhole(x, p + 9))) return -1;
    upper = (DIGITS[n - found - 1] & 1) === 1;
  }

  // The decimal is DIGITS[0..n - found), plus one in its last place when upper, times 10^(found - 9 - p).
  let k = n - found;
  let point = n - 9 - p;
  if (upper) {
    let i = k - 1;
    while (i >= 0 && DIGITS[i] === 9) DIGITS[i--] = 0;
    if (i >= 0) DIGITS[i]++;
    else {
      // All nines: the next power of ten.
      DIGITS[0] = 1;
      k = 1;
      point++;
    }
  }
  while (k > 1 && DIGITS[k - 1] === 0) k--;
  return writeDecimal(out, at, k, point);
}

/** Whether x * 10^q is a whole number, tested exactly (Dekker's product with 10^q exact, q in 0..22). */
function exactlyWhole(x: number, q: number): boolean {
  if (q < 0 || q > 22) return false;
  const a = x * POW10[q];
  return Number.isInteger(a) && Number.isInteger(productError(x, POW10[q], a));
}

/** Dekker's exact product: the rounding error of a = x * y, exactly (x * y = a + error), with Veltkamp's split of each factor. */
function productError(x: number, y: number, a: number): number {
  let t = SPLIT * x;
  const xh = t - (t - x);
  const xl = x - xh;
  t = SPLIT * y;
  const yh = t - (t - y);
  const yl = y - yh;
  return xh * yh - a + xh * yl + xl * yh + xl * yl;
}

/** Writes DIGITS[0..k) (no trailing zero) with the decimal point `point` digits from the left, in Number::toString's notation. */
function writeDecimal(out: Uint8Array, at: number, k: number, point: number): number {
  if (point > 0 && point <= 21) {
    if (k <= point) {
      for (let i = 0; i < k; i++) out[at++] = 48 + DIGITS[i];
      for (let i = k; i < point; i++) out[at++] = 48;
      return at;
    }
    for (let i = 0; i < point; i++) out[at++] = 48 + DIGITS[i];
    out[at++] = 46;
    for (let i = point; i < k; i++) out[at++] = 48 + DIGITS[i];
    return at;
  }
  if (point <= 0 && point > -6) {
    out[at++] = 48;
    out[at++] = 46;
    for (let i = point; i < 0; i++) out[at++] = 48;
    for (let i = 0; i < k; i++) out[at++] = 48 + DIGITS[i];
    return at;
  }
  out[at++] = 48 + DIGITS[0];
  if (k > 1) {
    out[at++] = 46;
    for (let i = 1; i < k; i++) out[at++] = 48 + DIGITS[i];
  }
  out[at++] = 101;
  let e = point - 1;
  if (e < 0) {
    out[at++] = 45;
    e = -e;
  } else out[at++] = 43;
  if (e >= 100) out[at++] = 48 + Math.floor(e / 100);
  if (e >= 10) out[at++] = 48 + (Math.floor(e / 10) % 10);
  out[at++] = 48 + (e % 10);
  return at;
}
