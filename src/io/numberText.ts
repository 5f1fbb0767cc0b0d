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
 * - Whole numbers below 2^53: their digits, two at a time from a table, in
 *   32-bit integer arithmetic (the last eight digits apart above 2^31).
 * - Short binary fractions (x = m / 2^f, f <= 22, whose exact decimal
 *   m * 5^f / 10^f has at most 15 digits: 0.5, 209.375): that decimal, which
 *   is provably the shortest (see writeShortest), with no search.
 * - Other x in [1e-290, 2^53): x is scaled by a power of ten to an 18- or
 *   19-digit number V = A*10^9 + B + F (A, B whole, F the fraction), computed
 *   in double-double arithmetic (Dekker's exact product, 10^k held as the sum
 *   of two doubles), so V is known to within about 1e-12 while the rounding
 *   interval of x, scaled alike, is about 8 to 450 wide. Then, for
 *   j = 0, 1, 2, ..., the multiples of 10^j just below and above V are tested
 *   against the interval; the last j with one inside gives the shortest
 *   decimal, and of two inside the closer one is taken. A decision that falls
 *   within 1e-9 of an interval end or of a tie is left to String() (none in
 *   8.5 million random doubles), as are numbers outside that range, except an
 *   exact tie (V provably whole), which takes the even last digit as V8 does.
 *
 * test/unit/io/numberText.test.ts compares it with String() on random bit
 * patterns, decimals, short binary fractions, integers and edge cases (a
 * one-off run of the same kinds over 10 million values found no difference).
 * Per number, CPU time on a busy machine: whole numbers about 20 ns, short
 * binary fractions about 50 ns, full-precision doubles about 95 ns, where
 * String() alone (without encoding its text) takes 30-50, 190 and 100-130.
 * Digits go to putDigits as 32-bit integers: V8 then keeps them in integer
 * registers (passing a double there once made every call about 15% slower).
 */

/** Longest text String() gives a finite number: "-1.2345678901234567e-308" is 24 characters. */
export const MAX_NUMBER_CHARS = 25;

/** 10^k for k in 0..22, each exact in a double. */
const POW10 = Float64Array.from({ length: 23 }, (_, k) => 10 ** k);
/** 10^k for k in 0..9, for 32-bit integer arithmetic. */
const POW10_INT = Int32Array.from({ length: 10 }, (_, k) => 10 ** k);

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

/** Half a unit in the last place of a normal double, by its biased exponent: 2^(biased - 1023 - 53). */
const HALF_ULP = Float64Array.from({ length: 2047 }, (_, biased) => 2 ** (biased - 1076));

/** A double's bits, read without allocating. */
const BITS = new Float64Array(1);
const WORDS = new Uint32Array(BITS.buffer);
const HIGH = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f ? 1 : 0; // the word with the sign and exponent (1 on little-endian machines)
const LOW = 1 - HIGH;


/** Writes String(x) of a finite x at `at` (room for MAX_NUMBER_CHARS bytes reserved); returns the position after it. */
export function writeNumber(out: Uint8Array, at: number, x: number): number {
  // Whole numbers of 32-bit size (counts, ids, seconds; -0 as 0): the commonest cells, in 32-bit arithmetic.
  if ((x | 0) === x) {
    if (x < 0) {
      out[at++] = 45;
      return writeUint(out, at, -x);
    }
    return writeUint(out, at, x);
  }
  if (x < 0) {
    out[at++] = 45;
    x = -x;
  }
  if (x < 9007199254740992) {
    if (Number.isInteger(x)) return writeWhole(out, at, x);
    if (x >= 1e-290) {
      // x goes by BITS, not as an argument: a double passed to a call V8 does not inline is boxed (allocated).
      BITS[0] = x;
      const end = writeShortest(out, at);
      if (end >= 0) return end;
    }
  }
  const s = String(x);
  for (let i = 0; i < s.length; i++) out[at++] = s.charCodeAt(i);
  return at;
}

/** Digits of a whole number 0 <= n < 2^31, by comparisons. */
function digitsOf(n: number): number {
  if (n < 100000) return n < 100 ? (n < 10 ? 1 : 2) : n < 1000 ? 3 : n < 10000 ? 4 : 5;
  return n < 10000000 ? (n < 1000000 ? 6 : 7) : n < 100000000 ? 8 : n < 1000000000 ? 9 : 10;
}

/** Writes a whole number 0 <= n < 2^31 (2^31 itself, from -2^31, too); returns the position after it. */
function writeUint(out: Uint8Array, at: number, n: number): number {
  if (n < 10) {
    out[at] = 48 + n;
    return at + 1;
  }
  if (n >= 2147483648) return writeWhole(out, at, n);
  const end = at + digitsOf(n);
  putDigits(out, end, n, 0, 0);
  return end;
}

