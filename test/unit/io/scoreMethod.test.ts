import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EF_CATEGORIES, N_EF } from "../../../src/core/categories.js";
import { formatIssue, InputError } from "../../../src/core/errors.js";
import { singleScore } from "../../../src/core/score.js";
import { DEFAULT_SCORE_METHOD_PATH, readScoreMethod } from "../../../src/io/scoreMethod.js";

const idx = (id: string): number => EF_CATEGORIES.findIndex((c) => c.id === id);

/** A vector of the 16 categories from a partial record by id. */
function vector(values: Record<string, number>): Float64Array {
  const v = new Float64Array(N_EF + 1);
  for (const [id, x] of Object.entries(values)) v[idx(id)] = x;
  return v;
}

async function csvFile(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "impactsim-score-"));
  const file = join(dir, "method.csv");
  await writeFile(file, text);
  return file;
}

describe("readScoreMethod", () => {
  it("readScoreMethod(DEFAULT_SCORE_METHOD_PATH) is EF 3.1 with 3-s.f. JRC normalisation and weights summing to 1", async () => {
    const m = await readScoreMethod(DEFAULT_SCORE_METHOD_PATH);
    expect(m.name).toBe("EF 3.1");
    expect(m.normalisation[idx("CC")]).toBe(7550);
    expect(m.normalisation[idx("ODP")]).toBe(0.0523); // see platforms/lca/SOURCES.md, "Open question"
    expect(m.weights[idx("CC")]).toBeCloseTo(0.2106, 15);
    expect(m.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(m.source).toContain("doi:10.2760/798894");
  });

  it("readScoreMethod(path) gives the apparun EF 3.1 reference case 3.44846e-05 Pt", async () => {
    // appalca/apparun @c66fb55c tests/functional/test_impact_methods.py::test_unique_score_values with
    // tests/data/impact_models/5_indicator_model_ef31.yaml (LGPL-3.0): expected unique score 0.00344846,
    // which apparun computes with weights in percent, i.e. 100 x the score in Pt.
    const m = await readScoreMethod(DEFAULT_SCORE_METHOD_PATH);
    const v = vector({ CC: 0.4761292, IR: 0.6063838, PM: 1.871372e-8, ETF: 23.44453, AC: 0.002912266 });
    expect(Math.abs(singleScore(v, m) - 3.44846e-5)).toBeLessThan(1e-9);
  });

  it("readScoreMethod(path) gives the ADEME generic server 0.28832 Pt", async () => {
    // Derived case "boavizta-generic-server-ef31" of the project's reference cases
    // (reference_cases/ef31_single_score_cases.json): the ADEME Base Empreinte generic server,
    // platforms/lca/generic_server_ademe.csv, with 3-s.f. NFs incl. ODP 5.23E-02.
    const m = await readScoreMethod(DEFAULT_SCORE_METHOD_PATH);
    const v = vector({
      CC: 3660, ODP: 0.00135, HTC: 1.94e-7, HTNC: 1.87e-5, PM: 0.000113, IR: 2320, POCP: 8.4, AC: 19.7,
      EUT: 27, EUF: -0.258, EUM: 2.94, ETF: 48400, LU: -147, WU: -3710, RUMM: 0.0378, RUF: 51500,
    });
    expect(Math.abs(singleScore(v, m) - 0.28832)).toBeLessThan(1e-5);
    // CC alone: 3660 / 7550 * 0.2106 (reference case contribution 0.102092 Pt).
    expect(singleScore(vector({ CC: 3660 }), m)).toBeCloseTo((3660 / 7550) * 0.2106, 15);
  });

  it("readScoreMethod(path, { excludeToxicity: true }) weighs HTC, HTNC and ETF zero and uses the JRC alternative set", async () => {
    const m = await readScoreMethod(DEFAULT_SCORE_METHOD_PATH, { excludeToxicity: true });
    expect(m.name).toBe("EF 3.1 (without toxicity categories)");
    for (const id of ["HTC", "HTNC", "ETF"]) expect(m.weights[idx(id)]).toBe(0);
    expect(m.weights[idx("CC")]).toBeCloseTo(0.2219, 15);
    expect(m.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1.0002, 12); // as published: 100.02 %
    expect(m.normalisation[idx("ETF")]).toBe(56700);
  });

  it("readScoreMethod(path) reports every bad, duplicated or missing row with its line", async () => {
    const rows = EF_CATEGORIES.map((c) => `${c.id},1,6.25,6.25`);
    rows[1] = "ODP,x,6.25,6.25";
    rows[2] = "CC,7550,6.25,6.25";
    rows[3] = "GWP,1,6.25,6.25";
    const file = await csvFile(`ef_code,nf_ef31_global_per_person,weighting_percent,weighting_percent_excl_toxicity\n${rows.join("\n")}\n`);
    const error = await readScoreMethod(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).issues.map((i) => formatIssue({ ...i, file: "m.csv" }))).toMatchInlineSnapshot(`
      [
        "m.csv:3: nf_ef31_global_per_person: expected a number, got "x"",
        "m.csv:4: ef_code: expected each category once, got "CC" again (first at line 2)",
        "m.csv:5: ef_code: expected a category id (CC, ODP, HTC, HTNC, PM, IR, POCP, AC, EUT, EUF, EUM, ETF, LU, WU, RUMM, RUF), got "GWP"",
        "m.csv: ef_code: expected a row for category HTC (Human toxicity, cancer), got none",
        "m.csv: ef_code: expected a row for category HTNC (Human toxicity, non-cancer), got none",
      ]
    `);
  });

  it("readScoreMethod(path) names a missing column", async () => {
    const file = await csvFile("ef_code,nf\nCC,1\n");
    const error = (await readScoreMethod(file).catch((e: unknown) => e)) as InputError;
    expect(error.issues.map((i) => formatIssue({ ...i, file: "m.csv" }))).toMatchInlineSnapshot(`
      [
        "m.csv:1: expected a column "nf_ef31_global_per_person", got columns ef_code, nf",
        "m.csv:1: expected a column "weighting_percent", got columns ef_code, nf",
      ]
    `);
  });
});
