import { describe, expect, it } from "vitest";
import { EF_CATEGORIES, N_COORDS } from "../../../src/core/categories.js";
import { singleScore } from "../../../src/core/score.js";
import { DEFAULT_SCORE_METHOD_PATH, readScoreMethod } from "../../../src/io/scoreMethod.js";

const idx = (id: string): number => EF_CATEGORIES.findIndex((c) => c.id === id);

function vector(values: Record<string, number>): Float64Array {
  const v = new Float64Array(N_COORDS);
  for (const [id, x] of Object.entries(values)) v[idx(id)] = x;
  return v;
}

describe("readScoreMethod, EF 3.0", () => {
  it("readScoreMethod(path, { version: \"3.0\" }) is EF 3.0: its normalisation factors (CC 8100, ETF 42700), the same weights as EF 3.1", async () => {
    const [ef30, ef31] = await Promise.all([readScoreMethod(DEFAULT_SCORE_METHOD_PATH, { version: "3.0" }), readScoreMethod(DEFAULT_SCORE_METHOD_PATH)]);
    expect(ef30.name).toBe("EF 3.0");
    expect(ef30.normalisation[idx("CC")]).toBe(8100);
    expect(ef30.normalisation[idx("ETF")]).toBe(42700);
    expect(ef30.normalisation[idx("ODP")]).toBe(0.0536);
    expect([...ef30.weights]).toEqual([...ef31.weights]);
    expect(ef30.source).toContain("doi:10.2760/88930");
  });

  it("readScoreMethod(path, { version: \"3.0\" }) gives the apparun EF 3.0 reference case 3.61857e-05 Pt", async () => {
    // appalca/apparun @c66fb55c tests/functional/test_impact_methods.py::test_unique_score_values, EF 3.0 factors
    // (LGPL-3.0; figure only): expected unique score 0.00361857 with weights in percent, i.e. 100 x the score in Pt.
    const m = await readScoreMethod(DEFAULT_SCORE_METHOD_PATH, { version: "3.0" });
    const v = vector({ CC: 0.4761292, IR: 0.6063838, PM: 1.871372e-8, ETF: 23.44453, AC: 0.002912266 });
    expect(Math.abs(singleScore(v, m) - 3.61857e-5)).toBeLessThan(1e-9);
  });

  it("readScoreMethod(path, { version: \"3.0\", excludeToxicity: true }) combines both, and an unknown version is a RangeError", async () => {
    const m = await readScoreMethod(DEFAULT_SCORE_METHOD_PATH, { version: "3.0", excludeToxicity: true });
    expect(m.name).toBe("EF 3.0 (without toxicity categories)");
    expect(m.weights[idx("ETF")]).toBe(0);
    await expect(readScoreMethod(DEFAULT_SCORE_METHOD_PATH, { version: "2.0" as never })).rejects.toThrow('readScoreMethod: expected version 3.1 or 3.0, got "2.0"');
  });
});
