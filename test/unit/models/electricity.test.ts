import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { categoryIndex, ENERGY, N_COORDS } from "../../../src/core/categories.ts";
import { AdjustmentLog, InputError } from "../../../src/core/errors.ts";
import { Basis, type FactorVector } from "../../../src/core/impact.ts";
import { parseSeriesCsv, readSeriesCsv } from "../../../src/io/series.ts";
import { intensityFromCarbonSeries, intensityFromMix, intensityStatic } from "../../../src/models/electricity.ts";

const repoFile = (rel: string): string => fileURLToPath(new URL(`../../../${rel}`, import.meta.url));
const CC = categoryIndex("CC");
const ODP = categoryIndex("ODP");
const WU = categoryIndex("WU");
const HTC = categoryIndex("HTC");
const T0 = Date.UTC(2021, 0, 1) / 1000; // 2021-01-01T00:00:00Z

/** A hand-made zone: CC 0.3 kg/kWh, ODP 3.6e-9 kg/kWh (1e-15 per J), WU a proxy, HTC missing. */
function zone(): FactorVector {
  const values = new Float64Array(N_COORDS);
  const basis = new Uint8Array(N_COORDS);
  values[CC] = 0.3 / 3.6e6;
  values[ODP] = 1e-15;
  values[WU] = 1e-9;
  basis[WU] = Basis.Proxy;
  basis[HTC] = Basis.Missing;
  values[ENERGY] = 1;
  return { values, basis, source: "test zone" };
}

const series = (text: string, columns: string[]) =>
  parseSeriesCsv(text, { timeColumn: "time", valueColumns: columns, timezone: "UTC", gaps: "error", log: new AdjustmentLog(), label: "s.csv" });

describe("intensityStatic", () => {
  it("intensityStatic(zone) is the zone's vector at every time, with the zone's basis and ENERGY = 1", () => {
    const z = zone();
    const it0 = intensityStatic(z);
    expect(it0.series.dim).toBe(N_COORDS);
    for (const t of [-1e9, 0, 1e9]) {
      expect(it0.series.valueAt(t, CC)).toBe(0.3 / 3.6e6);
      expect(it0.series.valueAt(t, ENERGY)).toBe(1);
    }
    expect([...it0.basis]).toEqual([...z.basis]);
    // One day at 1 W: 86,400 J, and 86,400 / 3.6e6 kWh x 0.3 kg/kWh = 0.0072 kg CO2e.
    expect(it0.series.integral(0, 86_400, ENERGY)).toBe(86_400);
    expect(it0.series.integral(0, 86_400, CC)).toBeCloseTo(0.0072, 15);
    expect(it0.source).toContain("test zone");
  });
});

