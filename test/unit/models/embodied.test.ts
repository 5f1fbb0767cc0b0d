import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { EF_CATEGORIES, ENERGY, N_COORDS, N_EF, N_PHASES, PHASE_INDEX } from "../../../src/core/categories.js";
import { Basis } from "../../../src/core/impact.js";
import { SECONDS_PER_YEAR } from "../../../src/core/units.js";
import type { NodeTypeSpec, PlatformSpec } from "../../../src/io/spec.js";
import { embodiedPerNodeSecond } from "../../../src/models/embodied.js";

const idx = (id: string): number => EF_CATEGORIES.findIndex((c) => c.id === id);
const at = (phase: keyof typeof PHASE_INDEX, id: string): number => PHASE_INDEX[phase] * N_COORDS + (id === "ENERGY" ? ENERGY : idx(id));
const relErr = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

function nodeType(embodied: Partial<NodeTypeSpec["embodied"]>): NodeTypeSpec {
  return {
    cores: 1,
    power: { idle_w: 1, max_w: 2, source: "test" },
    embodied: { lifetime_years: 1, lifetime_source: "test", impacts: {}, source: "test data", ...embodied },
  };
}

describe("embodiedPerNodeSecond", () => {
  it("embodiedPerNodeSecond(nodeType, undefined) marks data, missing categories, the use phase and energy", () => {
    const { perPhase, basis, source } = embodiedPerNodeSecond(nodeType({ impacts: { fabrication: { CC: 10 } } }), undefined);
    expect(perPhase).toHaveLength(N_PHASES * N_COORDS);
    expect(basis).toHaveLength(N_PHASES * N_COORDS);
    for (const phase of ["fabrication", "transport", "endOfLife"] as const) {
      expect(basis[at(phase, "CC")]).toBe(Basis.Data);
      for (const c of EF_CATEGORIES.filter((x) => x.id !== "CC")) expect(basis[at(phase, c.id)]).toBe(Basis.Missing);
      expect(basis[at(phase, "ENERGY")]).toBe(Basis.Data);
      expect(perPhase[at(phase, "ENERGY")]).toBe(0);
    }
    for (let c = 0; c < N_COORDS; c++) {
      expect(perPhase[PHASE_INDEX.use * N_COORDS + c]).toBe(0);
      expect(basis[PHASE_INDEX.use * N_COORDS + c]).toBe(Basis.Data);
    }
    expect(perPhase[at("transport", "CC")]).toBe(0);
    expect(source).toMatchInlineSnapshot(`"test data; amortised over 1 year(s) (test); missing (no data, no proxy): ODP, HTC, HTNC, PM, IR, POCP, AC, EUT, EUF, EUM, ETF, LU, WU, RUMM, RUF, PE"`);
  });

  it("embodiedPerNodeSecond(nodeType, refs) gives 3153.6 kg CO2e over 1 year as 1e-4 kg per node-second", () => {
    const { perPhase } = embodiedPerNodeSecond(nodeType({ impacts: { fabrication: { CC: 3153.6 } } }), undefined);
    // 3153.6 kg / (365 * 86400 s) = 3153.6 / 31_536_000 = 1e-4
    expect(relErr(perPhase[at("fabrication", "CC")], 1e-4)).toBeLessThan(1e-15);
  });

  it("embodiedPerNodeSecond(nodeType, refs) amortises every phase over the lifetime in seconds", () => {
    const { perPhase } = embodiedPerNodeSecond(nodeType({ lifetime_years: 4, impacts: { transport: { AC: 2 }, endOfLife: { CC: -8 } } }), undefined);
    expect(perPhase[at("transport", "AC")]).toBe(2 / (4 * 365 * 86400));
    expect(perPhase[at("endOfLife", "CC")]).toBe(-8 / (4 * 365 * 86400));
  });

  it("embodiedPerNodeSecond(nodeType, refs) fills categories without data from the proxy, scaled by CC and split as the node's CC", () => {
    // Node: CC 300 kg in fabrication and 100 kg in transport (400 kg in all); ODP given as data.
    // Reference: CC 800, ODP 5, HTC 0.002, PM 4e-6. Ratio 400 / 800 = 0.5; fabrication share 3/4, transport 1/4.
    const refs: PlatformSpec["lca_references"] = { ref: { impacts: { CC: 800, ODP: 5, HTC: 0.002, PM: 4e-6 }, source: "ref data" } };
    const nt = nodeType({ lifetime_years: 2, impacts: { fabrication: { CC: 300, ODP: 1e-3 }, transport: { CC: 100 } }, proxy: { reference: "ref" } });
    const { perPhase, basis, source } = embodiedPerNodeSecond(nt, refs);
    const life = 2 * SECONDS_PER_YEAR;
    expect(relErr(perPhase[at("fabrication", "HTC")], (0.002 * 0.5 * 0.75) / life)).toBeLessThan(1e-15);
    expect(relErr(perPhase[at("transport", "HTC")], (0.002 * 0.5 * 0.25) / life)).toBeLessThan(1e-15);
    expect(relErr(perPhase[at("fabrication", "PM")], (4e-6 * 0.5 * 0.75) / life)).toBeLessThan(1e-15);
    expect(perPhase[at("endOfLife", "HTC")]).toBe(0);
    expect(perPhase[at("use", "HTC")]).toBe(0);
    // ODP is data: the reference's 5 is not used, and transport has none.
    expect(perPhase[at("fabrication", "ODP")]).toBe(1e-3 / life);
    expect(perPhase[at("transport", "ODP")]).toBe(0);
    for (const phase of ["fabrication", "transport", "endOfLife"] as const) {
      expect([basis[at(phase, "CC")], basis[at(phase, "ODP")], basis[at(phase, "HTC")], basis[at(phase, "PM")], basis[at(phase, "IR")]]).toEqual([
        Basis.Data, Basis.Data, Basis.Proxy, Basis.Proxy, Basis.Missing,
      ]);
    }
    expect(basis[at("use", "HTC")]).toBe(Basis.Data);
    expect(source).toContain('HTC, PM by proxy from "ref" scaled by node CC / reference CC = 400 / 800 (ref data)');
    expect(source).toContain("missing (no data, no proxy): HTNC, IR,");
  });

  it("embodiedPerNodeSecond(dell-r640 of two-site-eu.json, its references) has CC as data and the other 15 categories by proxy", async () => {
    const platform = JSON.parse(await readFile(new URL("../../../platforms/two-site-eu.json", import.meta.url), "utf8")) as PlatformSpec;
    const r640 = platform.node_types["dell-r640"];
    const ademe = platform.lca_references!["ademe-generic-server"].impacts;
    const { perPhase, basis } = embodiedPerNodeSecond(r640, platform.lca_references);
    const life = 4 * SECONDS_PER_YEAR;
    expect(basis[at("fabrication", "CC")]).toBe(Basis.Data);
    for (let c = 0; c < N_EF; c++) {
      const id = EF_CATEGORIES[c].id;
      if (id !== "CC") expect(basis[at("fabrication", id)]).toBe(Basis.Proxy);
      const expected = id === "CC" ? 1314.1 / life : (ademe[id] * (1314.1 / 3660)) / life;
      expect(relErr(perPhase[at("fabrication", id)], expected)).toBeLessThan(1e-14);
      expect(perPhase[at("transport", id)]).toBe(0);
    }
  });

  it("embodiedPerNodeSecond(nodeType, refs) throws a RangeError naming the problem", () => {
    const cc = { fabrication: { CC: 1 } };
    expect(() => embodiedPerNodeSecond(nodeType({ lifetime_years: 0, impacts: cc }), undefined)).toThrow("expected lifetime_years > 0, got 0");
    expect(() => embodiedPerNodeSecond(nodeType({ impacts: { use: { CC: 1 } } }), undefined)).toThrow('got "use"');
    expect(() => embodiedPerNodeSecond(nodeType({ impacts: { fabrication: { GWP: 1 } } }), undefined)).toThrow('got "GWP"');
    expect(() => embodiedPerNodeSecond(nodeType({ impacts: cc, proxy: { reference: "x" } }), {})).toThrow('expected proxy reference "x" in lca_references');
    expect(() => embodiedPerNodeSecond(nodeType({ impacts: cc, proxy: { reference: "x" } }), { x: { impacts: { ODP: 1 }, source: "s" } })).toThrow("non-zero CC");
    expect(() => embodiedPerNodeSecond(nodeType({ impacts: { fabrication: { ODP: 1 } }, proxy: { reference: "x" } }), { x: { impacts: { CC: 1 }, source: "s" } })).toThrow(
      "expected node CC data",
    );
  });
});
