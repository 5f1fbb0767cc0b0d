import { describe, expect, it } from "vitest";
import { EF_CATEGORIES, ENERGY, N_COORDS, N_EF, categoryIndex, scoreContributions, scoreMethod, singleScore } from "../../../src/core/index.js";

/** NF = 1 and no weight for every category, overridden by `nf` and `weightPercent`. */
function method(nf: Record<string, number> = {}, weightPercent: Record<string, number> = {}) {
  const allNf = Object.fromEntries(EF_CATEGORIES.map((c) => [c.id, nf[c.id] ?? 1]));
  return scoreMethod("test", allNf, weightPercent, "unit test");
}

/** An ImpactVector (16 categories plus energy) with the given category values, zero elsewhere. */
function vector(values: Record<string, number>, energy = 0): Float64Array {
  const v = new Float64Array(N_COORDS);
  for (const [id, x] of Object.entries(values)) v[categoryIndex(id)] = x;
  v[ENERGY] = energy;
  return v;
}

// appalca/apparun, tests/functional/test_impact_methods.py::test_unique_score_values, EF 3.1 case.
const APPARUN_IMPACTS = { CC: 0.4761292, IR: 0.6063838, PM: 1.871372e-8, ETF: 23.44453, AC: 0.002912266 };
const APPARUN_NF = { CC: 7550, IR: 4220, PM: 0.000595, ETF: 56700, AC: 55.6 };
const APPARUN_WEIGHTS = { CC: 21.06, IR: 5.01, PM: 8.96, ETF: 1.92, AC: 6.2 };

