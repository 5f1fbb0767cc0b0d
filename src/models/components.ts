/**
 * Embodied impacts of a server from its parts, following BoaviztaAPI's
 * bottom-up method (Boavizta, boaviztapi v2.4.1; docs "Explanations /
 * components"): each part's impact is a published factor times what it has
 * (mm2 of CPU die plus a package, cm2 of memory die plus a module, kg of power
 * supply, one disk, one case, one motherboard, one assembly; for GPUs, masses,
 * surfaces, effective die areas and transport distances), times its units.
 * The factors and tables are data files in platforms/components/ (sources and
 * licences in SOURCES.md there); this module applies them.
 *
 * What the method covers, and so what counts as data here: for the server's
 * parts, manufacture only, in three indicators (climate change, minerals and
 * metals, primary energy; UBA Texte 94/2021 via BoaviztaAPI). Their transport
 * and end of life are not in the method: missing. GPUs have all 16 categories
 * and PE in manufacture, transport and end of life (Boavizta's GPU model;
 * water use is WRI consumption standing in for AWARE: a proxy).
 *
 * What a part does not say comes from a server archetype (BoaviztaAPI's
 * server.csv; default platform_compute_medium) or, for a GPU, the GPU
 * archetype, or from a table (CPU die sizes, memory densities), as the method
 * does; every value so filled is listed in `assumptions`, with its range. Every
 * figure has a low and a high end (min/max) from those ranges.
 */
import { categoryIndex, InputError, type Issue, N_COORDS, N_PHASES, PHASE_INDEX } from "../core/index.js";
import { Basis } from "../core/index.js";
import type { ArchetypeRow, ComponentData, CpuPartSpec, CpuRow, GpuPartSpec, GpuRow, PartsSpec } from "../io/index.js";

/** A value with its low and high ends. */
export interface Ranged {
  readonly value: number;
  readonly min: number;
  readonly max: number;
}

/** Where a value came from: the input, an archetype, a table of the method, or a rule of the method. */
export type Origin = "input" | "archetype" | "table" | "method";

/** A part's attribute as used, with its origin and, when not input, why. */
export interface Attribute extends Ranged {
  readonly origin: Origin;
  readonly note?: string;
}

/** One criterion of one phase of a part (all its units), in the indicator's unit. */
export interface PartImpact extends Ranged {
  /** impactsim indicator id: "CC", "RUMM", "PE", ... */
  readonly id: string;
  readonly phase: "fabrication" | "transport" | "endOfLife";
}

/** A part of the server with what it was computed from. */
export interface PartResult {
  /** "CPU", "RAM[0]", "SSD[1]", "HDD[0]", "GPU", "power supply", "case", "motherboard", "assembly". */
  readonly part: string;
  readonly attributes: Readonly<Record<string, Attribute>>;
  readonly impacts: readonly PartImpact[];
}

/** Phased totals (N_PHASES * N_COORDS, whole item) with their ends and the basis of each figure. */
export interface PhasedRange {
  readonly totals: Float64Array;
  readonly low: Float64Array;
  readonly high: Float64Array;
  readonly basis: Uint8Array;
}

/** A server's embodied impacts from its parts. */
export interface PartsEmbodied {
  /** Everything but the GPUs. */
  readonly server: PhasedRange;
  /** The GPU cards (all units), when the parts have any. */
  readonly gpu?: PhasedRange;
  readonly parts: readonly PartResult[];
  /** Every value that did not come from the input: "RAM[0].capacity_gb = 32 GB (archetype platform_compute_medium)". */
  readonly assumptions: readonly string[];
  /** What the power profiles need: per-CPU TDP and cores, the model range, memory and storage. */
  readonly profileInputs: ProfileInputs;
  readonly source: string;
}

/** What power profiles read from the parts. */
export interface ProfileInputs {
  readonly cpuUnits: number;
  readonly cpuTdp?: Attribute;
  readonly cpuCores?: Attribute;
  readonly cpuModelRange?: string;
  readonly cpuManufacturer?: string;
  readonly cpuName?: string;
  /** Total memory, GB. */
  readonly ramGb: Ranged;
  /** Total SSD and HDD capacity, TB. */
  readonly ssdTb: number;
  readonly hddTb: number;
  readonly gpuUnits: number;
  /** BoaviztaAPI's share added for the rest of the server (fans, disks, losses), from the server archetype. */
  readonly otherConsumptionRatio: Ranged;
  /** The server archetype's name, for messages. */
  readonly archetype: string;
}

/** BoaviztaAPI criterion -> impactsim indicator, and whether it is a stand-in. */
const CRITERIA: Readonly<Record<string, { id: string; proxy?: true }>> = {
  gwp: { id: "CC" },
  adp: { id: "RUMM" },
  pe: { id: "PE" },
  adpf: { id: "RUF" },
  ap: { id: "AC" },
  ctue: { id: "ETF" },
  "ctuh-c": { id: "HTC" },
  "ctuh-nc": { id: "HTNC" },
  efp: { id: "EUF" },
  efm: { id: "EUM" },
  ept: { id: "EUT" },
  ir: { id: "IR" },
  lu: { id: "LU" },
  odp: { id: "ODP" },
  pm: { id: "PM" },
  pocp: { id: "POCP" },
  // WRI water consumption, not EF's AWARE deprivation-weighted water use.
  wu: { id: "WU", proxy: true },
};

/** The criteria of the server's parts (UBA Texte 94/2021 via BoaviztaAPI). */
const SERVER_CRITERIA = ["gwp", "adp", "pe"] as const;

