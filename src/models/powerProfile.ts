/**
 * A node's power from its parts when no measured curve exists, by one of two
 * published models, and what each part draws:
 *
 * - "boavizta" (BoaviztaAPI v2.4.1, server model): (CPUs + RAM) x (1 + other
 *   share). A CPU draws a ln(load % + c) + offset; with a known TDP the curve is
 *   fitted to the TEADS points (average power / TDP at 0, 10, 50, 100 % load:
 *   0.12, 0.32, 0.75, 1.02) within bounds around its model range's parameters
 *   (Boavizta's cpu_profile.csv) or the archetype's; without a TDP, the model
 *   range's parameters; without either, the archetype's. RAM draws 0.284 W per
 *   GB at any load. The other share (fans, disks, power-supply losses) is the
 *   server archetype's, 0.33 (0.2 to 0.6).
 * - "green_algorithms" (Lannelongue et al. 2021, Green Algorithms v3.0):
 *   cores x TDP per core x load + 0.3725 W per GB of memory; the TDP per core
 *   from the CPU part, Green Algorithms' TDP table or BoaviztaAPI's CPU table.
 *
 * Disks draw nothing in either model (Boavizta counts them in the other
 * share); `include_storage` adds Cloud Carbon Footprint's coefficients, 1.2 W
 * per TB of SSD and 0.65 W per TB of HDD, at any load.
 *
 * GPUs and FPGAs keep their own curves (the node type's `gpus`, `fpgas`).
 */
import { InputError } from "../core/index.js";
import type { ComponentData, PowerProfileSpec } from "../io/index.js";
import { gaCpuByName, jsonPath, type ProfileInputs, type Ranged } from "./components.js";
import { cpuProfileOf, cpuProfileWatts, fitCpuProfile, powerCurveProfile, type CpuProfile, type PowerCurve } from "./power.js";

/**
 * RAM draw per GB, W: BoaviztaAPI v2.4.1 RAMConsumptionProfileModel
 * (ram_electrical_factor_per_go = 0.284; docs "Explanations / components / RAM").
 */
export const BOAVIZTA_RAM_W_PER_GB = 0.284;

/**
 * Disk draw per TB of capacity, W: Cloud Carbon Footprint methodology
 * (https://www.cloudcarbonfootprint.org/docs/methodology/#storage), SSD 1.2 Wh
 * and HDD 0.65 Wh per TB-hour.
 */
export const CCF_SSD_W_PER_TB = 1.2;
export const CCF_HDD_W_PER_TB = 0.65;

/** A node's draw at one load, by part. */
export interface PowerBreakdown {
  /** All CPUs, W. */
  readonly cpu: Ranged;
  readonly ram: Ranged;
  /** Disks (0 unless include_storage). */
  readonly storage: number;
  /** Boavizta's other share (0 for Green Algorithms). */
  readonly other: Ranged;
  readonly total: Ranged;
}

/** A node's power profile from its parts. */
export interface NodePowerProfile {
  readonly profile: PowerProfileSpec["profile"];
  /** Draw over utilisation u in [0, 1] (load = 100 u %). */
  readonly curve: PowerCurve;
  /** The CPU model (boavizta). */
  readonly cpu?: CpuProfile;
  /** Green Algorithms' TDP per core, W, and where it came from. */
  readonly tdpPerCore?: { readonly value: number; readonly source: string };
  /** Draw at a load in percent, by part, with low and high ends. */
  breakdown(loadPercent: number): PowerBreakdown;
  readonly source: string;
  /** What the profile took from a default because the parts did not say (e.g. an unknown model range: the archetype's parameters). */
  readonly assumptions: readonly string[];
}

function norm(s: string): string {
  return s.toLowerCase().replace(/[\s_-]+/g, " ").trim();
}

/** BoaviztaAPI's archetype CPU parameters, "{'a': 171.2, 'b': 0.0354, ...}". */
function archetypeParams(data: ComponentData): { a: number; b: number; c: number; d: number } {
  const cell = data.components.cpu.get("DEFAULT")?.["CONSUMPTION_PROFILE.params"] ?? "";
  const get = (k: string) => Number(new RegExp(`'${k}'\\s*:\\s*(-?[0-9.eE+-]+)`).exec(cell)?.[1]);
  const p = { a: get("a"), b: get("b"), c: get("c"), d: get("d") };
  if (![p.a, p.b, p.c, p.d].every(Number.isFinite)) throw new RangeError(`powerProfile: expected the CPU archetype's CONSUMPTION_PROFILE.params {'a', 'b', 'c', 'd'}, got ${JSON.stringify(cell)}`);
  return p;
}