describe("scoreMethod", () => {
  it("scoreMethod(name, nf, {}, source) keeps its name and source, and weights missing categories 0", () => {
    const m = method();
    expect(m.name).toBe("test");
    expect(m.source).toBe("unit test");
    expect(m.normalisation).toHaveLength(N_EF);
    expect(m.weights).toHaveLength(N_EF);
    expect(Array.from(m.normalisation)).toEqual(Array.from({ length: N_EF }, () => 1));
    expect(Array.from(m.weights)).toEqual(Array.from({ length: N_EF }, () => 0));
    // Nothing weighted: any vector scores 0.
    expect(singleScore(vector({ CC: 100, RUF: 5 }), m)).toBe(0);
  });

  it("scoreMethod(name, nf, weightPercent, source) stores weights as fractions in category order", () => {
    const m = method({ CC: 7550 }, { CC: 21.06, RUF: 8.32 });
    expect(m.normalisation[categoryIndex("CC")]).toBe(7550);
    // 21.06 % = 0.2106, 8.32 % = 0.0832.
    expect(m.weights[categoryIndex("CC")]).toBeCloseTo(0.2106, 15);
    expect(m.weights[categoryIndex("RUF")]).toBeCloseTo(0.0832, 15);
    expect(m.weights[categoryIndex("ODP")]).toBe(0);
  });

  it("scoreMethod(name, nf with a zero factor, ...) throws a RangeError naming the category", () => {
    expect(() => method({ PM: 0 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: scoreMethod(test): normalisation factor of PM: expected a finite non-zero number, got 0]`,
    );
  });

  it("scoreMethod(name, nf missing a category or NaN, ...) throws a RangeError naming the category", () => {
    const nf = Object.fromEntries(EF_CATEGORIES.filter((c) => c.id !== "WU").map((c) => [c.id, 1]));
    expect(() => scoreMethod("EF 3.1", nf, {}, "s")).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: scoreMethod(EF 3.1): normalisation factor of WU: expected a finite non-zero number, got undefined]`,
    );
    expect(() => method({ LU: NaN })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: scoreMethod(test): normalisation factor of LU: expected a finite non-zero number, got NaN]`,
    );
  });

  it("scoreMethod(name, nf, a negative or infinite weight, ...) throws a RangeError naming the category", () => {
    expect(() => method({}, { AC: -1 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: scoreMethod(test): weight of AC: expected a finite number >= 0, got -1]`,
    );
    expect(() => method({}, { EUM: Infinity })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: scoreMethod(test): weight of EUM: expected a finite number >= 0, got Infinity]`,
    );
  });
});

describe("singleScore", () => {
  it("singleScore(apparun's EF 3.1 reference vector, method) is 3.44846e-05 Pt", () => {
    const m = method(APPARUN_NF, APPARUN_WEIGHTS);
    // Per category, (impact / NF) * (weight / 100):
    //   CC   0.4761292   / 7550     = 6.30635e-05  x 0.2106 = 1.32812e-05
    //   IR   0.6063838   / 4220     = 1.43693e-04  x 0.0501 = 7.19901e-06
    //   PM   1.871372e-8 / 0.000595 = 3.14516e-05  x 0.0896 = 2.81807e-06
    //   ETF  23.44453    / 56700    = 4.13484e-04  x 0.0192 = 7.93889e-06
    //   AC   0.002912266 / 55.6     = 5.23789e-05  x 0.062  = 3.24749e-06
    // Sum: 1.32812e-05 + 7.19901e-06 + 2.81807e-06 + 7.93889e-06 + 3.24749e-06 = 3.44846e-05 Pt.
    const s = singleScore(vector(APPARUN_IMPACTS), m);
    expect(Math.abs(s - 3.44846e-5)).toBeLessThanOrEqual(1e-9);
    // apparun gives six significant digits; so does the sum above.
    expect(Number(s.toPrecision(6))).toBe(3.44846e-5);
  });

  it("singleScore(v, method) ignores the energy coordinate", () => {
    const m = method(APPARUN_NF, APPARUN_WEIGHTS);
    const withoutEnergy = singleScore(vector(APPARUN_IMPACTS), m);
    expect(singleScore(vector(APPARUN_IMPACTS, 3.6e9), m)).toBe(withoutEnergy);
    // A vector of the 16 categories alone scores the same.
    expect(singleScore(vector(APPARUN_IMPACTS).subarray(0, N_EF), m)).toBe(withoutEnergy);
  });

  it("singleScore(v, method, offset) reads the 16 categories starting at offset", () => {
    // CC = 755 with NF 7550 and weight 50 %: 755 / 7550 * 0.5 = 0.05 Pt.
    const m = method({ CC: 7550 }, { CC: 50 });
    const rows = new Float64Array(2 * N_COORDS);
    rows[N_COORDS + categoryIndex("CC")] = 755;
    expect(singleScore(rows, m, 0)).toBe(0);
    expect(singleScore(rows, m, N_COORDS)).toBeCloseTo(0.05, 15);
  });

  it("singleScore(v, method) is linear: twice the impacts score twice", () => {
    const m = method(APPARUN_NF, APPARUN_WEIGHTS);
    const doubled = Object.fromEntries(Object.entries(APPARUN_IMPACTS).map(([k, x]) => [k, 2 * x]));
    // Multiplying by 2 is exact in floating point, so the score doubles exactly.
    expect(singleScore(vector(doubled), m)).toBe(2 * singleScore(vector(APPARUN_IMPACTS), m));
  });
});

describe("scoreContributions", () => {
  it("scoreContributions(v, method) gives each category's share, summing to singleScore", () => {
    const m = method(APPARUN_NF, APPARUN_WEIGHTS);
    const v = vector(APPARUN_IMPACTS);
    const c = scoreContributions(v, m);
    expect(c).toHaveLength(N_EF);
    // CC: 0.4761292 / 7550 * 0.2106 = 1.32812e-05 (see above).
    expect(c[categoryIndex("CC")]).toBeCloseTo(1.32812e-5, 10);
    // Unweighted categories contribute nothing.
    expect(c[categoryIndex("ODP")]).toBe(0);
    const total = Array.from(c).reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(singleScore(v, m), 18);
  });
});