/** The table's phase -> impactsim phase. BoaviztaAPI counts the GPU's upstream transport in manufacture. */
function phaseOf(phase: string): "fabrication" | "transport" | "endOfLife" {
  if (phase === "manufacture" || phase === "transport (upstream)") return "fabrication";
  if (phase === "transport") return "transport";
  if (phase === "end_of_life") return "endOfLife";
  throw new RangeError(`components: expected a phase manufacture, transport or end_of_life in the factor table, got ${JSON.stringify(phase)}`);
}

/** The default server archetype, as BoaviztaAPI's (config default_server). */
export const DEFAULT_SERVER_ARCHETYPE = "platform_compute_medium";

/** 300 mm wafers (BoaviztaAPI's GPU model): the largest die the method can place. */
const WAFER_DIAMETER_MM = 300;
export const WAFER_AREA_MM2 = Math.PI * (WAFER_DIAMETER_MM / 2) ** 2;
/** Saw kerf between dies, mm (BoaviztaAPI's GPU model). */
const KERF_MM = 0.2;
/** VRAM die area per GB, mm2: the average of the GPUs Boavizta studied (BoaviztaAPI's GPU model). */
const VRAM_MM2_PER_GB = 15.5;

/**
 * Wafer area a die takes once its share of the wafer edge, the kerf and the
 * yield are counted (BoaviztaAPI's GPU model): dies per wafer = wafer area /
 * die area - pi d / sqrt(2 x die area), yield = exp(-sqrt(die area / 100 x 0.1)).
 * @throws RangeError on a die that is not > 0 mm2 or that no 300 mm wafer can hold
 */
export function effectiveDieArea(dieMm2: number): number {
  if (!(Number.isFinite(dieMm2) && dieMm2 > 0)) throw new RangeError(`effectiveDieArea: expected a die area > 0 mm2, got ${dieMm2}`);
  const side = Math.sqrt(dieMm2) + KERF_MM;
  const actual = side * side;
  const perWafer = WAFER_AREA_MM2 / actual - (Math.PI * WAFER_DIAMETER_MM) / Math.sqrt(2 * actual);
  if (!(perWafer > 0)) throw new RangeError(`effectiveDieArea: expected a die that fits on a ${WAFER_DIAMETER_MM} mm wafer, got ${dieMm2} mm2 (not one whole die per wafer)`);
  const used = actual * (WAFER_AREA_MM2 / (perWafer * actual));
  const yieldRatio = Math.exp(-Math.sqrt((actual / 100) * 0.1));
  return used / yieldRatio;
}

// ---------------------------------------------------------------------------
// Small helpers

/** "a;b;c" (default;min;max) or "a" as a range; blank as undefined. */
export function archetypeRange(cell: string | undefined): Ranged | undefined {
  if (cell === undefined || cell.trim() === "") return undefined;
  const parts = cell.split(";").map((s) => Number(s.trim()));
  if (parts.some((x) => !Number.isFinite(x))) throw new RangeError(`archetypeRange: expected "default;min;max" numbers, got ${JSON.stringify(cell)}`);
  const [value, min = value, max = value] = parts;
  return { value, min, max };
}

/** The columns of a server archetype for one part ("CPU.units" -> "units"), with the usage columns. */
export function serverPartArchetype(server: ArchetypeRow, part: string): ArchetypeRow {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(server)) if (k.startsWith(`${part}.`)) out[k.slice(part.length + 1)] = v;
  return out;
}

/** A JSON path under `base` ("" for a file's root): jsonPath('node_types["x"]', "parts") is 'node_types["x"].parts'. */
export function jsonPath(base: string, rest: string): string {
  return base === "" ? rest : `${base}.${rest}`;
}

function exact(v: number): Ranged {
  return { value: v, min: v, max: v };
}

function roundSig(x: number, digits: number): number {
  return x === 0 || !Number.isFinite(x) ? x : Number(x.toPrecision(digits));
}

/** Case- and space-insensitive form of a model name. */
function norm(s: string): string {
  return s.toLowerCase().replace(/[\s_-]+/g, " ").trim();
}

/** Edit distance between two strings (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** Up to three names of a table closest to a wanted one (shared words, then fewest edits). */
function closest(wanted: string, names: readonly string[]): string[] {
  const w = norm(wanted);
  const words = new Set(w.split(" "));
  const score = (n: string) => norm(n).split(" ").filter((x) => words.has(x)).length * 1000 - editDistance(norm(n), w);
  return [...names].sort((a, b) => score(b) - score(a) || (a < b ? -1 : 1)).slice(0, 3);
}

interface Ctx {
  readonly data: ComponentData;
  readonly file: string;
  readonly path: string;
  readonly issues: Issue[];
  readonly assumptions: string[];
  readonly archetypeName: string;
}

function attribute(ctx: Ctx, part: string, name: string, unit: string, input: number | undefined, archetype: Ranged | undefined, fallback?: { range: Ranged; note: string }): Attribute | undefined {
  if (input !== undefined) return { ...exact(input), origin: "input" };
  if (archetype !== undefined) {
    ctx.assumptions.push(`${part}.${name} = ${fmt(archetype)}${unit} (archetype ${ctx.archetypeName})`);
    return { ...archetype, origin: "archetype", note: `archetype ${ctx.archetypeName}` };
  }
  if (fallback !== undefined) {
    ctx.assumptions.push(`${part}.${name} = ${fmt(fallback.range)}${unit} (${fallback.note})`);
    return { ...fallback.range, origin: "archetype", note: fallback.note };
  }
  return undefined;
}

function fmt(r: Ranged): string {
  const v = (x: number) => String(roundSig(x, 6));
  return r.min === r.value && r.max === r.value ? v(r.value) : `${v(r.value)} [${v(r.min)}..${v(r.max)}]`;
}