/** The parameters of the CPU's model range (and manufacturer, when given) in cpu_consumption_profile_params.csv, if any. */
function rangeRow(inputs: ProfileInputs, data: ComponentData): ComponentData["cpuProfiles"][number] | undefined {
  const range = inputs.cpuModelRange;
  if (range === undefined) return undefined;
  return data.cpuProfiles.find((r) => norm(r.modelRange) === norm(range) && (inputs.cpuManufacturer === undefined || norm(r.manufacturer) === norm(inputs.cpuManufacturer)));
}

/** The CPU model of the "boavizta" profile, and in words how it was chosen. */
export function boaviztaCpuProfile(inputs: ProfileInputs, data: ComponentData): CpuProfile {
  const range = inputs.cpuModelRange;
  const row = rangeRow(inputs, data);
  const base = row ?? archetypeParams(data);
  // A model range the table lacks falls back to the archetype's parameters, as BoaviztaAPI does; said in the text.
  const unknownRange = range !== undefined && !row ? ` (model range ${JSON.stringify(range)} is not in cpu_consumption_profile_params.csv)` : "";
  const baseText = row ? `model range ${row.manufacturer} ${row.modelRange}` : `the CPU archetype's parameters${unknownRange}`;
  const tdp = inputs.cpuTdp;
  if (tdp !== undefined) {
    if (!(tdp.value > 0)) throw new RangeError(`powerProfile: expected a CPU TDP > 0 W, got ${tdp.value}`);
    const points = data.teads.map(([load, ratio]) => [load, ratio * tdp.value] as const);
    const from = tdp.origin === "input" ? "given" : (tdp.note ?? tdp.origin);
    return fitCpuProfile(points, base, `fitted to the TEADS power/TDP points (${data.teads.map(([l, r]) => `${l} %: ${r}`).join(", ")}) for a TDP of ${tdp.value} W (${from}), within bounds around ${baseText}`);
  }
  if (row) return cpuProfileOf(row, `parameters of model range ${row.manufacturer} ${row.modelRange} (no TDP known)`);
  return cpuProfileOf(base, `the CPU archetype's parameters (no TDP and no known model range)${unknownRange}`);
}

/** Green Algorithms' TDP per core: given, then their table by model, then the CPU's TDP over its cores (the part, or BoaviztaAPI's table). */
function tdpPerCore(spec: PowerProfileSpec, inputs: ProfileInputs, data: ComponentData): { value: number; source: string } | undefined {
  if (spec.tdp_per_core_w !== undefined) return { value: spec.tdp_per_core_w, source: "given" };
  const ga = inputs.cpuName !== undefined ? gaCpuByName(data, inputs.cpuName) : undefined;
  if (ga) return { value: ga.tdpPerCore, source: `Green Algorithms TDP_cpu.csv: ${ga.model} (${ga.source})` };
  if (inputs.cpuTdp !== undefined && inputs.cpuCores !== undefined && inputs.cpuCores.value > 0) {
    const from = inputs.cpuTdp.origin === "input" ? "the CPU part" : (inputs.cpuTdp.note ?? "a table");
    return { value: inputs.cpuTdp.value / inputs.cpuCores.value, source: `TDP ${inputs.cpuTdp.value} W / ${inputs.cpuCores.value} cores (${from})` };
  }
  return undefined;
}

/**
 * A node's power profile from its parts.
 * @param spec which model, and its options
 * @param inputs what embodiedFromParts read from the parts
 * @param node the node type's cores and memory (memory_gb wins over the RAM parts for Green Algorithms)
 * @param where file and JSON path of the node type, for messages ("" for a node-type file)
 * @throws InputError when the Green Algorithms model has no TDP per core (naming power.tdp_per_core_w); RangeError on a ratio out of range
 */