/** Writes a whole number 2^31 <= x < 2^53, its last eight digits apart; returns the position after it. */
function writeWhole(out: Uint8Array, at: number, x: number): number {
  // x / 1e8 is at least 10^-8 below the next whole number, and doubles below 2^27 are at most 2^-26 apart: it never rounds up to it.
  const high = Math.floor(x / 1e8);
  const low = x - high * 1e8;
  // high < 2^53 / 10^8 < 2^27 (and at least 21), low < 10^8: 32-bit integers
  const end = at + digitsOf(high) + 8;
  putDigits(out, end, high | 0, low | 0, 8);
  return end;
}

/**
 * Writes the shortest closest decimal of x = BITS[0] (1e-290 <= x < 2^53, not whole)
 * in String()'s notation (a short binary fraction's exactly, the others by the
 * search described at the top); returns the position after it, or -1 when a
 * decision is too close to call (nothing is written then).
 */
function writeShortest(out: Uint8Array, at: number): number {
  const x = BITS[0];
  const high = WORDS[HIGH];
  const low = WORDS[LOW];
  const biased = high >>> 20; // x > 0 and normal here
  const powerOfTwo = (high & 0xfffff) === 0 && low === 0;

  // A short binary fraction: x = m / 2^f (m odd) is exactly the decimal m * 5^f / 10^f, f places after the point,
  // the last one a 5. With at most 15 significant digits that decimal is String(x): one of fewer digits is at least a
  // unit of its last place (over 10^-15 of x) away, outside x's rounding interval (at most 2^-53 of x either side),
  // and of as many digits it is x itself, the closest. f counts the significand's bits below the point: 52 less the
  // exponent less its trailing zero bits (its implicit leading 1 included).
  const bits = low !== 0 ? low | 0 : (high & 0xfffff) | 0x100000; // as 32-bit integers
  const zeros = (low !== 0 ? 31 : 63) - Math.clz32(bits & -bits);
  const f = 1075 - biased - zeros;
  // m has 53 - zeros bits, 5^f about 2.32 f: no call when m * 5^f is surely 10^15 (2^49.83) or more.
  if (f <= 22 && 52 - zeros + 2.32 * f < 49.83) {
    const end = writeBinaryFraction(out, at, f);
    if (end >= 0) return end;
  }
  const halfUlp = HALF_ULP[biased];

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
  // The rounding interval of x, scaled alike: up to `above` over V and `below` under it.
  const above = halfUlp * ph * 1e9;
  const below = powerOfTwo ? above / 2 : above;
  const b9 = B | 0; // below 10^9
  const a9 = A | 0; // below 2 * 10^9 < 2^31

  // The largest j for which a multiple of 10^j is inside the interval, and which one: the one at or below V (V's
  // digits with the last j cut) or the next one up, below V by `down` and above it by `up`, each computed so that
  // it is exact when it is small.
  let found = -1;
  let upper = false;
  let unsure = false;
  let tieCandidate = false;
  let cut = 0; // B's last j digits
  let kept = b9; // B without them
  let keptAtFound = 0;
  for (let j = 0; j <= 19; j++) {
    let down: number;
    let up: number;
    if (j <= 9) {
      if (j > 0) {
        const q = (kept / 10) | 0;
        cut += (kept - q * 10) * POW10_INT[j - 1];
        kept = q;
      }
      down = cut + F;
      up = POW10_INT[j] - 1 - cut + (1 - F);
    } else {
      const m = POW10[j - 9];
      const rest = A % m;
      down = rest * 1e9 + (B + F);
      up = (m - 1 - rest) * 1e9 + (1e9 - B - F);
    }
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
    keptAtFound = kept;
  }
  if (found < 0) return -1;

  // The decimal: `head` then `tail` (tailDigits digits, zeros in front), the last digit worth 10^last in x.
  let head: number;
  let tail = 0;
  let tailDigits = 0;
  if (found <= 9) {
    head = a9;
    tailDigits = 9 - found;
    tail = keptAtFound;
  } else head = Math.floor(A / POW10[found - 9]) | 0; // A < 2^31
  if (unsure) {
    // Too close to call, unless V is exactly whole (x * 10^(p+9) exact as a + b, both whole): then the distances are
    // whole numbers of the same parity, and close means equal, an exact tie, which goes to the even last digit.
    if (!(tieCandidate && exactlyWhole(x, p + 9))) return -1;
    upper = ((tailDigits > 0 ? tail : head) & 1) === 1;
  }
  if (upper) {
    if (tailDigits > 0) {
      tail++;
      if (tail === POW10_INT[tailDigits]) {
        tail = 0;
        head++;
      }
    } else head++;
  }
  let last = found - 9 - p;
  // No trailing zero (there is none unless a carry made one).
  while (tailDigits > 0 && tail % 10 === 0) {
    tail = (tail / 10) | 0;
    tailDigits--;
    last++;
  }
  if (tailDigits === 0) {
    while (head % 10 === 0) {
      head = (head / 10) | 0;
      last++;
    }
  }
  let headDigits = head >= 1e8 ? (head >= 1e9 ? 10 : 9) : 1; // A's 9 or 10 digits, unless digits were cut from it
  if (headDigits === 1) while (headDigits < 9 && head >= POW10_INT[headDigits]) headDigits++;
  return writeDecimal(out, at, head, headDigits, tail, tailDigits, last);
}