class Factors {
  private readonly byKey = new Map<string, { value: number; phase: string; source: string }[]>();
  constructor(data: ComponentData) {
    for (const f of data.factors) {
      const key = `${f.component}|${f.subcomponent}|${f.criterion}`;
      const list = this.byKey.get(key) ?? [];
      list.push({ value: f.value, phase: f.phase, source: f.source });
      this.byKey.set(key, list);
    }
  }
  /** The factor of a (component, subcomponent, criterion); throws when the table lacks it. */
  get(component: string, sub: string, criterion: string): { value: number; phase: string } {
    const list = this.byKey.get(`${component}|${sub}|${criterion}`);
    if (!list || list.length !== 1) throw new RangeError(`components: expected one factor ${component}/${sub || "-"}/${criterion} in component_embodied_factors.csv, got ${list?.length ?? 0}`);
    return list[0];
  }
  /** Every criterion the table gives for a (component, subcomponent). */
  criteria(component: string, sub: string): string[] {
    const out: string[] = [];
    for (const key of this.byKey.keys()) {
      const [c, s, crit] = key.split("|");
      if (c === component && s === sub) out.push(crit);
    }
    return out;
  }
}

/** Impacts of a part from per-unit ranged amounts: sum over terms of factor x amount, times units. */
function serverPartImpacts(factors: Factors, component: string, terms: readonly { sub: string; amount: Ranged }[], units: Ranged): PartImpact[] {
  const out: PartImpact[] = [];
  for (const criterion of SERVER_CRITERIA) {
    let value = 0;
    let min = 0;
    let max = 0;
    let phase = "manufacture";
    for (const t of terms) {
      const f = factors.get(component, t.sub, criterion);
      phase = f.phase;
      value += f.value * t.amount.value;
      min += f.value * t.amount.min;
      max += f.value * t.amount.max;
    }
    out.push({ id: CRITERIA[criterion].id, phase: phaseOf(phase), value: value * units.value, min: min * units.min, max: max * units.max });
  }
  return out;
}

// ---------------------------------------------------------------------------
// The parts

/** A CPU from the table by name, or an issue naming the closest ones. */
function cpuByName(ctx: Ctx, name: string): CpuRow | undefined {
  const wanted = norm(name);
  const row = ctx.data.cpus.find((c) => norm(c.name) === wanted);
  if (row) return row;
  ctx.issues.push({
    code: "unknown_reference",
    file: ctx.file,
    path: jsonPath(ctx.path, "cpu.name"),
    message: `expected a CPU of platforms/components/cpu_specs.csv (${ctx.data.cpus.length} models), got ${JSON.stringify(name)}; closest: ${closest(name, ctx.data.cpus.map((c) => c.name)).join(", ")}; or give core_units and die_size_mm2 (and tdp_w) instead of a name`,
    value: name,
  });
  return undefined;
}

/**
 * Die size from the CPU table, as BoaviztaAPI completes it: within the family
 * when known; the CPUs with that many cores (mean, and their min and max), a
 * rule of three when the family has one core count, a linear regression on
 * cores otherwise; without a core count, the mean, min and max of the table.
 * Rounded to 3 significant figures, as BoaviztaAPI does.
 */
export function cpuDieFromTable(cpus: readonly CpuRow[], family: string | undefined, cores: number | undefined): Ranged & { note: string } {
  let rows = cpus.filter((c) => c.totalDieSize !== undefined);
  let scope = "all families";
  if (family !== undefined) {
    const f = rows.filter((c) => norm(c.codeName) === norm(family));
    if (f.length > 0) {
      rows = f;
      scope = `family ${f[0].codeName}`;
    } else scope = `all families (no die size for family ${JSON.stringify(family)})`;
  }
  const dies = (rs: readonly CpuRow[]) => rs.map((c) => c.totalDieSize!);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const r3 = (x: number) => roundSig(x, 3);
  if (cores === undefined) {
    const d = dies(rows);
    return { value: r3(mean(d)), min: r3(Math.min(...d)), max: r3(Math.max(...d)), note: `mean of the ${d.length} CPUs of the table with a die size, ${scope}` };
  }
  const same = rows.filter((c) => c.cores === cores);
  if (same.length > 0) {
    const d = dies(same);
    return { value: r3(mean(d)), min: r3(Math.min(...d)), max: r3(Math.max(...d)), note: `mean of the ${d.length} CPUs of the table with ${cores} cores, ${scope}` };
  }
  const withCores = rows.filter((c) => c.cores !== undefined);
  if (withCores.length > 0 && withCores.every((c) => c.cores === withCores[0].cores)) {
    const c0 = withCores[0].cores!;
    const d = dies(withCores);
    return { value: r3((d[0] * cores) / c0), min: r3((Math.min(...d) * cores) / c0), max: r3((Math.max(...d) * cores) / c0), note: `rule of three on ${withCores[0].name} (${c0} cores), ${scope}` };
  }
  const x = withCores.map((c) => c.cores!);
  const y = dies(withCores);
  const xm = mean(x);
  const ym = mean(y);
  const b = x.reduce((s, xi, i) => s + (xi - xm) * (y[i] - ym), 0) / x.reduce((s, xi) => s + (xi - xm) ** 2, 0);
  const v = r3(ym - b * xm + b * cores);
  return { value: v, min: v, max: v, note: `linear regression of die size on cores over ${withCores.length} CPUs, ${scope}` };
}

interface CpuResolved {
  readonly result: PartResult;
  readonly units: number;
  readonly tdp?: Attribute;
  readonly cores?: Attribute;
  readonly modelRange?: string;
  readonly manufacturer?: string;
  readonly name?: string;
}

