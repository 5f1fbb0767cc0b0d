/** Waste figures on a three-job table worked out by hand. */
import { describe, expect, it } from "vitest";
import type { RunSummary } from "../../../src/run/summary.js";
import { wasteReport, type JobRow } from "../../../src/report/waste.js";

// Both sites have 8-core nodes; utilisation = cores / (nodes x 8) as in jobs.csv.
const JOBS: JobRow[] = [
  { job_id: "1", site: "A", project: "p", nodes: "2", cores: "6", runtime_s: "3600", utilisation: "0.375", status: "completed", energy_facility_j: "1000", cc_kgco2eq: "2", single_score_pt: "0.1" },
  { job_id: "2", site: "A", project: "q", nodes: "1", cores: "8", runtime_s: "7200", utilisation: "1", status: "killed", energy_facility_j: "500", cc_kgco2eq: "1", single_score_pt: "0.05" },
  { job_id: "3", site: "B", project: "p", nodes: "1", cores: "2", runtime_s: "1800", utilisation: "0.25", status: "completed", energy_facility_j: "200", cc_kgco2eq: "0.4", single_score_pt: "0.02" },
];

const account = (it: number, facility: number, cc: number, pt: number, ccUse = 0) => ({
  jobs: 0,
  node_seconds: 0,
  energy_j: { it, facility },
  impacts: { CC: { name: "Climate change", unit: "kg CO2 eq", total: cc, by_phase: { use: ccUse, fabrication: cc - ccUse }, proxy_share: 0, missing_phases: [] } },
  single_score: { total_pt: pt, by_phase_pt: {}, method: "EF 3.1" },
});
const SUMMARY = {
  sites: {
    A: { pue: 1.5, nodes: 4, jobs: account(1000, 1500, 3, 0.15), overhead: account(100, 150, 0.3, 0.01, 0.1), meter: { it_j: 0, facility_j: 0 } },
    B: { pue: 1.25, nodes: 2, jobs: account(160, 200, 0.4, 0.02), overhead: account(40, 50, 0.1, 0.002, 0.025), meter: { it_j: 0, facility_j: 0 } },
  },
} as unknown as Pick<RunSummary, "sites">;

describe("wasteReport", () => {
  const w = wasteReport(JOBS, SUMMARY);

  it("charges killed jobs in full to their project and site", () => {
    expect(w.by_project.q.jobs_killed).toBe(1);
    expect(w.by_project.q.killed).toEqual({ energy_facility_j: 500, cc_kgco2eq: 1, single_score_pt: 0.05, node_hours: 2 });
    expect(w.by_project.p.killed.energy_facility_j).toBe(0);
    expect(w.by_site.A.killed.energy_facility_j).toBe(500);
    expect(w.by_site.B.jobs_killed).toBe(0);
    expect(w.total.killed.cc_kgco2eq).toBe(1);
  });

  it("counts reserved but unused cores and their pro-rata energy", () => {
    const p = w.by_project.p.unused_cores;
    // requested 6 x 1 h + 2 x 0.5 h = 7 core-h; reserved 16 x 1 h + 8 x 0.5 h = 20 core-h.
    expect(p.core_hours_requested).toBeCloseTo(7, 12);
    expect(p.core_hours_reserved).toBeCloseTo(20, 12);
    expect(p.share).toBeCloseTo(13 / 20, 12);
    // 0.625 x 1000 + 0.75 x 200 J; 0.625 x 2 + 0.75 x 0.4 kg.
    expect(p.energy_facility_j).toBeCloseTo(775, 9);
    expect(p.cc_kgco2eq).toBeCloseTo(1.55, 12);
    expect(w.by_project.q.unused_cores.share).toBe(0);
    // Site A: requested 6 + 16 = 22, reserved 16 + 16 = 32.
    expect(w.by_site.A.unused_cores.share).toBeCloseTo(10 / 32, 12);
    expect(w.by_site.B.unused_cores.share).toBeCloseTo(0.75, 12);
  });

  it("compares reserved node-hours with a perfect packing", () => {
    // p: reserved 2 x 1 + 1 x 0.5 = 2.5 node-h; perfect 0.375 x 2 x 1 + 0.25 x 1 x 0.5 = 0.875.
    expect(w.by_project.p.packing.node_hours_reserved).toBeCloseTo(2.5, 12);
    expect(w.by_project.p.packing.node_hours_perfect).toBeCloseTo(0.875, 12);
    expect(w.by_project.p.packing.utilisation_vs_request).toBeCloseTo(0.35, 12);
    expect(w.total.packing.node_hours_reserved).toBeCloseTo(4.5, 12);
    expect(w.total.packing.node_hours_perfect).toBeCloseTo(2.875, 12);
  });

  it("takes idle energy per site from the summary's overhead accounts", () => {
    expect(w.by_site.A.idle).toEqual({ energy_it_j: 100, energy_facility_j: 150, cc_kgco2eq: 0.3, cc_use_kgco2eq: 0.1, cc_embodied_kgco2eq: 0.3 - 0.1, single_score_pt: 0.01, share_of_site_facility_energy: 150 / 1650 });
    expect(w.by_site.B.idle.share_of_site_facility_energy).toBeCloseTo(0.2, 12);
    expect(w.total.idle.energy_facility_j).toBe(200);
    expect(w.total.idle.share_of_site_facility_energy).toBeCloseTo(200 / 1900, 12);
    // Idle CC is electricity plus embodied: 0.1 + 0.025 kg of use, 0.2 + 0.075 kg embodied.
    expect(w.total.idle.cc_use_kgco2eq).toBeCloseTo(0.125, 12);
    expect(w.total.idle.cc_embodied_kgco2eq).toBeCloseTo(0.275, 12);
  });

  it("sums per-project figures to the total", () => {
    const sum = (k: (x: (typeof w.by_project)[string]) => number) => Object.values(w.by_project).reduce((a, x) => a + k(x), 0);
    expect(sum((x) => x.energy_facility_j)).toBeCloseTo(w.total.energy_facility_j, 9);
    expect(sum((x) => x.unused_cores.energy_facility_j)).toBeCloseTo(w.total.unused_cores.energy_facility_j, 9);
    expect(w.total.jobs).toBe(3);
  });

  it("names the job and column of a bad number", () => {
    expect(() => wasteReport([{ ...JOBS[0], cores: "x" }], SUMMARY)).toThrow(/job 1: column cores/);
  });
});
