/** The notebooks under notebooks/, run end to end into a temporary folder. */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run as runConsolidation, type ConsolidationResult } from "../../notebooks/consolidation.js";
import { run as runFabrication, type FabricationVsUseResult } from "../../notebooks/fabrication-vs-use.js";
import { run as runGrowthStudy, type GrowthStudyResult } from "../../notebooks/growth-study.js";
import { run as runLifetimeStudy, type LifetimeStudyResult } from "../../notebooks/lifetime-study.js";

/** The page loads nothing from elsewhere: no src/href/url() pointing off the page, no <link>, every script inline. */
function expectSelfContained(html: string): void {
  expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:[a-z]+:)?\/\//i);
  expect(html).not.toMatch(/url\(\s*["']?\s*(?:[a-z]+:)?\/\//i);
  expect(html).not.toMatch(/<link\b/i);
  expect(html).not.toMatch(/<script\b[^>]*\bsrc\s*=/i);
  expect(html).not.toMatch(/@import/i);
  // d3 and the data are inlined
  expect(html).toContain('id="nb-data"');
  expect(html.length).toBeGreaterThan(200_000);
}

describe("notebooks/fabrication-vs-use.ts", () => {
  it("run() writes a self-contained page and JSON where use + embodied = total and the embodied share falls as grid intensity rises", async () => {
    const dir = mkdtempSync(join(tmpdir(), "impactsim-nb-fab-"));
    const { html, json } = await runFabrication(dir);
    expect(existsSync(html)).toBe(true);
    expectSelfContained(readFileSync(html, "utf8"));
    const r = JSON.parse(readFileSync(json, "utf8")) as FabricationVsUseResult;
    expect(r.cases).toHaveLength(4); // 2 node types x 2 utilisations
    for (const c of r.cases) {
      expect(c.zones.length).toBeGreaterThanOrEqual(8);
      expect(c.embodied_kgco2eq).toBeGreaterThan(0);
      const phases = Object.values(c.embodied_by_phase_kgco2eq).reduce((a, x) => a + x, 0);
      expect(phases).toBeCloseTo(c.embodied_kgco2eq, 12);
      // use = facility energy x grid factor; at the crossover intensity, use = embodied
      for (const z of c.zones) {
        expect(z.use_kgco2eq + z.embodied_kgco2eq).toBeCloseTo(z.total_kgco2eq, 12);
        expect(z.use_kgco2eq).toBeCloseTo(c.energy_facility_kwh * z.gwp_kg_per_kwh, 9);
        expect(z.fabrication_share).toBeCloseTo(z.embodied_kgco2eq / z.total_kgco2eq, 12);
        expect(z.gwp_source.length).toBeGreaterThan(0);
      }
      expect((c.energy_facility_kwh * c.crossover_g_per_kwh) / 1000).toBeCloseTo(c.embodied_kgco2eq, 9);
      const byIntensity = [...c.zones].sort((a, b) => a.gwp_kg_per_kwh - b.gwp_kg_per_kwh);
      for (let i = 1; i < byIntensity.length; i++) {
        expect(byIntensity[i].gwp_kg_per_kwh).toBeGreaterThan(byIntensity[i - 1].gwp_kg_per_kwh);
        expect(byIntensity[i].fabrication_share).toBeLessThan(byIntensity[i - 1].fabrication_share);
      }
      // zones below the crossover have embodied > use, above it the reverse
      for (const z of c.zones) expect(z.fabrication_share > 0.5).toBe(1000 * z.gwp_kg_per_kwh < c.crossover_g_per_kwh);
    }
    // the same node draws more at 100 % than at 50 %, so its embodied share is lower
    for (const t of new Set(r.cases.map((c) => c.node_type))) {
      const [half, full] = [0.5, 1].map((u) => r.cases.find((c) => c.node_type === t && c.utilisation === u)!);
      expect(full.power_w).toBeGreaterThan(half.power_w);
      expect(full.crossover_g_per_kwh).toBeLessThan(half.crossover_g_per_kwh);
    }
  });
});

describe("notebooks/consolidation.ts", () => {
  it("run() writes a self-contained page and JSON where switching nodes off never adds overhead energy", async () => {
    const dir = mkdtempSync(join(tmpdir(), "impactsim-nb-cons-"));
    const { html, json } = await runConsolidation(dir);
    expect(existsSync(html)).toBe(true);
    const page = readFileSync(html, "utf8");
    expectSelfContained(page);
    for (const id of ["chart-energy", "chart-cc", "chart-wait"]) expect(page).toContain(`id="${id}"`);
    const r = JSON.parse(readFileSync(json, "utf8")) as ConsolidationResult;
    const [easy, ...cons] = r.rows;
    expect(easy.policy).toBe("easy");
    expect(easy.wait_added_s).toBe(0);
    expect(cons.length).toBeGreaterThanOrEqual(4);
    for (const x of r.rows) {
      expect(x.jobs).toBe(easy.jobs);
      const phases = Object.values(x.cc_kgco2eq.by_phase).reduce((a, v) => a + v, 0);
      expect(phases).toBeCloseTo(x.cc_kgco2eq.total, 6);
      expect(x.energy_kwh.jobs_facility + x.energy_kwh.overhead_facility).toBeCloseTo(x.energy_kwh.facility, 6);
      expect(x.overhead_share).toBeCloseTo(x.energy_kwh.overhead_facility / x.energy_kwh.facility, 12);
      expect(x.wait_added_s).toBeCloseTo(x.mean_wait_s - easy.mean_wait_s, 9);
    }
    for (const x of cons) {
      expect(x.policy).toBe("consolidate");
      expect(x.energy_kwh.overhead_facility).toBeLessThanOrEqual(easy.energy_kwh.overhead_facility);
      expect(x.energy_kwh.facility).toBeLessThanOrEqual(easy.energy_kwh.facility);
    }
    // the idle/peak check reads both SPECpower curves of the platform
    expect(r.node_types.map((t) => t.node_type).sort()).toEqual(["dell-r620", "dell-r640"]);
    for (const t of r.node_types) {
      expect(t.idle_over_peak).toBeCloseTo(t.idle_w / t.peak_w, 12);
      expect(t.idle_over_peak).toBeLessThan(0.5);
      expect(t.break_even_s).toBeGreaterThan(0);
    }
  });
});

describe("notebooks/lifetime-study.ts", () => {
  it("run() writes a self-contained page where footnote 33 holds on the European case and fails on a carbon-intensive grid", async () => {
    const dir = mkdtempSync(join(tmpdir(), "impactsim-nb-lifetime-"));
    const { html, json } = await runLifetimeStudy(dir);
    expectSelfContained(readFileSync(html, "utf8"));
    const r = JSON.parse(readFileSync(json, "utf8")) as LifetimeStudyResult;
    const rows = (study: string) => r.rows.filter((x) => x.study === study);
    // The inequality, re-evaluated on the terms the page shows.
    for (const x of r.rows) expect(x.replacing_pays).toBe(x.b1_t2 > x.a + x.b2_t2p);
    expect(rows("lifetime-eu").every((x) => !x.replacing_pays)).toBe(true);
    expect(rows("lifetime-carbon-intensive").some((x) => x.replacing_pays)).toBe(true);
    expect(rows("lifetime-carbon-intensive").every((x) => !x.fabrication_dominates)).toBe(true);
    for (const s of r.studies) expect(existsSync(s.report)).toBe(true);
  }, 900_000);
});

describe("notebooks/growth-study.ts", () => {
  it("run() writes a self-contained page with every option, the reference first, and a non-empty front", async () => {
    const dir = mkdtempSync(join(tmpdir(), "impactsim-nb-growth-"));
    const { html, json } = await runGrowthStudy(dir);
    expectSelfContained(readFileSync(html, "utf8"));
    const r = JSON.parse(readFileSync(json, "utf8")) as GrowthStudyResult;
    expect(r.options.map((o) => o.option)).toEqual(["reference", "cpu-nodes", "gpu-nodes", "longer-life", "other-site"]);
    expect(r.front.length).toBeGreaterThan(0);
    for (const o of r.options) expect(o.total.CC).toBeCloseTo(o.use.CC + o.embodied.CC, 6);
  }, 900_000);
});