/**
 * A CPU part: (die mm2 x die factor + package factor) x units (BoaviztaAPI).
 * @param archetype the part's archetype columns (units, core_units, die_size_per_core, ...)
 */
function cpuPart(ctx: Ctx, factors: Factors, cpu: CpuPartSpec, archetype: ArchetypeRow): CpuResolved {
  const part = "CPU";
  const units = attribute(ctx, part, "units", "", cpu.units, archetypeRange(archetype.units), { range: exact(1), note: "one CPU" })!;
  // A name Green Algorithms' TDP table knows but BoaviztaAPI's does not: its TDP and cores from there, its die from BoaviztaAPI's rules.
  const ga = cpu.name !== undefined && !ctx.data.cpus.some((c) => norm(c.name) === norm(cpu.name!)) ? gaCpuByName(ctx.data, cpu.name) : undefined;
  if (ga) ctx.assumptions.push(`CPU.name ${JSON.stringify(cpu.name)} is not in BoaviztaAPI's CPU table but in Green Algorithms' (${ga.model}): TDP and cores from there, die size by BoaviztaAPI's rules`);
  const row = cpu.name !== undefined && !ga ? cpuByName(ctx, cpu.name) : undefined;
  const fromTable = (v: number | undefined): Attribute | undefined => (v === undefined || !Number.isFinite(v) ? undefined : { ...exact(v), origin: "table", note: row ? `cpu_specs.csv: ${row.name}` : `Green Algorithms TDP_cpu.csv: ${ga!.model}` });
  const cores = cpu.core_units !== undefined ? ({ ...exact(cpu.core_units), origin: "input" } as Attribute) : fromTable(row?.cores ?? ga?.cores);
  const tdp = cpu.tdp_w !== undefined ? ({ ...exact(cpu.tdp_w), origin: "input" } as Attribute) : fromTable(row?.tdp ?? ga?.tdp);
  const family = cpu.family ?? (row?.codeName || undefined);
  let die: Attribute;
  if (cpu.die_size_mm2 !== undefined) die = { ...exact(cpu.die_size_mm2), origin: "input" };
  else if (cpu.die_size_per_core_mm2 !== undefined && cores !== undefined) {
    die = { ...exact(cpu.die_size_per_core_mm2 * cores.value), origin: "method", note: "die_size_per_core_mm2 x core_units" };
  } else if (row?.totalDieSize !== undefined) die = fromTable(row.totalDieSize)!;
  else {
    const t = cpuDieFromTable(ctx.data.cpus, family, cores?.value);
    die = { value: t.value, min: t.min, max: t.max, origin: "table", note: t.note };
    ctx.assumptions.push(`${part}.die_size_mm2 = ${fmt(t)} mm2 (${t.note})`);
  }
  const impacts = serverPartImpacts(factors, "cpu", [{ sub: "die", amount: die }, { sub: "base", amount: exact(1) }], units);
  const attributes: Record<string, Attribute> = { units, die_size_mm2: die };
  if (cores) attributes.core_units = cores;
  if (tdp) attributes.tdp_w = tdp;
  return {
    result: { part, attributes, impacts },
    units: units.value,
    tdp,
    cores,
    modelRange: cpu.model_range ?? (row?.modelRange || undefined),
    manufacturer: cpu.manufacturer ?? (row?.manufacturer || undefined),
    name: row?.name ?? cpu.name,
  };
}

/** Green Algorithms' CPU row of a model name, "Intel"/"AMD" prefixes aside. */
export function gaCpuByName(data: ComponentData, name: string): ComponentData["gaCpus"][number] | undefined {
  const bare = (s: string) => norm(s).replace(/^(intel|amd) /, "");
  return data.gaCpus.find((r) => bare(r.model) === bare(name));
}

/** Density from a table (RAM by manufacturer and process, SSD by manufacturer and layers), as BoaviztaAPI completes it. */
function densityFromTable(
  ctx: Ctx,
  label: string,
  rows: readonly { manufacturer: string; key: number; density: number }[],
  manufacturer: string | undefined,
  key: number | undefined,
  keyName: string,
  archetype: Ranged | undefined,
): Attribute {
  let sub = rows;
  let filtered = false;
  if (manufacturer !== undefined) {
    const m = sub.filter((r) => norm(r.manufacturer) === norm(manufacturer));
    if (m.length > 0) {
      sub = m;
      filtered = true;
    } else ctx.assumptions.push(`${label}.manufacturer ${JSON.stringify(manufacturer)} is not in the density table: not used`);
  }
  if (key !== undefined) {
    sub = sub.filter((r) => r.key === key);
    filtered = true;
  }
  if (sub.length === 1) return { ...exact(sub[0].density), origin: "table", note: `${sub[0].manufacturer} ${keyName} ${sub[0].key}` };
  if ((sub.length === 0 || !filtered) && archetype !== undefined) {
    ctx.assumptions.push(`${label}.density_gb_per_cm2 = ${fmt(archetype)} (archetype ${ctx.archetypeName})`);
    return { ...archetype, origin: "archetype", note: `archetype ${ctx.archetypeName}` };
  }
  if (sub.length === 0) sub = rows;
  const d = sub.map((r) => r.density);
  const range = { value: d.reduce((a, b) => a + b, 0) / d.length, min: Math.min(...d), max: Math.max(...d) };
  const note = `mean of ${d.length} rows of the density table`;
  ctx.assumptions.push(`${label}.density_gb_per_cm2 = ${fmt(range)} (${note})`);
  return { ...range, origin: "table", note };
}

