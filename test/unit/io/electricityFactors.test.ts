import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { categoryIndex, ENERGY, N_COORDS } from "../../../src/core/categories.ts";
import { InputError } from "../../../src/core/errors.ts";
import { Basis } from "../../../src/core/impact.ts";
import { readElectricityFactors } from "../../../src/io/electricityFactors.ts";

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/grid/${name}`, import.meta.url));
const TABLE = fileURLToPath(new URL("../../../platforms/electricity/electricity_factors_by_zone.csv", import.meta.url));
const k = categoryIndex;

/**
 * The value of one zone/criterion read from the shipped table by plain string
 * splitting (no CSV library, no code under test): the row with the smallest priority.
 */
function tableValue(zone: string, criterion: string): number {
  const lines = readFileSync(TABLE, "utf8").trim().split("\n");
  const header = lines[0].split(",");
  const at = (name: string): number => header.indexOf(name);
  const rows = lines
    .slice(1)
    .map((l) => l.split(","))
    .filter((f) => f[at("code")] === zone && f[at("criterion")] === criterion)
    .sort((a, b) => Number(a[a.length - 1]) - Number(b[b.length - 1])); // priority is the last column, source has no commas in these rows
  return Number(rows[0][at("value_per_kwh")]);
}

describe("readElectricityFactors", () => {
  it("readElectricityFactors(path) gives each zone a vector of N_COORDS per-joule factors with ENERGY = 1 (Data) and no toxicity data", async () => {
    const zones = await readElectricityFactors(fixture("factors_small.csv"));
    expect([...zones.keys()]).toEqual(["AAA", "BBB"]);
    const a = zones.get("AAA")!;
    expect(a.values.length).toBe(N_COORDS);
    expect(a.basis.length).toBe(N_COORDS);
    expect(a.values[ENERGY]).toBe(1);
    expect(a.basis[ENERGY]).toBe(Basis.Data);
    for (const id of ["HTC", "HTNC", "ETF"]) {
      expect(a.values[k(id)]).toBe(0);
      expect(a.basis[k(id)]).toBe(Basis.Missing);
    }
  });

  it("readElectricityFactors(path) takes the priority-1 row, converts per kWh to per joule, and marks absent criteria Missing", async () => {
    const zones = await readElectricityFactors(fixture("factors_small.csv"));
    const a = zones.get("AAA")!;
    // gwp: priority 1 row (0.1 kg/kWh) wins over priority 2 (0.5), whatever the row order; 1 kWh = 3.6e6 J.
    expect(a.values[k("CC")]).toBeCloseTo(0.1 / 3.6e6, 22);
    expect(a.basis[k("CC")]).toBe(Basis.Data);
    // ap -> AC: 0.36 mol H+ eq per kWh = 1e-7 per J.
    expect(a.values[k("AC")]).toBeCloseTo(1e-7, 20);
    // wu -> WU as a proxy: 0.0072 m3/kWh = 2e-9 m3/J.
    expect(a.values[k("WU")]).toBeCloseTo(2e-9, 22);
    expect(a.basis[k("WU")]).toBe(Basis.Proxy);
    // lu is 0: a placeholder, so Missing.
    expect(a.basis[k("LU")]).toBe(Basis.Missing);
    // pe -> PE as a proxy (Boavizta's ADPf / (1 - renewable share)): 9.9 MJ/kWh = 2.75e-6 MJ/J.
    expect(a.values[k("PE")]).toBeCloseTo(9.9 / 3.6e6, 20);
    expect(a.basis[k("PE")]).toBe(Basis.Proxy);
    // ODP is absent for AAA; BBB has only gwp.
    expect(a.basis[k("ODP")]).toBe(Basis.Missing);
    const b = zones.get("BBB")!;
    expect(b.values[k("CC")]).toBeCloseTo(0.72 / 3.6e6, 22);
    expect(b.basis[k("WU")]).toBe(Basis.Missing);
    expect(a.source.replace(fixture("factors_small.csv"), "<file>")).toMatchInlineSnapshot(
      `"<file>, zone AAA (Aland), per kWh converted to per J; CC: Scarlat et al. (2019); AC: ADEME Base IMPACTS ® (2011); WU [proxy]: WRI (2020); PE [proxy]: ADPf / (1-%renewable_energy) (2011); WU is a proxy: WRI water consumption in m3, not the AWARE deprivation-weighted m3 world eq of EF 3.1; PE is a proxy: Boavizta's ADPf / (1 - renewable share), not an inventory of primary energy; LU: 0 in the table, a placeholder (no mix has zero impact), taken as missing; missing (0, flagged): ODP HTC HTNC PM IR POCP EUT EUF EUM ETF LU RUMM RUF"`,
    );
  });

  it("readElectricityFactors(path) lists every bad row: unexpected unit, non-number, two rows of equal priority", async () => {
    const err = await readElectricityFactors(fixture("factors_bad.csv")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    const lines = (err as InputError).issues.map((x) => `${x.line}: ${x.path}: ${x.message}`);
    expect(lines).toMatchInlineSnapshot(`
      [
        "2: unit: expected "kg éq. CO2" or "kg CO2 eq" per kWh for gwp, got "g CO2/kWh"",
        "3: value_per_kwh: expected a number, got "n/a"",
        "5: priority: expected one gwp row of priority 2 for zone BBB, got another at line 4",
      ]
    `);
  });
});

describe("readElectricityFactors on the shipped table", () => {
  it("readElectricityFactors('platforms/electricity/electricity_factors_by_zone.csv') gives FRA CC = its priority-1 gwp / 3.6e6 per joule", async () => {
    const zones = await readElectricityFactors(TABLE);
    expect(zones.size).toBe(139);
    const fra = zones.get("FRA")!;
    const gwp = tableValue("FRA", "gwp"); // 0.098 kg/kWh (Scarlat et al. 2022, year 2019, priority 1)
    expect(gwp).toBe(0.098);
    expect(fra.values[k("CC")]).toBe(gwp / 3.6e6);
    expect(fra.basis[k("CC")]).toBe(Basis.Data);
    expect(fra.values[k("IR")]).toBe(tableValue("FRA", "ir") / 3.6e6);
    expect(fra.values[k("RUF")]).toBe(tableValue("FRA", "adpf") / 3.6e6);
  });

  it("readElectricityFactors(table) marks HTC, HTNC, ETF and LU Missing and WU Proxy (or Missing where the zone has no wu)", async () => {
    const zones = await readElectricityFactors(TABLE);
    let withWu = 0;
    for (const z of zones.values()) {
      for (const id of ["HTC", "HTNC", "ETF", "LU"]) expect(z.basis[k(id)]).toBe(Basis.Missing);
      for (const id of ["CC", "IR", "POCP", "AC", "EUT", "EUF", "EUM", "RUMM", "RUF"]) expect(z.basis[k(id)]).toBe(Basis.Data);
      if (z.basis[k("WU")] === Basis.Proxy) withWu++;
      else expect(z.basis[k("WU")]).toBe(Basis.Missing);
    }
    expect(withWu).toBe(49); // zones with a WRI wu row in the table
    expect(zones.get("FRA")!.source).toContain("AWARE");
  });

  it("readElectricityFactors(table) takes the table's zeros as missing: ODP in 131 of 139 zones, PM in 2, never as data", async () => {
    const zones = await readElectricityFactors(TABLE);
    const count = (id: string, basis: Basis) => [...zones.values()].filter((z) => z.basis[k(id)] === basis).length;
    // Counted in the table by hand: odp is 0.0 in 131 rows, pm in 2, lu in all 139.
    expect(count("ODP", Basis.Data)).toBe(8);
    expect(count("ODP", Basis.Missing)).toBe(131);
    expect(count("PM", Basis.Missing)).toBe(2);
    for (const z of zones.values()) for (const id of ["ODP", "PM", "LU"]) if (z.basis[k(id)] === Basis.Missing) expect(z.values[k(id)]).toBe(0);
    expect(zones.get("DEU")!.basis[k("ODP")]).toBe(Basis.Missing); // 0.0 in the table
    expect(zones.get("FRA")!.basis[k("ODP")]).toBe(Basis.Data); // 8.77128e-10 kg CFC-11 eq/kWh
    expect(zones.get("DEU")!.source).toContain("ODP LU: 0 in the table, a placeholder");
  });

  it("readElectricityFactors(table) gives PE from Boavizta's pe rows as a proxy in 136 zones, missing in the 3 without one", async () => {
    const zones = await readElectricityFactors(TABLE);
    const fra = zones.get("FRA")!;
    expect(fra.values[k("PE")]).toBe(tableValue("FRA", "pe") / 3.6e6); // 11.289 MJ/kWh
    expect(fra.basis[k("PE")]).toBe(Basis.Proxy);
    expect([...zones.values()].filter((z) => z.basis[k("PE")] === Basis.Proxy)).toHaveLength(136);
    expect([...zones.values()].filter((z) => z.basis[k("PE")] === Basis.Missing)).toHaveLength(3);
  });
});
