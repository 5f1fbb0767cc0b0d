import { describe, expect, it } from "vitest";
import { EF_CATEGORIES, ENERGY, INDICATORS, N_COORDS, N_EF, N_PHASES, PE, PHASE_INDEX, PHASES, categoryIndex } from "../../../src/core/index.js";

describe("categories", () => {
  it("EF_CATEGORIES holds the 16 EF 3.1 categories, and an ImpactVector adds energy at index 16 and primary energy at 17", () => {
    expect(EF_CATEGORIES).toHaveLength(16);
    expect(N_EF).toBe(16);
    expect(ENERGY).toBe(16);
    expect(PE).toBe(17);
    expect(N_COORDS).toBe(18);
  });

  it("INDICATORS lists the 16 categories at their positions, then PE (MJ) at 17, and never ENERGY", () => {
    expect(INDICATORS.map((c) => c.id)).toEqual([...EF_CATEGORIES.map((c) => c.id), "PE"]);
    INDICATORS.forEach((c, i) => expect(c.index).toBe(i < 16 ? i : PE));
    expect(INDICATORS[16]).toEqual({ id: "PE", name: "Primary energy", unit: "MJ", column: "pe_mj", index: 17 });
    expect(categoryIndex("PE")).toBe(PE);
  });

  it("EF_CATEGORIES keeps its file-format order", () => {
    // Append-only: this order is the CSV column order.
    expect(EF_CATEGORIES.map((c) => c.id)).toEqual([
      "CC", "ODP", "HTC", "HTNC", "PM", "IR", "POCP", "AC", "EUT", "EUF", "EUM", "ETF", "LU", "WU", "RUMM", "RUF",
    ]);
  });

  it("EF_CATEGORIES have unique ids, names and columns", () => {
    for (const field of ["id", "name", "column"] as const) {
      expect(new Set(EF_CATEGORIES.map((c) => c[field])).size).toBe(16);
    }
  });

  it("EF_CATEGORIES columns are lower-case slugs, and every category has a unit", () => {
    for (const c of EF_CATEGORIES) {
      expect(c.column).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(c.column.startsWith(`${c.id.toLowerCase()}_`)).toBe(true);
      expect(c.unit.length).toBeGreaterThan(0);
    }
    expect(EF_CATEGORIES[0]).toEqual({ id: "CC", name: "Climate change", unit: "kg CO2 eq", column: "cc_kgco2eq" });
  });

  it("categoryIndex(id) is the position of the category, ENERGY for \"ENERGY\", -1 when unknown", () => {
    EF_CATEGORIES.forEach((c, i) => expect(categoryIndex(c.id)).toBe(i));
    expect(categoryIndex("CC")).toBe(0);
    expect(categoryIndex("RUF")).toBe(15);
    expect(categoryIndex("ENERGY")).toBe(16);
    expect(categoryIndex("cc")).toBe(-1);
    expect(categoryIndex("GWP")).toBe(-1);
  });

  it("PHASES is fabrication, transport, use, endOfLife, and PHASE_INDEX agrees", () => {
    expect(PHASES).toEqual(["fabrication", "transport", "use", "endOfLife"]);
    expect(N_PHASES).toBe(4);
    PHASES.forEach((p, i) => expect(PHASE_INDEX[p]).toBe(i));
    expect(Object.keys(PHASE_INDEX)).toHaveLength(4);
  });
});