/** Memory (RAM or SSD): (capacity / density x die factor + module factor) x units; ranges as BoaviztaAPI: capacity min over density max. */
function memoryPart(
  ctx: Ctx,
  factors: Factors,
  kind: "ram" | "ssd",
  index: number,
  spec: { units?: number; capacity_gb?: number; density_gb_per_cm2?: number; manufacturer?: string },
  key: number | undefined,
  archetype: ArchetypeRow,
  component: ArchetypeRow | undefined,
): { result: PartResult; gb: Ranged } {
  const part = `${kind.toUpperCase()}[${index}]`;
  const units = attribute(ctx, part, "units", "", spec.units, archetypeRange(archetype.units), { range: exact(1), note: "one unit" })!;
  const componentCapacity = archetypeRange(component?.capacity);
  const capacity = attribute(ctx, part, "capacity_gb", " GB", spec.capacity_gb, archetypeRange(archetype.capacity), componentCapacity && { range: componentCapacity, note: `${kind} component archetype` });
  if (!capacity) throw new RangeError(`components: ${part}: expected a capacity (input or archetype), got none`);
  const density =
    spec.density_gb_per_cm2 !== undefined
      ? ({ ...exact(spec.density_gb_per_cm2), origin: "input" } as Attribute)
      : densityFromTable(ctx, part, kind === "ram" ? ctx.data.ramDensities : ctx.data.ssdDensities, spec.manufacturer, key, kind === "ram" ? "process nm" : "layers", archetypeRange(archetype.density));
  const cm2: Ranged = { value: capacity.value / density.value, min: capacity.min / density.max, max: capacity.max / density.min };
  const impacts = serverPartImpacts(factors, kind, [{ sub: "die", amount: cm2 }, { sub: "base", amount: exact(1) }], units);
  return {
    result: { part, attributes: { units, capacity_gb: capacity, density_gb_per_cm2: density }, impacts },
    gb: { value: capacity.value * units.value, min: capacity.min * units.min, max: capacity.max * units.max },
  };
}

/** A GPU from the table by name, or an issue naming the closest ones. */
function gpuByName(ctx: Ctx, name: string): GpuRow | undefined {
  const row = ctx.data.gpus.find((g) => norm(g.name) === norm(name));
  if (row) return row;
  ctx.issues.push({
    code: "unknown_reference",
    file: ctx.file,
    path: jsonPath(ctx.path, "gpu.name"),
    message: `expected a GPU of platforms/components/gpu_specs.csv (${ctx.data.gpus.map((g) => g.name).join(", ")}), got ${JSON.stringify(name)}; closest: ${closest(name, ctx.data.gpus.map((g) => g.name)).join(", ")}; or give vram_gb, vram_dies, die_size_mm2 and weight_kg instead of a name`,
    value: name,
  });
  return undefined;
}

/**
 * GPU cards (Boavizta's GPU model in BoaviztaAPI): casing, heatsink, printed
 * wiring board, effective GPU and VRAM die areas, upstream transport (kg),
 * distribution by boat, truck and plane (km x kg), end of life (kg), per card,
 * times units. What the part and the table do not say comes from the GPU
 * archetype ("Large GPU", 80 GB).
 */
