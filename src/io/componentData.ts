/**
 * Readers of the component tables in platforms/components/ (see SOURCES.md
 * there): BoaviztaAPI's component embodied factors, CPU and GPU tables, memory
 * and flash densities, server and component archetypes, CPU consumption-profile
 * parameters and the TEADS power-per-TDP points; Green Algorithms' TDP table
 * and memory draw. The numbers are data with their own licences, so they stay
 * in those files; this module only reads them into plain objects, checking
 * that every number is a number, and says which line is wrong when one is not.
 */
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { InputError, type Issue } from "../core/index.js";
import { readTextFile } from "./readText.js";
import { shippedPath } from "./paths.js";

/** The folder shipped with impactsim. */
export const DEFAULT_COMPONENT_DIR = shippedPath("platforms/components");

/** One published factor: a component (or sub-part) in one phase and criterion, per `per`. */
export interface ComponentFactor {
  readonly component: string;
  readonly subcomponent: string;
  /** As the table writes it: manufacture, transport, "transport (upstream)", end_of_life. */
  readonly phase: string;
  /** BoaviztaAPI criterion code: gwp, pe, adp; for GPUs also adpf, ap, ctue, ... */
  readonly criterion: string;
  readonly value: number;
  readonly unit: string;
  readonly per: string;
  readonly source: string;
}

/** A row of BoaviztaAPI's CPU table; numbers absent in the table are undefined. */
export interface CpuRow {
  readonly name: string;
  /** Microarchitecture, e.g. "Skylake". */
  readonly codeName: string;
  readonly manufacturer: string;
  readonly modelRange: string;
  readonly tdp?: number;
  readonly cores?: number;
  readonly threads?: number;
  /** All dies of the package, mm2. */
  readonly totalDieSize?: number;
  readonly source: string;
  readonly line: number;
}

/** A row of BoaviztaAPI's GPU table. */
export interface GpuRow {
  readonly name: string;
  readonly manufacturer: string;
  readonly vramDies: number;
  readonly vramGb: number;
  /** Effective GPU die area (wafer use and yield included), mm2. */
  readonly dieSurface: number;
  readonly pwbSurface: number;
  readonly boatKm: number;
  readonly truckKm: number;
  readonly planeKm: number;
  readonly casingKg: number;
  readonly heatsinkKg: number;
  readonly massKg: number;
  readonly line: number;
}

/** Memory-die density of a manufacturer and process (RAM) or layer count (SSD), GB per cm2. */
export interface DensityRow {
  readonly manufacturer: string;
  /** RAM: process in nm; SSD: layers. */
  readonly key: number;
  readonly density: number;
  readonly line: number;
}

/** CPU consumption-profile parameters of P(W) = a ln(b (load % + c)) + d, per model range. */
export interface CpuProfileRow {
  readonly manufacturer: string;
  readonly modelRange: string;
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
}

/** A row of Green Algorithms' CPU TDP table. */
export interface GaCpuRow {
  readonly model: string;
  readonly tdp: number;
  readonly cores: number;
  readonly tdpPerCore: number;
  readonly source: string;
}

/** An archetype row: column -> raw cell ("a;b;c" is default;min;max). */
export type ArchetypeRow = Readonly<Record<string, string>>;

/** Everything the component method and the power profiles read. */
export interface ComponentData {
  readonly factors: readonly ComponentFactor[];
  readonly cpus: readonly CpuRow[];
  readonly gpus: readonly GpuRow[];
  readonly ramDensities: readonly DensityRow[];
  readonly ssdDensities: readonly DensityRow[];
  /** Server archetypes by id (platform_compute_medium, ...). */
  readonly servers: ReadonlyMap<string, ArchetypeRow>;
  /** Component archetypes by component (cpu, ram, ssd, hdd, gpu, power_supply, case), then id. */
  readonly components: Readonly<Record<string, ReadonlyMap<string, ArchetypeRow>>>;
  readonly cpuProfiles: readonly CpuProfileRow[];
  /** TEADS: [load %, average power / TDP], sorted by load. */
  readonly teads: readonly (readonly [number, number])[];
  readonly gaCpus: readonly GaCpuRow[];
  /** Green Algorithms' memory draw, W per GB, with its source. */
  readonly gaMemoryWPerGb: { readonly value: number; readonly source: string };
  /** The files read, for provenance. */
  readonly files: readonly string[];
}

