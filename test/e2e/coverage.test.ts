/**
 * End to end: honest coverage on the bundled default scenario (issue 15).
 * The proxy share of climate change is checked against arithmetic on the
 * platform file alone: the R620's embodied figures are the ADEME generic
 * server standing in for it (basis proxy), the R640's climate change is Dell's
 * own figure and the grid's is data, so the CC resting on proxies is the R620
 * nodes' embodied CC over the run: nodes x the run's seconds x 3660 kg / 6
 * years (365-day years), whatever the jobs did. Placeholder zeros of the
 * per-kWh table (ODP in Germany, land use) are missing, not zero.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runScenario, type RunOutput } from "../../src/run/runScenario.js";

const dir = mkdtempSync(join(tmpdir(), "impactsim-coverage-"));
let run: RunOutput;
beforeAll(async () => {
  run = await runScenario({ overrides: { out: dir, summaryOnly: true } });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Category {
  total: number;
  by_phase: Record<string, number>;
  proxy_share: number;
  missing_phases: string[];
}

/** The shipped per-kWh factor of a zone and criterion, read by plain string splitting. */
function perKwh(zone: string, criterion: string): number {
  const row = readFileSync("platforms/electricity/electricity_factors_by_zone.csv", "utf8").trim().split("\n").map((l) => l.split(",")).find((f) => f[0] === zone && f[2] === criterion);
  return Number(row![3]);
}

describe("coverage of the default scenario", () => {
  it("runScenario(default): climate change rests on proxies exactly for the R620s' embodied share, 16 x the run's seconds x 3660 kg / 6 years", () => {
    const platform = JSON.parse(readFileSync("platforms/two-site-eu.json", "utf8"));
    const r620 = platform.node_types["dell-r620"].embodied;
    expect(r620).toMatchObject({ basis: "proxy", lifetime_years: 6 });
    expect(r620.impacts.fabrication.CC).toBe(3660);
    const nodes = platform.sites.flatMap((s: { nodes: { type: string; count: number }[] }) => s.nodes).filter((g: { type: string }) => g.type === "dell-r620").reduce((a: number, g: { count: number }) => a + g.count, 0);
    expect(nodes).toBe(16);
    const s = run.summary as unknown as { impacts: Record<string, Category>; last_end_s: number; first_submit_s: number };
    // Embodied impacts are charged from time 0 (the first submission) to the last job's end, on every node.
    expect(s.first_submit_s).toBe(0);
    const proxyCc = (nodes * s.last_end_s * 3660) / (6 * 365 * 86400);
    const cc = s.impacts.CC;
    expect(Math.abs(cc.proxy_share - proxyCc / cc.total)).toBeLessThan(1e-9);
    // As README's "Coverage, honestly" says: the R620s' figures are most of the run's embodied CC, and most of its CC.
    expect(proxyCc / cc.by_phase.fabrication).toBeGreaterThan(0.85);
    expect(cc.proxy_share).toBeGreaterThan(0.5);
    expect(cc.missing_phases).toEqual([]);
  });

  it("runScenario(default): a 0 of the per-kWh table is missing, not zero (ODP and LU in Germany's use phase); PE's embodied phases are missing and its use a proxy", () => {
    expect(perKwh("DEU", "odp")).toBe(0);
    expect(perKwh("FRA", "odp")).toBeGreaterThan(0);
    const s = run.summary as unknown as { impacts: Record<string, Category>; sites: Record<string, { jobs: { impacts: Record<string, Category> } }> };
    expect(s.sites.de.jobs.impacts.ODP.missing_phases).toContain("use");
    expect(s.sites.fr.jobs.impacts.ODP.missing_phases).not.toContain("use");
    expect(s.impacts.LU.missing_phases).toContain("use");
    expect(s.impacts.PE.missing_phases).toEqual(["fabrication", "transport", "endOfLife"]);
    expect(s.impacts.PE.proxy_share).toBe(1);
    expect(s.impacts.PE.by_phase.use).toBe(s.impacts.PE.total);
  });

  it("runScenario(default): summary.json's provenance says per node type whether its figures and power are given or computed from parts, and which profile was used", () => {
    const p = (run.summary as unknown as { provenance: { node_types: Record<string, { embodied_from: string; power_profile: string; power: string; power_source: string; filled_in: string[] }> } }).provenance.node_types;
    expect(Object.keys(p)).toEqual(["dell-r640", "dell-r620"]);
    // Both are given by figures with SPECpower curves (platforms/two-site-eu.json): measured, nothing filled in.
    for (const t of Object.values(p)) expect(t).toMatchObject({ embodied_from: "figures", power_profile: "measured", filled_in: [] });
    expect(p["dell-r620"].power).toMatch(/^interpolated\(idle=54.1 W, /);
    expect(p["dell-r620"].power_source).toMatch(/^SPECpower_ssj2008 result power_ssj2008-20120306-00434/);
  });
});