function gpuPart(ctx: Ctx, factors: Factors, gpu: GpuPartSpec, serverArchetype: ArchetypeRow | undefined): { result: PartResult; units: number } {
  const part = "GPU";
  const arch = ctx.data.components.gpu.get("DEFAULT") ?? {};
  const row = gpu.name !== undefined ? gpuByName(ctx, gpu.name) : undefined;
  const gpuCtx: Ctx = { ...ctx, archetypeName: `GPU ${arch.id ?? "DEFAULT"} (${arch.name ?? "GPU component archetype"})` };
  const pick = (name: string, unit: string, input: number | undefined, table: number | undefined, archCell: string | undefined): Attribute => {
    if (input !== undefined) return { ...exact(input), origin: "input" };
    if (table !== undefined && Number.isFinite(table)) return { ...exact(table), origin: "table", note: `gpu_specs.csv: ${row!.name}` };
    const a = attribute(gpuCtx, part, name, unit, undefined, archetypeRange(archCell));
    if (!a) throw new RangeError(`components: GPU: expected ${name} from the input, the GPU table or the archetype, got none`);
    return a;
  };
  const units = attribute(ctx, part, "units", "", gpu.units, archetypeRange(serverArchetype?.units), { range: exact(1), note: "one card" })!;
  const weight = pick("weight_kg", " kg", gpu.weight_kg, row?.massKg, arch.weight);
  const heatsink = pick("heatsink_weight_kg", " kg", gpu.heatsink_weight_kg, row?.heatsinkKg, arch.heatsink_weight);
  const casing = pick("casing_weight_kg", " kg", gpu.casing_weight_kg, row?.casingKg, arch.casing_weight);
  const pwb = pick("pwb_surface_cm2", " cm2", gpu.pwb_surface_cm2, row?.pwbSurface, arch.pwb_surface);
  const vram = pick("vram_gb", " GB", gpu.vram_gb, row?.vramGb, arch.vram);
  const dies = pick("vram_dies", "", gpu.vram_dies, row?.vramDies, arch.vram_dies);
  const boat = pick("transport_boat_km", " km", gpu.transport_boat_km, row?.boatKm, arch.transport_boat);
  const truck = pick("transport_truck_km", " km", gpu.transport_truck_km, row?.truckKm, arch.transport_truck);
  const plane = pick("transport_plane_km", " km", gpu.transport_plane_km, row?.planeKm, arch.transport_plane);
  let surface: Attribute;
  if (gpu.die_size_mm2 !== undefined) surface = { ...exact(effectiveDieArea(gpu.die_size_mm2)), origin: "method", note: `effective area of a ${gpu.die_size_mm2} mm2 die` };
  else if (row) surface = { ...exact(row.dieSurface), origin: "table", note: `gpu_specs.csv: ${row.name} (already effective)` };
  else {
    const raw = archetypeRange(arch.gpu_surface)!;
    surface = { ...exact(effectiveDieArea(raw.value)), origin: "archetype", note: `effective area of the archetype's ${raw.value} mm2 die` };
    ctx.assumptions.push(`GPU.die_size_mm2 = ${raw.value} mm2 (archetype ${gpuCtx.archetypeName})`);
  }
  // VRAM: its GB spread over its dies at 15.5 mm2 per GB, each die's effective area.
  const vramArea = (gb: number, n: number) => (gb > 0 && n > 0 ? effectiveDieArea((gb * VRAM_MM2_PER_GB) / n) * n : 0);
  const vramSurface: Attribute = { value: vramArea(vram.value, dies.value), min: vramArea(vram.min, dies.min), max: vramArea(vram.max, dies.max), origin: "method", note: `${VRAM_MM2_PER_GB} mm2 per GB over vram_dies, effective areas` };
  const terms: { sub: string; amount: Ranged }[] = [
    { sub: "casing", amount: casing },
    { sub: "heatsink", amount: heatsink },
    { sub: "pwb", amount: pwb },
    { sub: "gpu", amount: surface },
    { sub: "vram", amount: vramSurface },
    { sub: "upstream_transport", amount: weight },
    { sub: "transport_boat", amount: { value: boat.value * weight.value, min: boat.min * weight.min, max: boat.max * weight.max } },
    { sub: "transport_truck", amount: { value: truck.value * weight.value, min: truck.min * weight.min, max: truck.max * weight.max } },
    { sub: "transport_plane", amount: { value: plane.value * weight.value, min: plane.min * weight.min, max: plane.max * weight.max } },
    { sub: "end_of_life", amount: weight },
  ];
  // Per indicator and phase: sum of factor x amount.
  const acc = new Map<string, { id: string; phase: PartImpact["phase"]; value: number; min: number; max: number }>();
  for (const t of terms) {
    for (const criterion of factors.criteria("gpu", t.sub)) {
      const map = CRITERIA[criterion];
      if (!map) continue; // gwpb, gwpf, gwplu, mips, weee: sub-indicators or not EF
      const f = factors.get("gpu", t.sub, criterion);
      const phase = phaseOf(f.phase);
      const key = `${map.id}|${phase}`;
      const a = acc.get(key) ?? { id: map.id, phase, value: 0, min: 0, max: 0 };
      a.value += f.value * t.amount.value;
      a.min += f.value * t.amount.min;
      a.max += f.value * t.amount.max;
      acc.set(key, a);
    }
  }
  // Units are a count, not an uncertainty (BoaviztaAPI's GPU model).
  const impacts = [...acc.values()].map((a) => ({ ...a, value: a.value * units.value, min: a.min * units.value, max: a.max * units.value }));
  return {
    result: {
      part,
      attributes: { units, weight_kg: weight, heatsink_weight_kg: heatsink, casing_weight_kg: casing, pwb_surface_cm2: pwb, vram_gb: vram, vram_dies: dies, gpu_surface_mm2: surface, vram_surface_mm2: vramSurface, transport_boat_km: boat, transport_truck_km: truck, transport_plane_km: plane },
      impacts,
    },
    units: units.value,
  };
}

// ---------------------------------------------------------------------------
// A whole server

function phased(): PhasedRange {
  return { totals: new Float64Array(N_PHASES * N_COORDS), low: new Float64Array(N_PHASES * N_COORDS), high: new Float64Array(N_PHASES * N_COORDS), basis: new Uint8Array(N_PHASES * N_COORDS) };
}

/** Adds parts' impacts into a phased range and sets the basis: given figures as data (or proxy), phases or indicators the parts lack as missing. */
function collect(results: readonly PartResult[], gpu: boolean): PhasedRange {
  const out = phased();
  out.basis.fill(Basis.Missing);
  for (let c = 0; c < N_COORDS; c++) out.basis[PHASE_INDEX.use * N_COORDS + c] = Basis.Data;
  const energy = categoryIndex("ENERGY");
  for (let p = 0; p < N_PHASES; p++) out.basis[p * N_COORDS + energy] = Basis.Data;
  for (const r of results) {
    for (const i of r.impacts) {
      const k = PHASE_INDEX[i.phase] * N_COORDS + categoryIndex(i.id);
      out.totals[k] += i.value;
      out.low[k] += i.min;
      out.high[k] += i.max;
      out.basis[k] = gpu && CRITERIA.wu.id === i.id ? Basis.Proxy : Basis.Data;
    }
  }
  return out;
}

/**
 * Embodied impacts of a server from its parts (BoaviztaAPI's bottom-up
 * method), with ranges, the basis of every figure, and every value the
 * archetype or a table filled in.
 * @param where file and JSON path of the parts, for messages (e.g. node_types["r740"].parts, or "parts" in a node-type file)
 * @throws InputError on an unknown server archetype, CPU or GPU model (naming
 *   the JSON path and the closest names); RangeError on a factor table lacking a factor
 */
