import { describe, expect, it } from "vitest";
import { formatIssue } from "../../../src/core/errors.js";
import { checkNodeType, checkPlatform } from "../../../src/io/platform.js";

const power = { idle_w: 50, max_w: 200, source: "test" };
const embodied = { lifetime_years: 4, lifetime_source: "test", source: "test" };
const parts = { source: "test", cpu: { units: 2, core_units: 24, die_size_per_core_mm2: 24.5 } };
const issues = (json: unknown) => checkNodeType(json, "n.json").map(formatIssue);

describe("checkNodeType, parts and power profiles", () => {
  it("checkNodeType(node type by parts with a boavizta profile) finds no issue", () => {
    expect(issues({ cores: 48, parts, power: { profile: "boavizta" }, embodied })).toEqual([]);
    expect(issues({ cores: 48, parts: { ...parts, ram: [{ units: 12, capacity_gb: 32 }], ssd: [], hdd: [{ units: 2 }], gpu: { units: 2, name: "NVIDIA A100 SXM4 40GB" }, power_supply: { units: 2, unit_weight_kg: 2.99 }, case: "blade", archetype: "platform_compute_high" }, power: { profile: "green_algorithms", tdp_per_core_w: 7.5, include_storage: true }, embodied })).toEqual([]);
  });

  it("checkNodeType(json) names every impossible figure with its JSON path", () => {
    const bad = {
      cores: 4,
      parts: { source: "t", cpu: { units: 0, die_size_mm2: 80000, tdp_w: -5 }, ram: [{ capacity_gb: -8 }], gpu: { die_size_mm2: 60000 }, case: "tower" },
      power: { profile: "intel" },
      embodied,
    };
    expect(issues(bad)).toMatchInlineSnapshot(`
      [
        "n.json: power: expected a measured power (idle_w, curve_w or max_w, source) or a power profile ({"profile": "boavizta"} or {"profile": "green_algorithms"}), got an object",
        "n.json: parts.cpu.units: expected a number >= 1, got 0",
        "n.json: parts.cpu.tdp_w: expected a number > 0, got -5",
        "n.json: parts.ram[0].capacity_gb: expected a number > 0, got -8",
        "n.json: parts.case: expected one of "rack", "blade", got "tower"",
        "n.json: parts.cpu.die_size_mm2: expected a die smaller than a 300 mm wafer (70686 mm2), got 80000",
        "n.json: parts.gpu.die_size_mm2: expected a die that fits on a 300 mm wafer (at most about 11207 mm2), got 60000",
      ]
    `);
  });

  it("checkNodeType(json) asks for parts where a profile or missing figures need them, and refuses counting GPUs twice", () => {
    expect(issues({ cores: 4, power: { profile: "boavizta" }, embodied })).toEqual([
      "n.json: embodied.impacts: expected embodied impacts, or the node's parts to compute them from, got neither",
      'n.json: parts: expected the node\'s parts for power profile "boavizta" (it reads the CPU\'s TDP and the memory), got none',
    ]);
    const gpus = { model: "A100", count: 4, power: { idle_w: 60, max_w: 400, source: "t" }, embodied: { ...embodied, impacts: { fabrication: { CC: 270 } } } };
    expect(issues({ cores: 4, parts: { ...parts, gpu: { units: 2 } }, power, gpus, embodied })).toEqual([
      "n.json: gpus.embodied: expected the GPUs' embodied impacts once: from parts.gpu or from gpus.embodied, got both",
      "n.json: parts.gpu.units: expected as many GPUs as gpus.count (4), got 2",
    ]);
  });

  it("checkNodeType(json) accepts PE among embodied figures and a basis beside them, and refuses a basis alone", () => {
    expect(issues({ cores: 1, power, embodied: { ...embodied, basis: "proxy", impacts: { fabrication: { CC: 10, PE: 100 } } } })).toEqual([]);
    expect(issues({ cores: 1, power, parts, embodied: { ...embodied, basis: "proxy" } })).toEqual(["n.json: embodied.basis: expected basis only beside impacts (it says whose figures they are), got basis without impacts"]);
  });

  it("checkPlatform(platform with a node type by parts) checks it as a node type of the platform", () => {
    const platform = {
      name: "p",
      node_types: { r740: { cores: 48, parts, power: { profile: "boavizta" }, embodied: { ...embodied, proxy: { reference: "nope" } } } },
      sites: [{ id: "s", pue: 1.2, pue_source: "t", grid: { zone: "FRA" }, nodes: [{ type: "r740", count: 2 }] }],
    };
    expect(checkPlatform(platform, "p.json").map(formatIssue)).toEqual(['p.json: node_types.r740.embodied.proxy.reference: expected a reference defined in lca_references, got "nope" (none is defined)']);
  });
});
