/**
 * End to end: `impactsim lca` on the shipped node-type files and platform.
 * Expected figures: BoaviztaAPI's published reference server (boaviztapi
 * v2.4.1 @15878f0, tests/api/test_server.py::test_dell_r740_server: 967.9 kg
 * CO2 eq, 0.1492 kg Sb eq, 12870 MJ embedded), its server power model
 * (docs/docs/getting_started/single_server.md), Green Algorithms' formula
 * (green_algorithms_cases.json), and arithmetic from the shipped tables, read
 * here by plain string splitting.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleCli, type Cli } from "../helpers/cli.js";

let cli: Cli;
const dir = mkdtempSync(join(tmpdir(), "impactsim-lca-"));
beforeAll(async () => {
  cli = await bundleCli();
}, 60_000);
afterAll(() => {
  cli.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** A zone's per-kWh factor of a criterion in the shipped table (the priority-1 row: one row per zone and criterion there). */
function perKwh(zone: string, criterion: string): number {
  const lines = readFileSync("platforms/electricity/electricity_factors_by_zone.csv", "utf8").trim().split("\n");
  const row = lines.map((l) => l.split(",")).find((f) => f[0] === zone && f[2] === criterion)!;
  return Number(row[3]);
}

interface Report {
  given_by: string;
  indicators: { id: string; embodied: { fabrication: { value: number; basis: string }; transport: { basis: string }; total: { value: number; min: number; max: number } }; per_hour: { use: { value: number; basis: string }; embodied: number; total: number } }[];
  power: { profile: string; at_load: { node_w: { value: number }; total_w: number }; curve_w: [number, number][] };
  use: { zone: string; pue: number; energy_kwh_per_hour: number };
  single_score_pt_per_hour: { method: string; total: number };
  filled_in: string[];
  coverage: { proxy: string[]; missing: string[] };
}