export function embodiedFromParts(parts: PartsSpec, data: ComponentData, where: { file: string; path: string } = { file: "parts", path: "parts" }): PartsEmbodied {
  const issues: Issue[] = [];
  const assumptions: string[] = [];
  const archetypeName = parts.archetype ?? DEFAULT_SERVER_ARCHETYPE;
  const server = data.servers.get(archetypeName);
  if (!server) {
    issues.push({
      code: "unknown_reference",
      file: where.file,
      path: jsonPath(where.path, "archetype"),
      message: `expected a server archetype of platforms/components/archetypes_server.csv, got ${JSON.stringify(archetypeName)}; closest: ${closest(archetypeName, [...data.servers.keys()]).join(", ")}`,
      value: archetypeName,
    });
    throw new InputError(issues);
  }
  const ctx: Ctx = { data, file: where.file, path: where.path, issues, assumptions, archetypeName };
  const factors = new Factors(data);
  const results: PartResult[] = [];

  const cpu = cpuPart(ctx, factors, parts.cpu ?? {}, serverPartArchetype(server, "CPU"));
  if (!parts.cpu) assumptions.push(`CPU: not given, the archetype's (${archetypeName})`);
  results.push(cpu.result);

  let ramGb: Ranged = exact(0);
  const ramSpecs = parts.ram ?? [{}];
  if (!parts.ram) assumptions.push(`RAM: not given, the archetype's (${archetypeName})`);
  ramSpecs.forEach((r, i) => {
    const m = memoryPart(ctx, factors, "ram", i, r, r.process_nm, serverPartArchetype(server, "RAM"), data.components.ram.get("DEFAULT"));
    results.push(m.result);
    ramGb = { value: ramGb.value + m.gb.value, min: ramGb.min + m.gb.min, max: ramGb.max + m.gb.max };
  });

  const ssdArch = serverPartArchetype(server, "SSD");
  const hddArch = serverPartArchetype(server, "HDD");
  // Without a disk list, the archetype's disks (none when its units are 0).
  const disksGiven = parts.ssd !== undefined || parts.hdd !== undefined;
  const ssdSpecs = parts.ssd ?? (disksGiven || !(archetypeRange(ssdArch.units)?.value ?? 0) ? [] : [{}]);
  const hddSpecs = parts.hdd ?? (disksGiven || !(archetypeRange(hddArch.units)?.value ?? 0) ? [] : [{}]);
  if (!disksGiven) assumptions.push(`disks: not given, the archetype's (${archetypeName}): ${ssdSpecs.length} SSD kind(s), ${hddSpecs.length} HDD kind(s)`);
  let ssdTb = 0;
  ssdSpecs.forEach((s, i) => {
    const m = memoryPart(ctx, factors, "ssd", i, s, s.layers, ssdArch, data.components.ssd.get("DEFAULT"));
    results.push(m.result);
    ssdTb += m.gb.value / 1000;
  });
  let hddTb = 0;
  hddSpecs.forEach((h, i) => {
    const part = `HDD[${i}]`;
    const units = attribute(ctx, part, "units", "", h.units, archetypeRange(hddArch.units), { range: exact(1), note: "one disk" })!;
    const compCap = archetypeRange(data.components.hdd.get("DEFAULT")?.capacity);
    const capacity = attribute(ctx, part, "capacity_gb", " GB", h.capacity_gb, archetypeRange(hddArch.capacity), compCap && { range: compCap, note: "hdd component archetype" });
    results.push({ part, attributes: { units, ...(capacity ? { capacity_gb: capacity } : {}) }, impacts: serverPartImpacts(factors, "hdd", [{ sub: "", amount: exact(1) }], units) });
    hddTb += ((capacity?.value ?? 0) * units.value) / 1000;
  });

  const psuArch = serverPartArchetype(server, "POWER_SUPPLY");
  const psu = parts.power_supply ?? {};
  const psuUnits = attribute(ctx, "power supply", "units", "", psu.units, archetypeRange(psuArch.units), { range: exact(1), note: "one power supply" })!;
  const psuWeight = attribute(ctx, "power supply", "unit_weight_kg", " kg", psu.unit_weight_kg, archetypeRange(psuArch.unit_weight), archetypeRange(data.components.power_supply.get("DEFAULT")?.unit_weight) && { range: archetypeRange(data.components.power_supply.get("DEFAULT")?.unit_weight)!, note: "power-supply component archetype" })!;
  results.push({ part: "power supply", attributes: { units: psuUnits, unit_weight_kg: psuWeight }, impacts: serverPartImpacts(factors, "power_supply", [{ sub: "", amount: psuWeight }], psuUnits) });

  results.push(casePart(ctx, factors, parts.case, server["CASE.case_type"] || "rack"));
  results.push({ part: "motherboard", attributes: {}, impacts: serverPartImpacts(factors, "motherboard", [{ sub: "", amount: exact(1) }], exact(1)) });
  results.push({ part: "assembly", attributes: {}, impacts: serverPartImpacts(factors, "assembly", [{ sub: "", amount: exact(1) }], exact(1)) });

  let gpuUnits = 0;
  let gpuResult: PartResult | undefined;
  const gpuArchUnits = archetypeRange(server["GPU.units"])?.value ?? 0;
  if (parts.gpu !== undefined || gpuArchUnits > 0) {
    const g = gpuPart(ctx, factors, parts.gpu ?? {}, serverPartArchetype(server, "GPU"));
    gpuUnits = g.units;
    gpuResult = g.result;
  }
  if (issues.length > 0) throw new InputError(issues);

  const serverRange = collect(results, false);
  const gpuRange = gpuResult ? collect([gpuResult], true) : undefined;
  const source =
    `${parts.source}; embodied impacts by BoaviztaAPI's bottom-up method (boaviztapi v2.4.1): server parts from UBA Texte 94/2021 factors ` +
    `(manufacture only: climate change, minerals and metals, primary energy; transport and end of life not covered)` +
    (gpuResult ? `, GPUs from Boavizta's GPU model (16 EF categories and PE, manufacture, transport, end of life; water use a proxy)` : "") +
    `; absent values from server archetype ${archetypeName}` +
    (assumptions.length > 0 ? ` (${assumptions.length} value(s) filled, listed in the assumptions)` : "");
  return {
    server: serverRange,
    ...(gpuRange ? { gpu: gpuRange } : {}),
    parts: gpuResult ? [...results, gpuResult] : results,
    assumptions,
    profileInputs: {
      cpuUnits: cpu.units,
      ...(cpu.tdp ? { cpuTdp: cpu.tdp } : {}),
      ...(cpu.cores ? { cpuCores: cpu.cores } : {}),
      ...(cpu.modelRange ? { cpuModelRange: cpu.modelRange } : {}),
      ...(cpu.manufacturer ? { cpuManufacturer: cpu.manufacturer } : {}),
      ...(cpu.name ? { cpuName: cpu.name } : {}),
      ramGb,
      ssdTb,
      hddTb,
      gpuUnits,
      otherConsumptionRatio: archetypeRange(server["USAGE.other_consumption_ratio"]) ?? exact(0),
      archetype: archetypeName,
    },
    source,
  };
}

