/**
 * Power profiles from TDP: BoaviztaAPI's fitted CPU curve and server model,
 * Green Algorithms' model, against their published figures. Sources of the
 * expected figures are given case by case: Boavizta/boaviztapi v2.4.1 @15878f0
 * (tests and docs, figures only); Green Algorithms v3.0 and GreenAlgorithms4HPC
 * via the project's reference cases (green_algorithms_cases.json), derived from
 * their published formula and data.
 */
import { existsSync, readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { readComponentData, type ComponentData } from "../../../src/io/componentData.js";
import type { PartsSpec } from "../../../src/io/spec.js";
import { embodiedFromParts } from "../../../src/models/components.js";
import { cpuProfileOf, cpuProfileWatts, fitCpuProfile, powerCurveProfile } from "../../../src/models/power.js";
import { BOAVIZTA_RAM_W_PER_GB, CCF_SSD_W_PER_TB, nodePowerProfile } from "../../../src/models/powerProfile.js";

let data: ComponentData;
beforeAll(async () => {
  data = await readComponentData();
});

const TEADS = [[0, 0.12], [10, 0.32], [50, 0.75], [100, 1.02]] as const;
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe("fitCpuProfile", () => {
  it("fitCpuProfile(TEADS x 100 W, Xeon Gold) gives BoaviztaAPI's curve for a Gold 6134 at 100 W within 0.5 % at 0, 10, 50 and 100 %", () => {
    // tests/api/test_cp.py::test_complete_valid_cpu_overrides_tdp_if_present: a, b, c, d = 50.8479, 0.0630, 20.4511, -0.9990
    // (b printed to 3 figures); base = the Xeon Gold parameters of cpu_consumption_profile_params.csv.
    const fit = fitCpuProfile(TEADS.map(([x, r]) => [x, 100 * r]), { a: 35.5688, b: 0.2438, c: 9.6694, d: -0.6087 }, "test");
    const theirs = cpuProfileOf({ a: 50.8479, b: 0.063, c: 20.4511, d: -0.999 }, "BoaviztaAPI");
    for (const load of [0, 10, 50, 100]) expect(rel(cpuProfileWatts(fit, load), cpuProfileWatts(theirs, load))).toBeLessThan(0.005);
    expect(fit.a).toBeCloseTo(50.8479, 3);
    expect(fit.c).toBeCloseTo(20.4511, 3);
  });

  it("fitCpuProfile(TEADS x 120 W, the archetype's parameters) gives BoaviztaAPI's curve for a 120 W CPU without model range within 0.5 %", () => {
    // tests/api/test_cp.py::test_complete_alternative_valid_cpu_manufacturer_family ("amd epyc 7251", 120 W in their
    // test CPU table, no model-range parameters): 61.0175, 0.0677, 20.4511, -5.5482; base = the archetype's 171.2, 0.0354, 36.89, -10.13.
    const fit = fitCpuProfile(TEADS.map(([x, r]) => [x, 120 * r]), { a: 171.2, b: 0.0354, c: 36.89, d: -10.13 }, "test");
    const theirs = cpuProfileOf({ a: 61.0175, b: 0.0677, c: 20.4511, d: -5.5482 }, "BoaviztaAPI");
    for (const load of [0, 10, 50, 100]) expect(rel(cpuProfileWatts(fit, load), cpuProfileWatts(theirs, load))).toBeLessThan(0.005);
  });

  it("fitCpuProfile(points, base) keeps a within three times the base's, as BoaviztaAPI's bounds do, when the TDP is large for the range", () => {
    // A Xeon Gold base (a = 35.5688) cannot reach a = 0.508 x 300 W: a stops at 3 x 35.5688 = 106.7064.
    const fit = fitCpuProfile(TEADS.map(([x, r]) => [x, 300 * r]), { a: 35.5688, b: 0.2438, c: 9.6694, d: -0.6087 }, "test");
    expect(fit.a).toBeCloseTo(3 * 35.5688, 9);
    expect(cpuProfileWatts(fit, 100)).toBeGreaterThan(280);
  });

  it("fitCpuProfile(points, base) throws a RangeError on fewer than three points or a base with b <= 0", () => {
    expect(() => fitCpuProfile([[0, 1], [100, 2]], { a: 1, b: 1, c: 1, d: 0 }, "t")).toThrow("fitCpuProfile: expected at least three points, got 2");
    expect(() => fitCpuProfile(TEADS.map(([x, r]) => [x, r]), { a: 1, b: 0, c: 1, d: 0 }, "t")).toThrow("cpuProfileOf: expected b > 0, got 0");
  });

  it("cpuProfileWatts(profile, load) floors at 1 W and refuses loads outside 0..100 %", () => {
    const p = cpuProfileOf({ a: 1, b: 1e-6, c: 1, d: 0 }, "t");
    expect(cpuProfileWatts(p, 0)).toBe(1);
    expect(() => cpuProfileWatts(p, 101)).toThrow("cpuProfileWatts: expected a load in [0, 100] %, got 101");
  });

  it("powerCurveProfile({ watts }) is idle at 0 and max at 1 and refuses utilisations outside [0, 1]", () => {
    const c = powerCurveProfile({ watts: (u) => 10 + 90 * u, describe: "line" });
    expect([c.idle, c.max, c(0.5)]).toEqual([10, 100, 55]);
    expect(c.describe()).toBe("line");
    expect(() => c(1.5)).toThrow("powerCurveProfile: expected utilisation in [0, 1], got 1.5");
  });
});

describe("nodePowerProfile, boavizta", () => {
  it("nodePowerProfile(boavizta, the archetype) draws 581.43 W [502.79..728.54] at 50 %: BoaviztaAPI's compute-medium server", () => {
    // docs/docs/getting_started/single_server.md (verbose): server avg_power 581.42812 W, min 502.7856, max 728.544;
    // CPU-1 avg_power 364.46 W (2 units, archetype parameters, 50 %), RAM-1 72.704 W (8 x 32 GB x 0.284 W/GB).
    const parts = embodiedFromParts({ source: "archetype" }, data);
    const p = nodePowerProfile({ profile: "boavizta" }, parts.profileInputs, { cores: 48 }, data);
    const b = p.breakdown(50);
    expect(rel(b.total.value, 581.42812)).toBeLessThan(1e-5);
    expect(rel(b.total.min, 502.7856)).toBeLessThan(1e-5);
    expect(rel(b.total.max, 728.544)).toBeLessThan(1e-5);
    expect(rel(b.cpu.value, 364.46)).toBeLessThan(1e-4);
    expect(b.ram.value).toBeCloseTo(8 * 32 * BOAVIZTA_RAM_W_PER_GB, 12);
    expect(p.cpu!.source).toBe("the CPU archetype's parameters (no TDP and no known model range)");
    expect(p.curve(0.5)).toBe(b.total.value);
    expect(p.curve.idle).toBe(p.breakdown(0).total.value);
  });

  it("nodePowerProfile(boavizta) of a Xeon Platinum without TDP draws 182.22 W per CPU at 50 % (BoaviztaAPI's complete CPU)", () => {
    // tests/api/test_component.py::test_complete_cpu_verbose: avg_power 182.22 W, model range Xeon Platinum (171.1813, 0.0354, 36.8953, -10.1336).
    const parts = embodiedFromParts({ source: "t", cpu: { units: 1, core_units: 12, die_size_per_core_mm2: 24.5, model_range: "Xeon Platinum" } }, data);
    const p = nodePowerProfile({ profile: "boavizta" }, parts.profileInputs, { cores: 12 }, data);
    expect(rel(p.breakdown(50).cpu.value, 182.22)).toBeLessThan(1e-4);
    expect(p.cpu!.source).toBe("parameters of model range Intel Xeon Platinum (no TDP known)");
  });

  it("nodePowerProfile(boavizta) of a named CPU with a TDP fits the TEADS points to that TDP and says so", () => {
    // cpu_specs.csv "Intel Xeon Platinum 8168": 205 W, model range Xeon Platinum.
    const parts = embodiedFromParts({ source: "t", cpu: { units: 2, name: "Intel Xeon Platinum 8168" }, ram: [{ units: 12, capacity_gb: 32 }] }, data);
    const p = nodePowerProfile({ profile: "boavizta", other_consumption_ratio: 0 }, parts.profileInputs, { cores: 48 }, data);
    // The fitted curve passes near the TEADS points: 1.02 x 205 W at full load, 0.12 x 205 W idle.
    expect(rel(p.breakdown(100).cpu.value / 2, 1.02 * 205)).toBeLessThan(0.01);
    expect(rel(p.breakdown(0).cpu.value / 2, 0.12 * 205)).toBeLessThan(0.01);
    expect(p.cpu!.source).toMatch(/^fitted to the TEADS power\/TDP points \(0 %: 0.12, 10 %: 0.32, 50 %: 0.75, 100 %: 1.02\) for a TDP of 205 W \(cpu_specs.csv: Intel Xeon Platinum 8168\), within bounds around model range Intel Xeon Platinum$/);
    expect(p.curve.describe()).toContain("other 0 (given)");
  });

  it("nodePowerProfile(boavizta, include_storage) adds Cloud Carbon Footprint's 1.2 W per TB of SSD outside the other share", () => {
    const spec: PartsSpec = { source: "t", ssd: [{ units: 2, capacity_gb: 1000, density_gb_per_cm2: 50 }] };
    const parts = embodiedFromParts(spec, data);
    const without = nodePowerProfile({ profile: "boavizta" }, parts.profileInputs, { cores: 48 }, data).breakdown(50);
    const withDisks = nodePowerProfile({ profile: "boavizta", include_storage: true }, parts.profileInputs, { cores: 48 }, data).breakdown(50);
    expect(withDisks.storage).toBeCloseTo(2 * CCF_SSD_W_PER_TB, 12);
    expect(withDisks.total.value - without.total.value).toBeCloseTo(2.4, 12);
  });
});

describe("nodePowerProfile, green_algorithms", () => {
  // green_algorithms_cases.json (formula of Green Algorithms, form_blueprint.py; their published TDP and memory figures).
  const ga = (tdpPerCore: number, cores: number, memGb: number) => {
    const parts = embodiedFromParts({ source: "t", cpu: { units: 1, core_units: cores, die_size_mm2: 100 } }, data);
    return nodePowerProfile({ profile: "green_algorithms", tdp_per_core_w: tdpPerCore }, parts.profileInputs, { cores, memory_gb: memGb }, data);
  };

  it("nodePowerProfile(green_algorithms) gives case ga-default-world-pue1.67 exactly: 2.281354 kWh for 12 cores x 7.5 W and 64 GB over 12 h at PUE 1.67", () => {
    const p = ga(7.5, 12, 64);
    // (12 x 7.5 + 64 x 0.3725) W x PUE 1.67 = 190.1128 W; x 12 h = 2.281354 kWh
    expect(p.breakdown(100).total.value * 1.67).toBeCloseTo(190.1128, 9);
    expect((p.curve(1) * 12 * 1.67) / 1000).toBeCloseTo(2.281354, 6);
  });

  it("nodePowerProfile(green_algorithms) gives case ga-usage-0.5-psf-3 exactly: 137.856 W at half usage with the AMD 7552's 4.2 W per core from their table", () => {
    // Green Algorithms TDP_cpu.csv: "AMD 7552", TDP_per_core 4.2 W. 32 cores at 50 %, 128 GB, PUE 1.2.
    const parts = embodiedFromParts({ source: "t", cpu: { units: 1, name: "AMD 7552" } }, data);
    const p = nodePowerProfile({ profile: "green_algorithms" }, parts.profileInputs, { cores: 32, memory_gb: 128 }, data);
    expect(p.tdpPerCore!.value).toBe(4.2);
    expect(p.tdpPerCore!.source).toMatch(/^Green Algorithms TDP_cpu.csv: AMD 7552/);
    expect(p.breakdown(50).total.value * 1.2).toBeCloseTo(137.856, 9);
  });

  it("nodePowerProfile(green_algorithms) reproduces GreenAlgorithms4HPC's CPU-usage example exactly: job 27879, 0.0138843 kWh", () => {
    // green_algorithms_cases.json "ga4hpc-job-27879": 0.508 s of CPU time in a 783 s wall time, one core at 10 W, 102.6 GB requested, PUE 1.67:
    // energy = (0.508 / 3600 h x 10 W + 783 / 3600 h x 102.6 GB x 0.3725 W/GB) / 1000 x 1.67 = 0.0138843 kWh.
    // As a load: the core busy 0.508 / 783 of the wall time.
    const p = ga(10, 1, 102.6);
    const usage = 0.508 / 783;
    const kwh = (p.curve(usage) * 783 * 1.67) / 3.6e6;
    expect(kwh).toBeCloseTo(0.0138843, 7);
    // Charged at the whole wall time instead (usage 1), as whole-core attribution does: the CPU part grows 1541-fold.
    expect((p.curve(1) * 783 * 1.67) / 3.6e6).toBeGreaterThan(0.0175);
  });

  it("nodePowerProfile(green_algorithms) without a TDP per core throws a RangeError saying what to give", () => {
    const parts = embodiedFromParts({ source: "t", cpu: { units: 1, core_units: 8, die_size_mm2: 100 } }, data);
    expect(() => nodePowerProfile({ profile: "green_algorithms" }, parts.profileInputs, { cores: 8 }, data)).toThrow(/needs the CPU's TDP per core: give power.tdp_per_core_w, parts.cpu.tdp_w and core_units/);
  });
});

describe("nodePowerProfile, green_algorithms: every case of green_algorithms_cases.json", () => {
  // /work/shared/data/reference_cases/green_algorithms_cases.json: Green Algorithms' formula applied to their published
  // data (no upstream fixtures exist). power_w = PUE x (cores x TDP per core x usage + GPUs x TDP x usage + GB x 0.3725);
  // energy = power x hours x PSF; carbon = energy x CI. GPUs keep their own curve in impactsim: here a constant TDP x usage.
  const file = "/work/shared/data/reference_cases/green_algorithms_cases.json";
  interface Case {
    id: string;
    input: { runtime_h?: number; n_cores?: number; tdp_per_core_w?: number; usage?: number; memory_gb?: number; pue?: number; ci_gco2e_per_kwh?: number; psf?: number; n_gpus?: number; gpu_tdp_w?: number };
    expected: { power_w?: number; energy_kwh: number; carbon_gco2e: number };
  }
  const cases: Case[] = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { cases: Case[] }).cases.filter((c) => c.input.n_cores !== undefined) : [];

  it.skipIf(cases.length === 0)("nodePowerProfile(green_algorithms) gives the five calculator cases' power, energy and carbon exactly (6 significant figures, as published)", () => {
    expect(cases.map((c) => c.id)).toEqual(["ga-default-world-pue1.67", "ga-default-world-pue1.56", "ga-default-france", "ga-gpu-v100-gb", "ga-usage-0.5-psf-3"]);
    for (const c of cases) {
      const i = c.input;
      const parts = embodiedFromParts({ source: "t", cpu: { units: 1, core_units: i.n_cores!, die_size_mm2: 100 } }, data);
      const p = nodePowerProfile({ profile: "green_algorithms", tdp_per_core_w: i.tdp_per_core_w }, parts.profileInputs, { cores: i.n_cores!, memory_gb: i.memory_gb }, data);
      const usage = i.usage ?? 1;
      const watts = (p.curve(usage) + (i.n_gpus ?? 0) * (i.gpu_tdp_w ?? 0) * usage) * i.pue!;
      const kwh = (watts * i.runtime_h! * (i.psf ?? 1)) / 1000;
      const digits = (x: number) => Math.max(0, 6 - Math.ceil(Math.log10(Math.abs(x))));
      if (c.expected.power_w !== undefined) expect(watts, c.id).toBeCloseTo(c.expected.power_w, digits(c.expected.power_w));
      expect(kwh, c.id).toBeCloseTo(c.expected.energy_kwh, digits(c.expected.energy_kwh));
      expect(kwh * i.ci_gco2e_per_kwh!, c.id).toBeCloseTo(c.expected.carbon_gco2e, digits(c.expected.carbon_gco2e));
    }
  });
});
