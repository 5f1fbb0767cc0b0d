/**
 * End to end: a scenario's score_method (issue 15, EF 3.0 beside EF 3.1).
 * Expected: the single score computed here by hand from the run's impact
 * totals and the shipped table's EF 3.0 normalisation factors and weights
 * (platforms/lca/ef31_normalisation_weighting.csv, split at the commas outside quotes).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runScenario } from "../../src/run/runScenario.js";

const dir = mkdtempSync(join(tmpdir(), "impactsim-ef30-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("scenario score_method", () => {
  it("runScenario(default with score_method ef3.0) scores the same impacts with EF 3.0's normalisation: the hand-computed sum of total / NF x weight", async () => {
    const s = JSON.parse(readFileSync("scenarios/default.json", "utf8"));
    const file = join(dir, "ef30.json");
    writeFileSync(file, JSON.stringify({ ...s, score_method: "ef3.0", attribution: { ...s.attribution, embodied_after_life: "capped" }, platform: resolve("scenarios", s.platform), workload: { ...s.workload, file: resolve("scenarios", s.workload.file) } }));
    const ef30 = (await runScenario({ scenario: file, overrides: { out: join(dir, "a"), summaryOnly: true } })).summary as unknown as { impacts: Record<string, { total: number }>; single_score: { total_pt: number; method: string }; provenance: { allocation: { embodied_after_life: string } } };
    expect(ef30.single_score.method).toBe("EF 3.0");
    const [head, ...rows] = readFileSync("platforms/lca/ef31_normalisation_weighting.csv", "utf8").trim().split("\n").map((l) => l.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/));
    const col = (name: string) => head.indexOf(name);
    let expected = 0;
    for (const r of rows) expected += (ef30.impacts[r[col("ef_code")]].total / Number(r[col("nf_ef30_global_per_person")])) * (Number(r[col("weighting_percent")]) / 100);
    expect(ef30.single_score.total_pt).toBeCloseTo(expected, 12);
  }, 120_000);
});