/** The case: a rack enclosure, or a blade with a sixteenth of a 16-slot chassis; an archetype's case spans both types. */
function casePart(ctx: Ctx, factors: Factors, input: "rack" | "blade" | undefined, archetypeType: string): PartResult {
  const perType = (type: string): PartImpact[] =>
    type === "blade"
      ? SERVER_CRITERIA.map((c) => {
          const v = factors.get("case", "blade", c).value + factors.get("case", "blade_16_slots_chassis", c).value / 16;
          return { id: CRITERIA[c].id, phase: phaseOf(factors.get("case", "blade", c).phase), ...exact(v) };
        })
      : serverPartImpacts(factors, "case", [{ sub: "rack", amount: exact(1) }], exact(1));
  const type = input ?? (archetypeType === "blade" ? "blade" : "rack");
  const impacts = perType(type);
  if (input !== undefined) return { part: "case", attributes: {}, impacts };
  // Type unknown: the archetype's value, its range spanning rack and blade (BoaviztaAPI).
  ctx.assumptions.push(`case = ${type} (archetype ${ctx.archetypeName}; range spans rack and blade)`);
  const other = perType(type === "rack" ? "blade" : "rack");
  return { part: "case", attributes: {}, impacts: impacts.map((i, k) => ({ ...i, min: Math.min(i.value, other[k].value), max: Math.max(i.value, other[k].value) })) };
}

/**
 * One part on its own (BoaviztaAPI's component routes): its impacts and
 * attributes, filled from that component's archetype row.
 * @param kind "cpu" | "ram" | "ssd" | "hdd" | "power_supply" | "case" | "motherboard" | "assembly" | "gpu"
 * @param archetype the component archetype's columns (units, capacity, ...), e.g. data.components.ram.get("DEFAULT")
 * @throws InputError on unknown models; RangeError on an unknown kind
 */
export function embodiedOfComponent(kind: string, spec: Record<string, unknown>, data: ComponentData, archetype: ArchetypeRow = {}): { result: PartResult; assumptions: readonly string[] } {
  const issues: Issue[] = [];
  const assumptions: string[] = [];
  const ctx: Ctx = { data, file: "component", path: kind, issues, assumptions, archetypeName: `${kind} component archetype` };
  const factors = new Factors(data);
  const s = spec as never;
  let result: PartResult;
  switch (kind) {
    case "cpu":
      result = cpuPart(ctx, factors, s, archetype).result;
      break;
    case "ram":
    case "ssd":
      result = memoryPart(ctx, factors, kind, 0, s, (spec as { process_nm?: number; layers?: number })[kind === "ram" ? "process_nm" : "layers"], archetype, undefined).result;
      break;
    case "hdd": {
      const units = attribute(ctx, "HDD", "units", "", (spec as { units?: number }).units, archetypeRange(archetype.units), { range: exact(1), note: "one disk" })!;
      result = { part: "HDD", attributes: { units }, impacts: serverPartImpacts(factors, "hdd", [{ sub: "", amount: exact(1) }], units) };
      break;
    }
    case "power_supply": {
      const p = spec as { units?: number; unit_weight_kg?: number };
      const units = attribute(ctx, "power supply", "units", "", p.units, archetypeRange(archetype.units), { range: exact(1), note: "one power supply" })!;
      const w = attribute(ctx, "power supply", "unit_weight_kg", " kg", p.unit_weight_kg, archetypeRange(archetype.unit_weight));
      if (!w) throw new RangeError("embodiedOfComponent: power_supply: expected unit_weight_kg (input or archetype), got none");
      result = { part: "power supply", attributes: { units, unit_weight_kg: w }, impacts: serverPartImpacts(factors, "power_supply", [{ sub: "", amount: w }], units) };
      break;
    }
    case "case":
      result = casePart(ctx, factors, (spec as { case_type?: "rack" | "blade" }).case_type, archetype.case_type || "rack");
      break;
    case "motherboard":
    case "assembly":
      result = { part: kind, attributes: {}, impacts: serverPartImpacts(factors, kind, [{ sub: "", amount: exact(1) }], exact(1)) };
      break;
    case "gpu":
      result = gpuPart(ctx, factors, s, archetype).result;
      break;
    default:
      throw new RangeError(`embodiedOfComponent: expected a component kind (cpu, ram, ssd, hdd, power_supply, case, motherboard, assembly, gpu), got ${JSON.stringify(kind)}`);
  }
  if (issues.length > 0) throw new InputError(issues);
  return { result, assumptions };
}