export function nodePowerProfile(spec: PowerProfileSpec, inputs: ProfileInputs, node: { cores: number; memory_gb?: number }, data: ComponentData, where: { file: string; path: string } = { file: "node type", path: "" }): NodePowerProfile {
  const storageW = spec.include_storage ? inputs.ssdTb * CCF_SSD_W_PER_TB + inputs.hddTb * CCF_HDD_W_PER_TB : 0;
  const storageText = spec.include_storage
    ? `; disks ${storageW.toPrecision(3)} W (Cloud Carbon Footprint: ${CCF_SSD_W_PER_TB} W/TB SSD, ${CCF_HDD_W_PER_TB} W/TB HDD)`
    : "; disks not counted (neither model does)";
  if (spec.profile === "boavizta") {
    const cpu = boaviztaCpuProfile(inputs, data);
    const other: Ranged =
      spec.other_consumption_ratio !== undefined
        ? { value: spec.other_consumption_ratio, min: spec.other_consumption_ratio, max: spec.other_consumption_ratio }
        : inputs.otherConsumptionRatio;
    const ram: Ranged = { value: inputs.ramGb.value * BOAVIZTA_RAM_W_PER_GB, min: inputs.ramGb.min * BOAVIZTA_RAM_W_PER_GB, max: inputs.ramGb.max * BOAVIZTA_RAM_W_PER_GB };
    const breakdown = (load: number): PowerBreakdown => {
      const w = inputs.cpuUnits * cpuProfileWatts(cpu, load);
      const cpuW = { value: w, min: w, max: w };
      const total = {
        value: (w + ram.value) * (1 + other.value) + storageW,
        min: (w + ram.min) * (1 + other.min) + storageW,
        max: (w + ram.max) * (1 + other.max) + storageW,
      };
      const o = { value: (w + ram.value) * other.value, min: (w + ram.min) * other.min, max: (w + ram.max) * other.max };
      return { cpu: cpuW, ram, storage: storageW, other: o, total };
    };
    const otherText = spec.other_consumption_ratio !== undefined ? `${other.value} (given)` : `${other.value} [${other.min}..${other.max}] (archetype ${inputs.archetype})`;
    const describe =
      `boavizta profile: (${inputs.cpuUnits} x CPU + RAM) x (1 + other); CPU = ${cpu.a.toPrecision(6)} ln(load % + ${cpu.c.toPrecision(6)}) ${cpu.offset < 0 ? "-" : "+"} ${Math.abs(cpu.offset).toPrecision(6)} W, ${cpu.source}; ` +
      `RAM ${inputs.ramGb.value} GB x ${BOAVIZTA_RAM_W_PER_GB} W/GB; other ${otherText}${storageText}`;
    const curve = powerCurveProfile({ watts: (u) => breakdown(100 * u).total.value, describe });
    const assumptions: string[] = [];
    if (inputs.cpuModelRange !== undefined && !rangeRow(inputs, data)) {
      assumptions.push(`power: CPU model range ${JSON.stringify(inputs.cpuModelRange)} has no parameters in cpu_consumption_profile_params.csv: the CPU archetype's (BoaviztaAPI's fallback)`);
    }
    return { profile: "boavizta", curve, cpu, breakdown, source: `${describe} (BoaviztaAPI v2.4.1 server model)${spec.source ? `; ${spec.source}` : ""}`, assumptions };
  }
  const perCore = tdpPerCore(spec, inputs, data);
  if (perCore === undefined) {
    // Green Algorithms has no archetype to fall back on: the user must say.
    throw new InputError([
      {
        code: "missing_field",
        file: where.file,
        path: jsonPath(where.path, "power.tdp_per_core_w"),
        message: "the green_algorithms profile needs the CPU's TDP per core: give power.tdp_per_core_w, parts.cpu.tdp_w and core_units, or a CPU name of Green Algorithms' or BoaviztaAPI's table",
      },
    ]);
  }
  const memGb = node.memory_gb ?? inputs.ramGb.value;
  const memW = memGb * data.gaMemoryWPerGb.value;
  const breakdown = (load: number): PowerBreakdown => {
    if (!(load >= 0 && load <= 100)) throw new RangeError(`nodePowerProfile: expected a load in [0, 100] %, got ${load}`);
    const w = node.cores * perCore.value * (load / 100);
    const total = w + memW + storageW;
    return { cpu: { value: w, min: w, max: w }, ram: { value: memW, min: memW, max: memW }, storage: storageW, other: { value: 0, min: 0, max: 0 }, total: { value: total, min: total, max: total } };
  };
  const describe = `green_algorithms profile: ${node.cores} cores x ${perCore.value} W per core (${perCore.source}) x load + ${memGb} GB x ${data.gaMemoryWPerGb.value} W/GB${storageText}`;
  const curve = powerCurveProfile({ watts: (u) => breakdown(100 * u).total.value, describe });
  return { profile: "green_algorithms", curve, tdpPerCore: perCore, breakdown, assumptions: [], source: `${describe} (Green Algorithms v3.0, Lannelongue et al. 2021, doi:10.1002/advs.202100707; ${data.gaMemoryWPerGb.source})${spec.source ? `; ${spec.source}` : ""}` };
}