type Rec = { record: Record<string, string>; info: { lines: number } };

async function rows(path: string, issues: Issue[], opts: { skipFirst?: boolean } = {}): Promise<Rec[]> {
  let text = await readTextFile(path);
  // Green Algorithms' tables have a first row of units above the header.
  if (opts.skipFirst) text = text.slice(text.indexOf("\n") + 1);
  try {
    const out = parse(text, { columns: true, info: true, bom: true, skip_empty_lines: true, relax_column_count: true }) as Rec[];
    if (opts.skipFirst) for (const r of out) r.info.lines += 1;
    return out;
  } catch (e) {
    const err = e as { lines?: number; message?: string };
    issues.push({ code: "parse_error", file: path, ...(err.lines ? { line: err.lines } : {}), message: `expected CSV, got an error: ${err.message ?? String(e)}` });
    return [];
  }
}

/** A number cell; blank is undefined when `optional`, anything else not finite is an issue. */
function num(r: Rec, column: string, file: string, issues: Issue[], optional = false): number | undefined {
  const raw = (r.record[column] ?? "").trim();
  if (raw === "" && optional) return undefined;
  const x = raw === "" ? NaN : Number(raw);
  if (!Number.isFinite(x)) {
    issues.push({ code: "not_a_number", file, line: r.info.lines, path: column, message: `expected a number, got ${JSON.stringify(raw)}`, value: raw });
    return undefined;
  }
  return x;
}

/**
 * Reads every component table of a folder laid out as platforms/components/.
 * @throws InputError naming file, line and column of every bad value
 */
