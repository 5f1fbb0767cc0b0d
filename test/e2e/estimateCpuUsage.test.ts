import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleCli, type Cli } from "../helpers/cli.js";

let cli: Cli;
const dir = mkdtempSync(join(tmpdir(), "impactsim-cpu-usage-"));
beforeAll(async () => {
  cli = await bundleCli();
}, 60_000);
afterAll(() => {
  cli.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe("impactsim estimate --cpu-usage", () => {
  it("impactsim estimate --cpu-usage 0.3 draws the cores at 30 % load: the same placements and waits, less energy; --cpu-usage 1 is the default", () => {
    const args = ["estimate", "-n", "4", "--runtime", "1:00:00", "--window", "0", "--json"];
    const low = cli.run([...args, "--cpu-usage", "0.3"]);
    expect(low.status).toBe(0);
    expect(low.stderr).toBe("");
    const full = JSON.parse(cli.run(args).stdout);
    const part = JSON.parse(low.stdout);
    expect(JSON.parse(cli.run([...args, "--cpu-usage", "1"]).stdout)).toEqual(full);
    const key = (e: { pool: number; start: number }) => `${e.pool}@${e.start}`;
    expect(part.estimates.map(key).sort()).toEqual(full.estimates.map(key).sort());
    for (const e of part.estimates) {
      const f = full.estimates.find((x: { pool: number; start: number }) => key(x) === key(e));
      expect(e.wait_s).toBe(f.wait_s);
      // The load moves only the dynamic draw: lower, and above nothing at all.
      expect(e.energy_it_j).toBeLessThan(f.energy_it_j);
      expect(e.energy_it_j).toBeGreaterThan(0);
    }
  });

  it("impactsim estimate --cpu-usage outside (0, 1] exits 3 naming the option", () => {
    for (const bad of ["0", "1.5", "thirty"]) {
      const r = cli.run(["estimate", "-n", "4", "--runtime", "1:00:00", "--cpu-usage", bad]);
      expect(r.status).toBe(3);
      expect(r.stderr).toContain(`command line: --cpu-usage: expected a share of the cores' time kept busy, in (0, 1] (e.g. 0.3 for 30 %), got "${bad}"`);
    }
  });
});

describe("impactsim run with SWF CPU usage", () => {
  it("impactsim run reproduces Green Algorithms for HPC's CPU-usage example exactly: job 27879 (0.508 s of CPU time in 783 s), 0.0138843 kWh; with --cpu-usage ignore, the whole wall time; estimate --cpu-usage prices it the same", () => {
    // green_algorithms_cases.json "ga4hpc-job-27879" (GreenAlgorithms4HPC @c0f47093 example_output_workloadManager.tsv, placeholder
    // cluster_info.yaml): energy = (0.508 / 3600 h x 10 W + 783 / 3600 h x 102.6 GB x 0.3725 W/GB) / 1000 x PUE 1.67 = 0.0138843 kWh;
    // 6.484 g at 467 g/kWh. Here: a one-core node with Green Algorithms' profile (10 W per core, 102.6 GB), the job in an SWF trace
    // with field 6 = 0.508 s, so its core is busy 0.508 / 783 of the time: the load curve and the job's charge both follow.
    const node = { cores: 1, memory_gb: 102.6, parts: { cpu: { units: 1, core_units: 1, die_size_mm2: 100 }, source: "GA4HPC example: one core" }, power: { profile: "green_algorithms", tdp_per_core_w: 10 }, embodied: { lifetime_years: 4, lifetime_source: "t", source: "t" } };
    const platform = { name: "ga4hpc", node_types: { core: node }, sites: [{ id: "s", pue: 1.67, pue_source: "GA4HPC's placeholder cluster_info.yaml", grid: { zone: "FRA" }, nodes: [{ type: "core", count: 1 }] }] };
    writeFileSync(join(dir, "ga4hpc.json"), JSON.stringify(platform));
    writeFileSync(join(dir, "job.swf"), "; MaxProcs: 1\n1 0 0 783 1 0.508 -1 1 3600 -1 1 1 1 -1 -1 -1 -1 -1\n");
    const energy = (usage: string): { it: number; facility: number } => {
      const out = join(dir, `out-${usage}`);
      const r = cli.run(["run", "--platform", join(dir, "ga4hpc.json"), "--workload", join(dir, "job.swf"), "--cpu-usage", usage, "--out", out, "--quiet"]);
      expect(r.status, r.stderr).toBe(0);
      const [head, row] = readFileSync(join(out, "jobs.csv"), "utf8").trim().split("\n").map((l) => l.split(","));
      return { it: Number(row[head.indexOf("energy_it_j")]), facility: Number(row[head.indexOf("energy_facility_j")]) };
    };
    const trace = energy("trace");
    expect(trace.it).toBeCloseTo(0.508 * 10 + 783 * 102.6 * 0.3725, 6);
    expect(trace.facility / 3.6e6).toBeCloseTo(0.0138843, 7);
    expect(((trace.facility / 3.6e6) * 467)).toBeCloseTo(6.484, 3);
    // Without the trace's usage the core is charged busy for the whole wall time: 10 W x 783 s more than 5.08 J.
    const whole = energy("ignore");
    expect(whole.it).toBeCloseTo(783 * 10 + 783 * 102.6 * 0.3725, 6);
    // The estimate prices the same job at the same figure when told its usage.
    const est = cli.run(["estimate", "--platform", join(dir, "ga4hpc.json"), "-n", "1", "--runtime", "0:13:03", "--window", "0", "--cpu-usage", String(0.508 / 783), "--json"]);
    expect(est.status, est.stderr).toBe(0);
    const e = JSON.parse(est.stdout).estimates[0];
    expect(e.energy_it_j).toBeCloseTo(trace.it, 6);
  });
});