const json = (args: string[]): Report => {
  const r = cli.run(["lca", ...args, "--json"]);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as Report;
};
const ind = (r: Report, id: string) => r.indicators.find((i) => i.id === id)!;
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe("impactsim lca", () => {
  it("impactsim lca platforms/nodes/dell-r740-boavizta.json --json gives BoaviztaAPI's 967.9 kg CO2 eq, 0.1492 kg Sb eq and 12870 MJ, and per hour of use on the European mix", () => {
    const r = json(["platforms/nodes/dell-r740-boavizta.json"]);
    expect(r.given_by).toBe("parts");
    expect(rel(ind(r, "CC").embodied.total.value, 967.9)).toBeLessThan(5e-4);
    expect(rel(ind(r, "RUMM").embodied.total.value, 0.1492)).toBeLessThan(5e-4);
    expect(rel(ind(r, "PE").embodied.total.value, 12870)).toBeLessThan(5e-4);
    expect(ind(r, "CC").embodied.transport.basis).toBe("missing");
    // BoaviztaAPI's server model at 50 %: (2 x 182.23 W + 12 x 32 GB x 0.284 W/GB) x 1.33.
    expect(r.power.profile).toBe("boavizta");
    expect(rel(r.power.at_load.node_w.value, (2 * 182.2345 + 12 * 32 * 0.284) * 1.33)).toBeLessThan(1e-4);
    // Per hour on EEE (BoaviztaAPI's default location), PUE 1: watts x 1 h x the zone's gwp per kWh; embodied over 4 years of 365 days.
    expect(r.use).toMatchObject({ zone: "EEE", pue: 1 });
    expect(rel(ind(r, "CC").per_hour.use.value, (r.power.at_load.total_w / 1000) * perKwh("EEE", "gwp"))).toBeLessThan(1e-12);
    expect(rel(ind(r, "CC").per_hour.embodied, ind(r, "CC").embodied.total.value / (4 * 365 * 24))).toBeLessThan(1e-12);
    expect(ind(r, "PE").per_hour.use.basis).toBe("proxy");
    expect(r.single_score_pt_per_hour.method).toBe("EF 3.1");
  });

  it("impactsim lca --node-type dell-r620 prints the default platform's R620 on its site's grid, every embodied figure a proxy (the ADEME generic server stands in)", () => {
    const r = cli.run(["lca", "--node-type", "dell-r620"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("node type dell-r620 (");
    expect(r.stdout).toContain("given by figures; lifetime 6 years");
    expect(r.stdout).toMatch(/Per hour of use at 50 % load on zone DEU \(site de\), PUE 1.56 /);
    expect(r.stdout).toContain("resting on proxies: CC (fabrication, transport, end of life)");
    expect(r.stdout).toMatch(/missing \(counted as 0, totals are lower bounds\): ODP \(use\), HTC \(use\)/);
    expect(r.stdout).toContain("Power (measured curve): interpolated(idle=54.1 W");
    const j = json(["--node-type", "dell-r620", "--zone", "FRA", "--pue", "1"]);
    expect(j.use).toMatchObject({ zone: "FRA", pue: 1 });
    // The ADEME generic server's 3660 kg CO2 eq, marked a proxy.
    expect(ind(j, "CC").embodied.fabrication).toMatchObject({ value: 3660, basis: "proxy" });
  });

  it("impactsim lca platforms/nodes/dell-r620-parts.json says what the archetype filled in and proxies the categories the method lacks", () => {
    const r = json(["platforms/nodes/dell-r620-parts.json"]);
    expect(r.filled_in).toContain("power supply.unit_weight_kg = 2.99 [1..5] kg (archetype platform_compute_medium)");
    expect(r.coverage.proxy).toContain("IR (fabrication, transport, end of life)");
    expect(r.coverage.missing).toContain("CC (transport, end of life)");
    const cc = ind(r, "CC").embodied.total;
    expect(cc.min).toBeLessThan(cc.value);
    expect(cc.max).toBeGreaterThan(cc.value);
  });

  it("impactsim lca node.json --load 100 --method ef3.0 gives Green Algorithms' 113.84 W for 12 cores at 7.5 W and 64 GB, scored with EF 3.0", () => {
    // green_algorithms_cases.json, case ga-default-world-pue1.67: 12 x 7.5 W + 64 GB x 0.3725 W/GB = 113.84 W (190.1128 W with PUE 1.67).
    const node = join(dir, "ga.json");
    writeFileSync(
      node,
      JSON.stringify({
        cores: 12,
        memory_gb: 64,
        parts: { cpu: { units: 1, core_units: 12, die_size_mm2: 300 }, source: "test" },
        power: { profile: "green_algorithms", tdp_per_core_w: 7.5 },
        embodied: { lifetime_years: 4, lifetime_source: "test", source: "test" },
      }),
    );
    const r = json([node, "--load", "100", "--pue", "1.67", "--method", "ef3.0"]);
    expect(r.power.at_load.total_w).toBeCloseTo(113.84, 10);
    expect(r.use.energy_kwh_per_hour * 12).toBeCloseTo(2.281354, 6);
    expect(r.single_score_pt_per_hour.method).toBe("EF 3.0");
  });

  it("the README's lca examples run as written", () => {
    const readme = readFileSync("README.md", "utf8");
    const examples = [...readme.matchAll(/^npm run --silent impactsim -- (lca .*)$/gm)].map((m) => m[1].split(/\s+/));
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const args of examples) {
      const r = cli.run(args);
      expect(r.status, args.join(" ")).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(0);
    }
  });

  it("impactsim lca with an unknown CPU, a load over 100 % or an unknown zone exits 3 naming the JSON path or the option", () => {
    const node = join(dir, "bad.json");
    writeFileSync(node, JSON.stringify({ cores: 8, parts: { cpu: { name: "Intel Xeon Gold 6999" }, source: "t" }, power: { profile: "boavizta" }, embodied: { lifetime_years: 4, lifetime_source: "t", source: "t" } }));
    const bad = cli.run(["lca", node]);
    expect(bad.status).toBe(3);
    expect(bad.stderr).toMatch(/bad\.json: parts\.cpu\.name: expected a CPU of platforms\/components\/cpu_specs.csv \(1807 models\), got "Intel Xeon Gold 6999"; closest: Intel Xeon Gold 6/);
    const load = cli.run(["lca", "--node-type", "dell-r640", "--load", "120"]);
    expect(load.status).toBe(3);
    expect(load.stderr).toContain("--load: expected a CPU load in percent from 0 to 100, got 120");
    const zone = cli.run(["lca", "--node-type", "dell-r640", "--zone", "XXX"]);
    expect(zone.status).toBe(3);
    expect(zone.stderr).toMatch(/--zone: expected a zone of the electricity factor table \(139 zones/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const neither = cli.run(["lca"]);
    expect(neither.status).toBe(3);
    expect(neither.stderr).toContain("expected a node-type file or --node-type (one of dell-r640, dell-r620 in platforms/two-site-eu.json), got neither");
  });

  it("impactsim lca and run refuse impossible parts (negative GB, a die larger than a wafer, a missing field, an unknown GPU, a Green Algorithms profile without TDP) with exit 3, the file and JSON path, and no stack trace", () => {
    const base = { cores: 8, power: { profile: "boavizta" }, embodied: { lifetime_years: 4, lifetime_source: "t", source: "t" } };
    const cases: [string, object, string][] = [
      ["negative GB", { ...base, parts: { source: "t", ram: [{ units: 2, capacity_gb: -16 }] } }, "parts.ram[0].capacity_gb: expected a number > 0, got -16"],
      ["CPU die larger than a wafer", { ...base, parts: { source: "t", cpu: { units: 2, die_size_mm2: 80000 } } }, "parts.cpu.die_size_mm2: expected a die smaller than a 300 mm wafer (70686 mm2), got 80000"],
      // The GPU method needs one whole die on the wafer with its edge loss: about 11,207 mm2 at most.
      ["GPU die no wafer holds", { ...base, parts: { source: "t", gpu: { units: 1, die_size_mm2: 20000 } } }, "parts.gpu.die_size_mm2: expected a die that fits on a 300 mm wafer (at most about 11207 mm2), got 20000"],
      ["missing field", { ...base, parts: { cpu: { units: 2 } } }, "parts.source: expected a string, got nothing (missing field)"],
      ["unknown GPU", { ...base, parts: { source: "t", gpu: { name: "NVIDIA A200" } } }, 'parts.gpu.name: expected a GPU of platforms/components/gpu_specs.csv'],
      // Green Algorithms has no archetype: without a TDP per core there is nothing the method may fall back on.
      ["no TDP for green_algorithms", { ...base, power: { profile: "green_algorithms" }, parts: { source: "t", cpu: { units: 1, core_units: 8, die_size_mm2: 100 } } }, "power.tdp_per_core_w: the green_algorithms profile needs the CPU's TDP per core"],
      ["sizes whose product would overflow", { ...base, parts: { source: "t", ram: [{ units: 1, capacity_gb: 1e300, density_gb_per_cm2: 1e-300 }] } }, "parts.ram[0].capacity_gb: expected a number <= 4096: more than any memory module holds"],
    ];
    const platform = JSON.parse(readFileSync("platforms/two-site-eu.json", "utf8"));
    // The copy lives elsewhere: its grid series by absolute path.
    for (const s of platform.sites) if (s.grid.series) s.grid.series.file = resolve("platforms", s.grid.series.file);
    for (const [what, node, message] of cases) {
      const file = join(dir, "bad-node.json");
      writeFileSync(file, JSON.stringify(node));
      const r = cli.run(["lca", file]);
      expect(r.status, what).toBe(3);
      expect(r.stderr, what).toContain(`${file}: ${message}`);
      expect(r.stderr, what).not.toMatch(/\n\s+at |internal error/);
      // The same node type in a platform: the run refuses it before it simulates, under node_types["bad"]
      // (checked for one schema issue and the two found when the node type is built).
      if (!["negative GB", "unknown GPU", "no TDP for green_algorithms"].includes(what)) continue;
      const p = join(dir, "bad-platform.json");
      writeFileSync(p, JSON.stringify({ ...platform, node_types: { ...platform.node_types, bad: node }, sites: platform.sites.map((s: { nodes: unknown[] }, i: number) => (i === 0 ? { ...s, nodes: [...s.nodes, { type: "bad", count: 1 }] } : s)) }));
      const run = cli.run(["run", "--platform", p, "--workload", "traces/HPC2N-2002-2.2-first3170jobs-alea.swf.gz", "--summary-only", "--out", join(dir, "bad-run")]);
      expect(run.status, what).toBe(3);
      expect(run.stderr, what).toMatch(/node_types(\.bad|\["bad"\])\./);
      expect(run.stderr, what).toContain(message);
      expect(run.stderr, what).not.toMatch(/\n\s+at |internal error/);
    }
  });

  it("impactsim lca with a model range BoaviztaAPI's profile table lacks falls back to the archetype's CPU parameters, as the method does, and says so", () => {
    const file = join(dir, "range.json");
    writeFileSync(file, JSON.stringify({ cores: 8, parts: { source: "t", cpu: { units: 2, core_units: 4, die_size_mm2: 100, model_range: "Xeon Nothing" } }, power: { profile: "boavizta" }, embodied: { lifetime_years: 4, lifetime_source: "t", source: "t" } }));
    const r = json([file]);
    expect(r.filled_in).toContain('power: CPU model range "Xeon Nothing" has no parameters in cpu_consumption_profile_params.csv: the CPU archetype\'s (BoaviztaAPI\'s fallback)');
    // The archetype's CPU at 50 %: 171.2 ln(0.0354 (50 + 36.89)) - 10.13 = 182.3 W per CPU (BoaviztaAPI's archetype parameters).
    const perCpu = 171.2 * Math.log(0.0354 * (50 + 36.89)) - 10.13;
    expect(rel(r.power.at_load.node_w.value, 2 * perCpu * 1.33 + 8 * 32 * 0.284 * 1.33)).toBeLessThan(1e-6);
  });
});