export async function readComponentData(dir: string = DEFAULT_COMPONENT_DIR): Promise<ComponentData> {
  const issues: Issue[] = [];
  const files: string[] = [];
  const file = (name: string) => {
    const p = join(dir, name);
    files.push(p);
    return p;
  };

  const fPath = file("component_embodied_factors.csv");
  const factors: ComponentFactor[] = [];
  for (const r of await rows(fPath, issues)) {
    const value = num(r, "value", fPath, issues);
    if (value === undefined) continue;
    const g = (k: string) => (r.record[k] ?? "").trim();
    factors.push({ component: g("component"), subcomponent: g("subcomponent"), phase: g("phase"), criterion: g("criterion"), value, unit: g("unit"), per: g("per"), source: g("source") });
  }

  const cPath = file("cpu_specs.csv");
  const cpus: CpuRow[] = [];
  for (const r of await rows(cPath, issues)) {
    const g = (k: string) => (r.record[k] ?? "").trim();
    cpus.push({
      name: g("name"),
      codeName: g("code_name"),
      manufacturer: g("manufacturer"),
      modelRange: g("model_range"),
      tdp: num(r, "tdp", cPath, issues, true),
      cores: num(r, "cores", cPath, issues, true),
      threads: num(r, "threads", cPath, issues, true),
      totalDieSize: num(r, "total_die_size", cPath, issues, true),
      source: g("source"),
      line: r.info.lines,
    });
  }

  const gPath = file("gpu_specs.csv");
  const gpus: GpuRow[] = [];
  for (const r of await rows(gPath, issues)) {
    const n = (k: string) => num(r, k, gPath, issues) ?? NaN;
    gpus.push({
      name: (r.record.name ?? "").trim(),
      manufacturer: (r.record.manufacturer ?? "").trim(),
      vramDies: n("number"),
      vramGb: n("vram"),
      dieSurface: n("die_surface"),
      pwbSurface: n("pwb_surface"),
      boatKm: n("distance_boat"),
      truckKm: n("distance_truck"),
      planeKm: n("distance_plane"),
      casingKg: n("mass_casing"),
      heatsinkKg: n("mass_heatsink"),
      massKg: n("mass"),
      line: r.info.lines,
    });
  }

  const density = async (name: string, keyColumn: string): Promise<DensityRow[]> => {
    const p = file(name);
    const out: DensityRow[] = [];
    for (const r of await rows(p, issues)) {
      const key = num(r, keyColumn, p, issues);
      const d = num(r, "density", p, issues);
      if (key !== undefined && d !== undefined) out.push({ manufacturer: (r.record.manufacturer ?? "").trim(), key, density: d, line: r.info.lines });
    }
    return out;
  };
  const ramDensities = await density("ram_manufacture.csv", "process");
  const ssdDensities = await density("ssd_manufacture.csv", "layers");

  const archetypes = async (name: string): Promise<Map<string, ArchetypeRow>> => {
    const out = new Map<string, ArchetypeRow>();
    for (const r of await rows(file(name), issues)) {
      const id = (r.record.id ?? "").trim();
      if (id !== "") out.set(id, Object.fromEntries(Object.entries(r.record).map(([k, v]) => [k, (v ?? "").trim()])));
    }
    return out;
  };
  const servers = await archetypes("archetypes_server.csv");
  const components: Record<string, Map<string, ArchetypeRow>> = {};
  for (const c of ["case", "cpu", "gpu", "hdd", "power_supply", "ram", "ssd"]) components[c] = await archetypes(`archetype_component_${c}.csv`);

  const pPath = file("cpu_consumption_profile_params.csv");
  const cpuProfiles: CpuProfileRow[] = [];
  for (const r of await rows(pPath, issues)) {
    const [a, b, c, d] = ["a", "b", "c", "d"].map((k) => num(r, k, pPath, issues));
    if (a === undefined || b === undefined || c === undefined || d === undefined) continue;
    cpuProfiles.push({ manufacturer: (r.record.manufacturer ?? "").trim(), modelRange: (r.record.model_range ?? "").trim(), a, b, c, d });
  }

  const tPath = file("cpu_power_per_tdp_teads.csv");
  const teads: [number, number][] = [];
  for (const r of await rows(tPath, issues)) {
    const load = num(r, "load_percent", tPath, issues);
    const ratio = num(r, "power_over_tdp", tPath, issues);
    if (load !== undefined && ratio !== undefined) teads.push([load, ratio]);
  }
  teads.sort((x, y) => x[0] - y[0]);

  const gaPath = file("green_algorithms/TDP_cpu.csv");
  const gaCpus: GaCpuRow[] = [];
  for (const r of await rows(gaPath, issues, { skipFirst: true })) {
    const tdp = num(r, "TDP", gaPath, issues, true);
    const cores = num(r, "n_cores", gaPath, issues, true);
    const per = num(r, "TDP_per_core", gaPath, issues, true);
    if (tdp === undefined || per === undefined) continue;
    gaCpus.push({ model: (r.record.model ?? "").trim(), tdp, cores: cores ?? NaN, tdpPerCore: per, source: (r.record.source ?? "").trim() });
  }

  const rPath = file("green_algorithms/referenceValues.csv");
  let gaMemoryWPerGb = { value: NaN, source: "" };
  for (const r of await rows(rPath, issues, { skipFirst: true })) {
    if ((r.record.variable ?? "").trim() !== "memoryPower") continue;
    const v = num(r, "value", rPath, issues);
    if (v !== undefined) gaMemoryWPerGb = { value: v, source: `Green Algorithms referenceValues.csv memoryPower (${(r.record.source ?? "").trim()})` };
  }
  if (!Number.isFinite(gaMemoryWPerGb.value)) issues.push({ code: "missing_value", file: rPath, message: "expected a row memoryPower (W per GB), got none" });
  if (teads.length < 2) issues.push({ code: "missing_value", file: tPath, message: `expected at least two TEADS points, got ${teads.length}` });
  if (!servers.has("platform_compute_medium")) issues.push({ code: "missing_value", file: join(dir, "archetypes_server.csv"), message: "expected the server archetype platform_compute_medium, got none" });

  if (issues.length > 0) throw new InputError(issues);
  return { factors, cpus, gpus, ramDensities, ssdDensities, servers, components, cpuProfiles, teads, gaCpus, gaMemoryWPerGb, files };
}
