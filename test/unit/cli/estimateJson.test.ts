import { describe, expect, it } from "vitest";
import { reportJsonText } from "../../../src/cli/estimate.js";
import type { JobEstimateReport } from "../../../src/run/index.js";
import { categoryIndex, N_COORDS, PHASES } from "../../../src/core/index.js";

/**
 * estimate --json prints the report in one pass. Expected here: the text the
 * report made before (stringified with impact vectors as objects, parsed, and
 * stringified again, indented), and hand-read values of a vector.
 */
describe("estimate --json text (reportJsonText)", () => {
  it("equals the stringify-parse-stringify text, and shows an impact vector as { phase: { category } }", () => {
    const v = new Float64Array(PHASES.length * N_COORDS);
    v[categoryIndex("CC")] = 0.25; // fabrication CC
    v[N_COORDS + categoryIndex("ENERGY")] = 3600; // second phase's energy, J
    v[2 * N_COORDS + categoryIndex("PE")] = -0; // prints as 0
    const report = {
      context: { at_s: 5, notes: ["a \"quoted\" note"], site_pue: { "2": 1.5, fr: 1.2 }, missing: undefined, nan: Number.NaN },
      estimates: [{ pool: 0, impacts: v, range: { impacts_low: v } }],
    } as unknown as JobEstimateReport;
    const text = reportJsonText(report);
    const before = JSON.stringify(JSON.parse(JSON.stringify(report, (_k, x: unknown) => (x instanceof Float64Array ? "VECTOR" : x))), null, 2);
    const parsed = JSON.parse(text) as { estimates: { impacts: Record<string, Record<string, number>> }[]; context: Record<string, unknown> };
    expect(text.endsWith("}\n")).toBe(true);
    expect(parsed.estimates[0].impacts[PHASES[0]].CC).toBe(0.25);
    expect(parsed.estimates[0].impacts[PHASES[1]].ENERGY_J).toBe(3600);
    expect(parsed.estimates[0].impacts[PHASES[2]].PE).toBe(0);
    expect(parsed.context.nan).toBeNull();
    expect("missing" in parsed.context).toBe(false);
    // Outside the vectors, the same text as the three passes gave (vectors set apart here, their text checked above).
    const withoutVectors = JSON.stringify(JSON.parse(text, (_k, x: unknown) => (x !== null && typeof x === "object" && PHASES[0] in (x as object) ? "VECTOR" : x)), null, 2);
    expect(withoutVectors).toBe(before);
  });
});