/** Writes x = BITS[0] = m / 2^f (m odd, 0 < f <= 22) as m * 5^f / 10^f when that has at most 15 digits (see writeShortest); else returns -1, writing nothing. */
function writeBinaryFraction(out: Uint8Array, at: number, f: number): number {
  const y = BITS[0] * POW10[f]; // m * 5^f, exact when below 2^53
  if (!(y < 1e15)) return -1;
  // As 32-bit integers (y is whole; its head below 10^6 when split), as writeShortest passes them.
  let head = 0;
  let tail = 0;
  let tailDigits = 0;
  if (y < 2147483648) head = y | 0;
  else {
    const h = Math.floor(y / 1e9); // exact: y / 1e9 < 10^6 is at least 10^-9 below the next whole number, doubles there at most 2^-32 apart
    head = h | 0;
    tail = (y - h * 1e9) | 0;
    tailDigits = 9;
  }
  return writeDecimal(out, at, head, digitsOf(head), tail, tailDigits, -f);
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

/**
 * Writes the decimal whose digits are head's then tail's (tailDigits of them,
 * zeros in front; no trailing zero), the last worth 10^last, in
 * Number::toString's notation; returns the position after it.
 */
function writeDecimal(out: Uint8Array, at: number, head: number, headDigits: number, tail: number, tailDigits: number, last: number): number {
  const k = headDigits + tailDigits;
  const point = k + last; // digits before the decimal point
  let dot = k; // digits before the '.' written among them (k: none)
  let exponent = false;
  if (point > 0 && point <= 21) {
    if (point < k) dot = point;
  } else if (point <= 0 && point > -6) {
    out[at++] = 48;
    out[at++] = 46;
    for (let i = point; i < 0; i++) out[at++] = 48;
  } else {
    exponent = true;
    dot = 1;
  }
  // The digits, then the first `dot` of them one place left for the '.'.
  const end = dot < k ? at + k + 1 : at + k;
  putDigits(out, end, head, tail, tailDigits);
  if (dot < k) {
    for (let i = 0; i < dot; i++) out[at + i] = out[at + i + 1];
    out[at + dot] = 46;
  }
  at = end;
  if (!exponent) {
    for (let i = k; i < point; i++) out[at++] = 48;
    return at;
  }
  out[at++] = 101;
  let e = point - 1;
  if (e < 0) {
    out[at++] = 45;
    e = -e;
  } else out[at++] = 43;
  if (e >= 100) {
    out[at++] = 48 + ((e / 100) | 0);
    e %= 100;
  } else if (e < 10) {
    out[at++] = 48 + e;
    return at;
  }
  out[at++] = PAIRS[e << 1];
  out[at++] = PAIRS[(e << 1) + 1];
  return at;
}

/** "00" to "99", two ASCII digits each. */
const PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 48 + (i & 1 ? (i >> 1) % 10 : Math.floor(i / 20)));

/** Writes head's digits then tail's (tailDigits of them, zeros in front) so that they end at `end`, two at a time. */
function putDigits(out: Uint8Array, end: number, head: number, tail: number, tailDigits: number): void {
  let i = end;
  for (; tailDigits >= 2; tailDigits -= 2) {
    const q = (tail / 100) | 0;
    const r = (tail - q * 100) << 1;
    out[--i] = PAIRS[r + 1];
    out[--i] = PAIRS[r];
    tail = q;
  }
  if (tailDigits === 1) out[--i] = 48 + tail;
  while (head >= 100) {
    const q = (head / 100) | 0;
    const r = (head - q * 100) << 1;
    out[--i] = PAIRS[r + 1];
    out[--i] = PAIRS[r];
    head = q;
  }
  if (head >= 10) {
    out[--i] = PAIRS[(head << 1) + 1];
    out[--i] = PAIRS[head << 1];
  } else out[--i] = 48 + head;
}