describe("intensityFromCarbonSeries", () => {
  it("intensityFromCarbonSeries(raw, column, zone, t0, 'hold') integrates a constant 100 g/kWh over 1 hour to 100/1000/3.6e6*3600 kg per W", () => {
    const raw = series("time,ci\n2021-01-01T00:00:00Z,100\n2021-01-01T00:30:00Z,100\n", ["ci"]);
    const it1 = intensityFromCarbonSeries(raw, "ci", zone(), T0, "hold");
    // Two 30-min rows; the last lasts one step, so the series covers [0, 3600) s.
    expect(it1.series.starts[0]).toBe(0);
    expect(it1.series.end).toBe(3600);
    // 100 g/kWh = 0.1 kg per 3.6e6 J; times 3600 s = 1e-4 kg per W of constant draw.
    expect(it1.series.integral(0, 3600, CC)).toBeCloseTo((100 / 1000 / 3.6e6) * 3600, 18);
    expect(it1.series.integral(0, 3600, CC)).toBeCloseTo(1e-4, 18);
    expect(it1.series.integral(0, 3600, ENERGY)).toBe(3600);
    expect(intensityFromCarbonSeries(raw, "ci", zone(), T0, "error").series.extension).toBe("error");
    expect(() => intensityFromCarbonSeries(raw, "ci", zone(), T0, "error").series.valueAt(3600, CC)).toThrow(RangeError);
  });

  it("every row of a carbon series of 2 to 37 rows is the zone's row (ENERGY 1) with its own CC, whatever the row count", () => {
    const z = zone();
    for (let n = 2; n <= 37; n++) {
      const rows = Array.from({ length: n }, (_, i) => `2021-01-01T${String(Math.floor(i / 2)).padStart(2, "0")}:${i % 2 ? "30" : "00"}:00Z,${10 * (i + 1)}`);
      const it = intensityFromCarbonSeries(series(`time,ci\n${rows.join("\n")}\n`, ["ci"]), "ci", z, T0, "hold");
      expect(it.series.length).toBe(n);
      for (let i = 0; i < n; i++) {
        const row = [...it.series.row(i)];
        // 10 (i + 1) g/kWh in kg per J, as the unit conversion is written by hand here.
        const expected = [...z.values].map((v, d) => (d === CC ? (10 * (i + 1)) / 1000 / 3.6e6 : d === ENERGY ? 1 : v));
        expect(row[CC]).toBeCloseTo(expected[CC], 22);
        row[CC] = expected[CC];
        expect(row).toEqual(expected);
      }
    }
  });

  it("intensityFromCarbonSeries(...) takes CC from the series as Data and every other category, value and basis, from the zone", () => {
    const raw = series("time,ci\n2021-01-01T01:00:00Z,36\n2021-01-01T02:00:00Z,72\n", ["ci"]);
    const z = zone();
    z.basis[CC] = Basis.Missing; // even a zone without CC: the series supplies it
    const it2 = intensityFromCarbonSeries(raw, "ci", z, T0, "hold");
    // Rows at 01:00 and 02:00 UTC are simulation seconds 3600 and 7200; end 7200 + 3600.
    expect([...it2.series.starts]).toEqual([3600, 7200]);
    expect(it2.series.end).toBe(10_800);
    expect(it2.series.valueAt(3600, CC)).toBeCloseTo(1e-8, 22); // 36 g/kWh = 0.036 kg / 3.6e6 J
    expect(it2.series.valueAt(7200, CC)).toBeCloseTo(2e-8, 22);
    expect(it2.series.valueAt(7200, ODP)).toBe(1e-15);
    expect(it2.series.valueAt(7200, WU)).toBe(1e-9);
    expect(it2.basis[CC]).toBe(Basis.Data);
    expect(it2.basis[WU]).toBe(Basis.Proxy);
    expect(it2.basis[HTC]).toBe(Basis.Missing);
    expect(it2.basis[ENERGY]).toBe(Basis.Data);
    expect(it2.source).toMatchInlineSnapshot(`"CC: s.csv column "ci" (gCO2e/kWh, 2 rows every 3600 s, from 2021-01-01T01:00:00Z, hold beyond its span); other categories: test zone"`);
  });

  it("intensityFromCarbonSeries(...) rejects a negative intensity and an unknown column", () => {
    const raw = series("time,ci\n2021-01-01T00:00:00Z,10\n2021-01-01T01:00:00Z,-5\n", ["ci"]);
    expect(() => intensityFromCarbonSeries(raw, "ci", zone(), T0, "error")).toThrowErrorMatchingInlineSnapshot(`[InputError: s.csv: ci: expected gCO2e/kWh >= 0 at 2021-01-01T01:00:00Z, got -5]`);
    expect(() => intensityFromCarbonSeries(raw, "CI", zone(), T0, "error")).toThrow(RangeError);
  });

  it("intensityFromCarbonSeries(...) names every row out of range, in row order, from the column it reads among others", () => {
    // The CC column is the second: a negative, a row at the limit (2,000: kept), one above it, another negative.
    const raw = series("time,x,ci\n2021-01-01T00:00:00Z,1,-1\n2021-01-01T01:00:00Z,1,2000\n2021-01-01T02:00:00Z,-9,2000.5\n2021-01-01T03:00:00Z,1,-0.5\n", ["x", "ci"]);
    let issues: readonly { code: string; message: string }[] = [];
    try {
      intensityFromCarbonSeries(raw, "ci", zone(), T0, "error");
    } catch (e) {
      issues = (e as InputError).issues;
    }
    expect(issues.map((i) => [i.code, i.message])).toEqual([
      ["invalid_value", "expected gCO2e/kWh >= 0 at 2021-01-01T00:00:00Z, got -1"],
      ["implausible_value", "expected gCO2e/kWh <= 2000 (twice the life-cycle intensity of coal; see core/limits.ts) at 2021-01-01T02:00:00Z, got 2000.5"],
      ["invalid_value", "expected gCO2e/kWh >= 0 at 2021-01-01T03:00:00Z, got -0.5"],
    ]);
    // At the limit it is kept: 2,000 g/kWh is 2 kg per 3.6e6 J.
    const ok = intensityFromCarbonSeries(series("time,x,ci\n2021-01-01T00:00:00Z,-3,2000\n2021-01-01T01:00:00Z,-3,0\n", ["x", "ci"]), "ci", zone(), T0, "hold");
    expect(ok.series.value(0, CC)).toBe(2 / 3.6e6);
  });
});

describe("intensityFromMix", () => {
  it("intensityFromMix(raw, sources, zone, t0, ext) weights each source's factors by its share, filling categories a source lacks from the zone", () => {
    // Row 1: A 3, B 1 (shares 3/4, 1/4). Row 2: A 0, B 2 (share of B 1).
    const raw = series("time,A,B\n2021-01-01T00:00:00Z,3,1\n2021-01-01T01:00:00Z,0,2\n", ["A", "B"]);
    const sources = {
      A: { CC: 0.1, ODP: 7.2e-9 }, // kg CO2e/kWh, kg CFC-11 eq/kWh
      B: { CC: 0.5 }, // no ODP: the zone's 1e-15 per J (3.6e-9 per kWh) stands in
    };
    const it3 = intensityFromMix(raw, sources, zone(), T0, "hold");
    // Row 1 CC: (3 x 0.1 + 1 x 0.5) / 4 = 0.2 kg/kWh; row 2: 0.5 kg/kWh.
    expect(it3.series.valueAt(0, CC)).toBeCloseTo(0.2 / 3.6e6, 22);
    expect(it3.series.valueAt(3600, CC)).toBeCloseTo(0.5 / 3.6e6, 22);
    // Row 1 ODP: (3 x 7.2e-9 + 1 x 3.6e-9) / 4 = 6.3e-9 per kWh = 1.75e-15 per J; row 2: the zone's 1e-15.
    expect(it3.series.valueAt(0, ODP)).toBeCloseTo(1.75e-15, 28);
    expect(it3.series.valueAt(3600, ODP)).toBeCloseTo(1e-15, 28);
    // WU: no source gives it: the zone's value and basis.
    expect(it3.series.valueAt(0, WU)).toBe(1e-9);
    expect(it3.series.valueAt(0, ENERGY)).toBe(1);
    expect(it3.basis[CC]).toBe(Basis.Data); // every source gives CC
    expect(it3.basis[ODP]).toBe(Basis.Proxy); // only A gives ODP
    expect(it3.basis[WU]).toBe(Basis.Proxy); // from the zone
    expect(it3.basis[HTC]).toBe(Basis.Missing); // from the zone
    // Two hours at 1 W: 0.2 and 0.5 kg/kWh over 3600 J each = (0.2 + 0.5) / 1000 kg.
    expect(it3.series.integral(0, 7200, CC)).toBeCloseTo(0.7 / 1000, 16);
  });

  it("intensityFromMix(...) rejects negative generation, a row without generation, unknown category ids and unknown columns", () => {
    const neg = series("time,A,B\n2021-01-01T00:00:00Z,3,-1\n2021-01-01T01:00:00Z,0,0\n", ["A", "B"]);
    const sources = { A: { CC: 0.1 }, B: { CC: 0.5 } };
    expect(() => intensityFromMix(neg, sources, zone(), T0, "error")).toThrowErrorMatchingInlineSnapshot(`
      [InputError: s.csv: B: expected generation >= 0 at 2021-01-01T00:00:00Z, got -1 (leave storage and export columns out of the mix)
      s.csv: A, B: expected some generation at 2021-01-01T01:00:00Z, got a total of 0]
    `);
    const ok = series("time,A,B\n2021-01-01T00:00:00Z,3,1\n2021-01-01T01:00:00Z,1,1\n", ["A", "B"]);
    expect(() => intensityFromMix(ok, { A: { CO2: 0.1 } }, zone(), T0, "error")).toThrow(/expected a category id .* got "CO2"/);
    expect(() => intensityFromMix(ok, { A: { ENERGY: 1 } }, zone(), T0, "error")).toThrow(RangeError);
    expect(() => intensityFromMix(ok, { C: { CC: 0.1 } }, zone(), T0, "error")).toThrow(RangeError);
  });

  it("intensityFromMix(CISO 2022 mix, IPCC AR5 medians) reproduces the file's own avg_CI column to 1e-6 relative", async () => {
    // Factors read from traces/grid/per_source_lifecycle_ghg_factors.csv (plain split: quoted
    // descriptions with commas are skipped by taking fields from the left up to the needed column).
    const lines = readFileSync(repoFile("traces/grid/per_source_lifecycle_ghg_factors.csv"), "utf8").trim().split("\n");
    const header = lines[0].split(",");
    const factor = (key: string, column: string): number => {
      const line = lines.find((l) => l.startsWith(`${key},`))!;
      // Drop the quoted description so the remaining fields line up with the header.
      const fields = line.replace(/^([^,]+),"[^"]*"/, "$1,desc").split(",");
      return Number(fields[header.indexOf(column)]);
    };
    const AR5 = "ipcc_ar5_lifecycle_median_gco2e_per_kwh";
    const gPerKwh: Record<string, number> = {
      WND: factor("wind_onshore", AR5), // 11
      SUN: factor("solar_pv_rooftop", AR5), // 41
      WAT: factor("hydro", AR5), // 24
      // AR5 Table A.III.2 has no oil row; dc-rl's 650 is the Electricity Maps (UK POST) life-cycle default.
      OIL: factor("oil", "electricitymaps_lifecycle_default_gco2e_per_kwh"), // 650
      NG: factor("gas", AR5), // 490
      COL: factor("coal", AR5), // 820
      NUC: factor("nuclear", AR5), // 12
      OTH: factor("biomass_dedicated", AR5), // 230
    };
    expect(gPerKwh).toEqual({ WND: 11, SUN: 41, WAT: 24, OIL: 650, NG: 490, COL: 820, NUC: 12, OTH: 230 });
    const sources = Object.fromEntries(Object.entries(gPerKwh).map(([s, g]) => [s, { CC: g / 1000 }])); // kg per kWh

    const log = new AdjustmentLog();
    const cols = [...Object.keys(gPerKwh), "avg_CI"];
    const raw = await readSeriesCsv(repoFile("traces/grid/CISO_2022_hourly_mix_ci.csv"), { timeColumn: "timestamp", valueColumns: cols, timezone: "UTC", gaps: "hold", log });
    expect(raw.times.length).toBe(8760); // 365 days x 24 h
    expect(log.toJSON()).toEqual({ missing_value: 3 }); // three empty hours, held from the hour before

    const t0 = Date.UTC(2022, 0, 1) / 1000;
    const it4 = intensityFromMix(raw, sources, zone(), t0, "error");
    const avg = cols.indexOf("avg_CI");
    let worst = 0;
    for (let i = 0; i < raw.times.length; i++) {
      const gPerKwhFromModel = it4.series.valueAt(raw.times[i] - t0, CC) * 3.6e6 * 1000;
      const expected = raw.values[i * cols.length + avg];
      worst = Math.max(worst, Math.abs(gPerKwhFromModel / expected - 1));
    }
    expect(worst).toBeLessThan(1e-6);
    expect(it4.basis[CC]).toBe(Basis.Data);
  });
});
