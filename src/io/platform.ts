/**
 * Platform files: a zod schema for PlatformSpec (see spec.ts), checks beyond
 * its shape (cross-references, curve order, category ids), and the loaders.
 * `checkPlatform()` returns every issue; `loadPlatform()` throws an InputError
 * holding all of them. JSON text and zod issues go through io/json.ts.
 */
import { z } from "zod";
import { INDICATORS } from "../core/index.js";
import { InputError, type Issue, type IssueCode } from "../core/index.js";
import { BYTES_PER_NODE, MAX_LIFETIME_YEARS, MAX_NODE_WATTS, MAX_NODES, MAX_PUE, describeNodes } from "../core/index.js";
import type { NodeTypeSpec, PlatformSpec } from "./spec.js";
import { describeValue, issuesFromZod, jsonIssue, lazySchema, PARSE_ONCE, parseJsonText } from "./json.js";
import { checkedOnce } from "./parseCache.js";
import { readTextFile } from "./readText.js";

/** A 300 mm wafer's area, mm2: no die is larger. */
const WAFER_MM2 = Math.PI * 150 * 150;

// ---------------------------------------------------------------------------
// Schema

/** Answers of isTimeZone so far: a platform names a few zones many times, and each look-up builds a formatter. */
const knownZones = new Map<string, boolean>();

/** True for "UTC" and for IANA zone names the runtime knows. */
export function isTimeZone(tz: string): boolean {
  if (tz === "UTC") return true; // without building a formatter (the first one loads the zone data)
  let known = knownZones.get(tz);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat("en", { timeZone: tz });
      known = true;
    } catch {
      known = false;
    }
    knownZones.set(tz, known);
  }
  return known;
}

/** The platform and node-type schemas, built on first use (see lazySchema). */
const schemas = lazySchema(() => {
  const nonEmpty = z.string().min(1);
  const watts = z.number().min(0).max(MAX_NODE_WATTS, { error: "more than any node draws (a DGX H100 is 10.2 kW); see core/limits.ts" });
  const categoryValues = z.record(z.string(), z.number());

  const nodeCount = z.number().int().min(1).max(MAX_NODES, { error: `the simulator's limit, about ${BYTES_PER_NODE} bytes of state per node; the largest machines have about 160,000 nodes` });

  const zoneCode = z.string().regex(/^[A-Z]{3}$/, { error: "expected a 3-letter zone code (ISO 3166-1 alpha-3, WOR or EEE)" });

  const timeZone = z.string().refine(isTimeZone, { error: 'expected an IANA time zone such as "Europe/Paris", or "UTC"' });

  const powerSchema = z.strictObject({
    idle_w: watts,
    curve_w: z.array(z.tuple([z.number().gte(0).lte(1), watts])).min(2).optional(),
    max_w: watts.optional(),
    source: nonEmpty,
  });

  const powerStateSchema = z.strictObject({
    w: watts,
    switch_on_s: z.number().min(0),
    switch_on_w: watts,
    switch_off_s: z.number().min(0),
    switch_off_w: watts,
    source: nonEmpty,
  });

  const embodiedSchema = z.strictObject({
    lifetime_years: z.number().gt(0).max(MAX_LIFETIME_YEARS, { error: "servers are kept 3 to 6 years in BoaviztaAPI's archetypes" }),
    lifetime_source: nonEmpty,
    // Beyond the lifetime is allowed (old hardware kept in service); the bound only keeps seconds finite.
    age_years: z.number().min(0).max(MAX_LIFETIME_YEARS, { error: "the longest lifetime accepted" }).optional(),
    impacts: z.record(z.string(), categoryValues).optional(),
    basis: z.enum(["data", "proxy"]).optional(),
    proxy: z.strictObject({ reference: nonEmpty }).optional(),
    source: nonEmpty,
  });

  // A server's parts (BoaviztaAPI's component method). Counts are whole numbers,
  // sizes and masses > 0, distances >= 0; what is absent comes from an archetype.
  const count = z.number().int().min(1).max(4096, { error: "more than any server holds" });
  const positive = z.number().gt(0);
  // Upper ends far above any real part, so that products of sizes stay finite (no Infinity reaches an output).
  const diePerCoreMm2 = positive.max(WAFER_MM2, { error: `larger than a 300 mm wafer (${Math.round(WAFER_MM2)} mm2)` });
  const ramGb = positive.max(4096, { error: "more than any memory module holds (the largest are 256 GB)" });
  const diskGb = positive.max(1e6, { error: "more than any disk holds (the largest SSDs hold about 123 TB)" });
  const density = z.number().min(0.01, { error: "a hundred times sparser than any memory in BoaviztaAPI's tables (0.625 to 80 GB/cm2)" }).max(1e4);
  const kg = (max: number) => z.number().min(0).max(max, { error: "heavier than any such part" });
  const km = z.number().min(0).max(1e5, { error: "more than twice around the Earth" });
  const partsSchema = z.strictObject({
    archetype: nonEmpty.optional(),
    cpu: z
      .strictObject({
        units: count.optional(),
        name: nonEmpty.optional(),
        core_units: count.optional(),
        die_size_mm2: positive.optional(),
        die_size_per_core_mm2: diePerCoreMm2.optional(),
        tdp_w: positive.max(MAX_NODE_WATTS).optional(),
        model_range: nonEmpty.optional(),
        manufacturer: nonEmpty.optional(),
        family: nonEmpty.optional(),
      })
      .optional(),
    ram: z.array(z.strictObject({ units: count.optional(), capacity_gb: ramGb.optional(), density_gb_per_cm2: density.optional(), manufacturer: nonEmpty.optional(), process_nm: positive.max(1000).optional() })).min(1).optional(),
    ssd: z.array(z.strictObject({ units: count.optional(), capacity_gb: diskGb.optional(), density_gb_per_cm2: density.optional(), manufacturer: nonEmpty.optional(), layers: count.optional() })).optional(),
    hdd: z.array(z.strictObject({ units: count.optional(), capacity_gb: diskGb.optional() })).optional(),
    gpu: z
      .strictObject({
        units: count.optional(),
        name: nonEmpty.optional(),
        vram_gb: ramGb.optional(),
        vram_dies: count.optional(),
        die_size_mm2: positive.optional(),
        weight_kg: positive.max(100, { error: "heavier than any GPU card (2 to 3 kg)" }).optional(),
        heatsink_weight_kg: kg(100).optional(),
        casing_weight_kg: kg(100).optional(),
        pwb_surface_cm2: z.number().min(0).max(1e5).optional(),
        transport_boat_km: km.optional(),
        transport_truck_km: km.optional(),
        transport_plane_km: km.optional(),
      })
      .optional(),
    power_supply: z.strictObject({ units: count.optional(), unit_weight_kg: positive.max(100, { error: "heavier than any power supply (1 to 5 kg in BoaviztaAPI's archetypes)" }).optional() }).optional(),
    case: z.enum(["rack", "blade"]).optional(),
    source: nonEmpty,
  });

  const powerProfileSchema = z.strictObject({
    profile: z.enum(["boavizta", "green_algorithms"]),
    other_consumption_ratio: z.number().min(0).max(10, { error: "BoaviztaAPI's archetypes use 0.2 to 0.6" }).optional(),
    tdp_per_core_w: positive.max(1000).optional(),
    include_storage: z.boolean().optional(),
    source: nonEmpty.optional(),
  });

  const acceleratorSchema = z.strictObject({
    model: nonEmpty,
    count: z.number().int().min(1).max(1024, { error: "more than any node holds (4 to 16 today)" }),
    power: powerSchema,
    embodied: embodiedSchema.optional(),
    reconfiguration_s: z.number().min(0).optional(),
    reconfiguration_w: watts.optional(),
    reconfiguration_source: nonEmpty.optional(),
  });

  const dvfsSchema = z.strictObject({ name: nonEmpty, speed: z.number().gt(0), power: powerSchema });

  const nodeTypeSchema = z.strictObject({
    cores: z.number().int().min(1),
    speed: z.number().gt(0).optional(),
    speed_source: nonEmpty.optional(),
    gpus: acceleratorSchema.optional(),
    fpgas: acceleratorSchema.optional(),
    dvfs: z.array(dvfsSchema).min(1).optional(),
    memory_gb: z.number().min(0).optional(),
    power: z.union([powerSchema, powerProfileSchema], { error: 'a measured power (idle_w, curve_w or max_w, source) or a power profile ({"profile": "boavizta"} or {"profile": "green_algorithms"})' }),
    power_states: z.strictObject({ off: powerStateSchema.optional(), sleep: powerStateSchema.optional() }).optional(),
    embodied: embodiedSchema,
    parts: partsSchema.optional(),
    description: z.string().optional(),
  });

  const lcaReferenceSchema = z.strictObject({ impacts: categoryValues, source: nonEmpty });

  const gridSeriesSchema = z.discriminatedUnion("kind", [
    z.strictObject({
      kind: z.literal("carbon_intensity"),
      file: nonEmpty,
      time_column: nonEmpty,
      value_column: nonEmpty,
      timezone: timeZone,
      unit: z.literal("gCO2e/kWh"),
      source: nonEmpty,
    }),
    z.strictObject({
      kind: z.literal("generation_mix"),
      file: nonEmpty,
      time_column: nonEmpty,
      sources: z.record(z.string(), categoryValues),
      timezone: timeZone,
      source: nonEmpty,
    }),
  ]);

  const siteSchema = z.strictObject({
    id: nonEmpty,
    name: z.string().optional(),
    pue: z.number().min(1).max(MAX_PUE, { error: "over three times the surveyed average of 1.56 (Uptime Institute 2024)" }),
    pue_source: nonEmpty,
    grid: z.strictObject({ zone: zoneCode, series: gridSeriesSchema.optional() }),
    nodes: z.array(z.strictObject({ type: nonEmpty, count: nodeCount, sharing: z.enum(["shared", "exclusive", "shared_only"]).optional() })).min(1),
    power_budget_w: z.number().gt(0).optional(),
    power_budget_series: z
      .strictObject({ file: nonEmpty, time_column: nonEmpty, value_column: nonEmpty, timezone: timeZone, source: nonEmpty })
      .optional(),
    storage_tiers: z
      .array(z.strictObject({ tier: nonEmpty, bandwidth_gb_per_s: z.number().gt(0), latency_s: z.number().min(0), energy_j_per_gb: z.number().min(0), source: nonEmpty }))
      .max(1, "expected at most one slower storage tier per site")
      .optional(),
  });

  const platformSchema = z.strictObject({
    name: nonEmpty,
    description: z.string().optional(),
    node_types: z.record(z.string(), nodeTypeSchema),
    lca_references: z.record(z.string(), lcaReferenceSchema).optional(),
    sites: z.array(siteSchema).min(1),
    links: z
      .array(
        z.strictObject({
          from: nonEmpty,
          to: nonEmpty,
          bandwidth_gb_per_s: z.number().gt(0),
          latency_s: z.number().min(0),
          energy_j_per_gb: z.strictObject({ source: z.number().min(0), destination: z.number().min(0), network: z.number().min(0) }),
          source: nonEmpty,
        }),
      )
      .optional(),
  });

  return { nodeTypeSchema, platformSchema };
});

// The schema's output must be a PlatformSpec (compile-time check only).
const _platformMatchesSpec = (p: z.infer<ReturnType<typeof schemas>["platformSchema"]>): PlatformSpec => p;
void _platformMatchesSpec;

// ---------------------------------------------------------------------------
// Checks beyond the shape. They read the raw JSON defensively, so they run
// (and report) even where other parts of the file are malformed.

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// The 16 EF categories and primary energy (PE, MJ).
const CATEGORY_IDS = INDICATORS.map((c) => c.id);
const EMBODIED_PHASES = ["fabrication", "transport", "endOfLife"];

type Push = (code: IssueCode, path: readonly PropertyKey[], message: string, value?: unknown) => void;

function checkCategoryKeys(values: unknown, path: readonly PropertyKey[], push: Push): void {
  if (!isObject(values)) return;
  for (const key of Object.keys(values)) {
    if (!CATEGORY_IDS.includes(key)) push("unknown_reference", [...path, key], `expected a category id (${CATEGORY_IDS.join(", ")}), got "${key}"`, key);
  }
}

function checkPower(power: unknown, path: readonly PropertyKey[], push: Push): void {
  if (!isObject(power) || "profile" in power) return;
  const curve = power.curve_w;
  if (curve === undefined && power.max_w === undefined) {
    push("missing_field", path, "expected curve_w or max_w, got neither");
  }
  if (!Array.isArray(curve)) return;
  const u = (k: number): number | undefined => {
    const p: unknown = curve[k];
    const x = Array.isArray(p) ? p[0] : undefined;
    return typeof x === "number" && x >= 0 && x <= 1 ? x : undefined;
  };
  let prev: number | undefined;
  for (let k = 0; k < curve.length; k++) {
    const x = u(k);
    if (x === undefined) continue;
    if (prev !== undefined && !(x > prev)) push("invalid_value", [...path, "curve_w", k, 0], `expected a utilisation > ${prev} (points sorted by utilisation), got ${x}`, x);
    prev = x;
  }
  const last = u(curve.length - 1);
  if (last !== undefined && last !== 1) push("invalid_value", [...path, "curve_w", curve.length - 1, 0], `expected the last point at utilisation 1, got ${last}`, last);
  const lastPoint: unknown = curve[curve.length - 1];
  const lastW = Array.isArray(lastPoint) ? lastPoint[1] : undefined;
  if (last === 1 && typeof lastW === "number" && typeof power.max_w === "number" && power.max_w !== lastW) {
    push("invalid_value", [...path, "max_w"], `expected the curve's full-load draw ${lastW} W (or no max_w), got ${power.max_w}`, power.max_w);
  }
}

function checkEmbodied(embodied: unknown, path: readonly PropertyKey[], references: unknown, push: Push, checkReference: boolean): void {
  if (!isObject(embodied)) return;
  const impacts = embodied.impacts;
  let hasCC = false;
  if (isObject(impacts)) {
    for (const [phase, values] of Object.entries(impacts)) {
      if (phase === "use") {
        push("invalid_value", [...path, "impacts", phase], 'expected phase fabrication, transport or endOfLife (use-phase impacts come from electricity), got "use"', phase);
      } else if (!EMBODIED_PHASES.includes(phase)) {
        push("unknown_reference", [...path, "impacts", phase], `expected phase fabrication, transport or endOfLife, got "${phase}"`, phase);
      }
      checkCategoryKeys(values, [...path, "impacts", phase], push);
      if (isObject(values) && typeof values.CC === "number") hasCC = true;
    }
  }
  if (embodied.basis !== undefined && impacts === undefined) push("invalid_value", [...path, "basis"], "expected basis only beside impacts (it says whose figures they are), got basis without impacts");
  const proxy = embodied.proxy;
  if (!isObject(proxy)) return;
  // From parts, CC comes from the component method.
  if (!hasCC && impacts !== undefined) push("invalid_value", [...path, "proxy"], "expected CC data in at least one phase (proxies scale by the CC ratio), got none");
  const name = proxy.reference;
  if (!checkReference || typeof name !== "string" || name === "") return;
  const known = isObject(references) ? Object.keys(references) : [];
  if (!known.includes(name)) {
    const list = known.length ? ` (${known.join(", ")})` : "";
    const none = known.length ? "" : " (none is defined)";
    push("unknown_reference", [...path, "proxy", "reference"], `expected a reference defined in lca_references${list}, got "${name}"${none}`, name);
  }
}

/** Parts against the node type: what needs parts, double counting, GPU counts, dies no wafer can hold. */
function checkParts(nodeType: Record<string, unknown>, path: readonly PropertyKey[], push: Push): void {
  const parts = nodeType.parts;
  const embodied = nodeType.embodied;
  const power = nodeType.power;
  if (!isObject(parts)) {
    if (isObject(embodied) && embodied.impacts === undefined) push("missing_field", [...path, "embodied", "impacts"], "expected embodied impacts, or the node's parts to compute them from, got neither");
    if (isObject(power) && "profile" in power) push("missing_field", [...path, "parts"], `expected the node's parts for power profile ${JSON.stringify(power.profile)} (it reads the CPU's TDP and the memory), got none`);
    return;
  }
  const gpu = parts.gpu;
  const gpus = nodeType.gpus;
  if (isObject(gpu) && isObject(gpus)) {
    if (gpus.embodied !== undefined && isObject(embodied) && embodied.impacts === undefined) {
      push("invalid_value", [...path, "gpus", "embodied"], "expected the GPUs' embodied impacts once: from parts.gpu or from gpus.embodied, got both");
    }
    if (typeof gpu.units === "number" && typeof gpus.count === "number" && gpu.units !== gpus.count) {
      push("invalid_value", [...path, "parts", "gpu", "units"], `expected as many GPUs as gpus.count (${gpus.count}), got ${gpu.units}`, gpu.units);
    }
  }
  // A die larger than a 300 mm wafer (70,686 mm2) cannot be made; the GPU method needs room for one whole die.
  const wafer = WAFER_MM2;
  const cpu = parts.cpu;
  if (isObject(cpu) && typeof cpu.die_size_mm2 === "number" && cpu.die_size_mm2 > wafer) {
    push("invalid_value", [...path, "parts", "cpu", "die_size_mm2"], `expected a die smaller than a 300 mm wafer (${Math.round(wafer)} mm2), got ${cpu.die_size_mm2}`, cpu.die_size_mm2);
  }
  if (isObject(gpu) && typeof gpu.die_size_mm2 === "number" && !(fitsOnWafer(gpu.die_size_mm2))) {
    push("invalid_value", [...path, "parts", "gpu", "die_size_mm2"], `expected a die that fits on a 300 mm wafer (at most about ${Math.floor(largestWaferDie())} mm2), got ${gpu.die_size_mm2}`, gpu.die_size_mm2);
  }
}

/** True when a die of this area leaves at least one whole die per 300 mm wafer (with 0.2 mm kerf), as the GPU method counts them. */
function fitsOnWafer(dieMm2: number): boolean {
  const side = Math.sqrt(dieMm2) + 0.2;
  const area = side * side;
  return WAFER_MM2 / area - (Math.PI * 300) / Math.sqrt(2 * area) > 0;
}

/** The largest die area fitsOnWafer accepts, mm2 (by bisection). */
function largestWaferDie(): number {
  let lo = 1;
  let hi = WAFER_MM2;
  for (let k = 0; k < 60; k++) {
    const mid = (lo + hi) / 2;
    if (fitsOnWafer(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

function checkNodeTypeSemantics(nodeType: unknown, path: readonly PropertyKey[], references: unknown, push: Push, checkReference: boolean): void {
  if (!isObject(nodeType)) return;
  checkParts(nodeType, path, push);
  checkPower(nodeType.power, [...path, "power"], push);
  checkEmbodied(nodeType.embodied, [...path, "embodied"], references, push, checkReference);
  for (const kind of ["gpus", "fpgas"] as const) {
    const acc = nodeType[kind];
    if (!isObject(acc)) continue;
    checkPower(acc.power, [...path, kind, "power"], push);
    if (acc.embodied !== undefined) checkEmbodied(acc.embodied, [...path, kind, "embodied"], references, push, checkReference);
  }
  if (Array.isArray(nodeType.dvfs)) nodeType.dvfs.forEach((d: unknown, k) => isObject(d) && checkPower(d.power, [...path, "dvfs", k, "power"], push));
}

function checkPlatformSemantics(json: unknown, push: Push): void {
  if (!isObject(json)) return;
  const { node_types: nodeTypes, lca_references: references, sites } = json;
  if (isObject(nodeTypes)) {
    if (Object.keys(nodeTypes).length === 0) push("invalid_value", ["node_types"], "expected at least one node type, got none");
    for (const [name, nt] of Object.entries(nodeTypes)) checkNodeTypeSemantics(nt, ["node_types", name], references, push, true);
  }
  if (isObject(references)) {
    for (const [name, ref] of Object.entries(references)) {
      if (!isObject(ref) || !isObject(ref.impacts)) continue;
      checkCategoryKeys(ref.impacts, ["lca_references", name, "impacts"], push);
      const cc = ref.impacts.CC;
      if (typeof cc !== "number" || cc === 0) {
        push("invalid_value", ["lca_references", name, "impacts", "CC"], `expected a non-zero CC value (proxies scale by it), got ${describeValue(cc)}`, cc);
      }
    }
  }
  if (!Array.isArray(sites)) return;
  const firstId = new Map<string, number>();
  const typeNames = isObject(nodeTypes) ? Object.keys(nodeTypes) : undefined;
  let totalNodes = 0;
  sites.forEach((site: unknown, s) => {
    if (isObject(site) && Array.isArray(site.nodes)) for (const g of site.nodes) if (isObject(g) && typeof g.count === "number" && g.count > 0) totalNodes += g.count;
  });
  // Each group may be within the bound and their sum not: say what the whole would take.
  if (totalNodes > MAX_NODES) push("invalid_value", ["sites"], `expected at most ${MAX_NODES.toLocaleString("en-US")} nodes in all (the simulator's limit), got ${describeNodes(totalNodes)}`, totalNodes);
  sites.forEach((site: unknown, s) => {
    if (!isObject(site)) return;
    if (typeof site.id === "string") {
      const first = firstId.get(site.id);
      if (first !== undefined) push("duplicate_id", ["sites", s, "id"], `expected a unique site id, got "${site.id}" again (first at sites[${first}].id)`, site.id);
      else firstId.set(site.id, s);
    }
    const grid = site.grid;
    const series = isObject(grid) ? grid.series : undefined;
    if (isObject(series) && series.kind === "generation_mix" && isObject(series.sources)) {
      for (const [col, values] of Object.entries(series.sources)) checkCategoryKeys(values, ["sites", s, "grid", "series", "sources", col], push);
    }
    if (!Array.isArray(site.nodes) || typeNames === undefined) return;
    site.nodes.forEach((group: unknown, g) => {
      const type = isObject(group) ? group.type : undefined;
      if (typeof type === "string" && type !== "" && !typeNames.includes(type)) {
        push("unknown_reference", ["sites", s, "nodes", g, "type"], `expected a node type defined in node_types (${typeNames.join(", ")}), got "${type}"`, type);
      }
    });
  });
  const links = json.links;
  if (!Array.isArray(links)) return;
  const siteIds = [...firstId.keys()];
  const seen = new Map<string, number>();
  links.forEach((link: unknown, l) => {
    if (!isObject(link)) return;
    for (const end of ["from", "to"] as const) {
      const id = link[end];
      if (typeof id === "string" && id !== "" && !siteIds.includes(id)) {
        push("unknown_reference", ["links", l, end], `expected a site id (${siteIds.join(", ")}), got "${id}"`, id);
      }
    }
    if (typeof link.from === "string" && link.from === link.to) push("invalid_value", ["links", l, "to"], `expected a site other than "from", got "${link.to}"`, link.to);
    if (typeof link.from === "string" && typeof link.to === "string") {
      const key = [link.from, link.to].sort().join("\u0000");
      const first = seen.get(key);
      if (first !== undefined) push("duplicate_id", ["links", l], `expected one link per pair of sites, got ${link.from}-${link.to} again (first at links[${first}])`);
      else seen.set(key, l);
    }
  });
}

function collector(file: string): { issues: Issue[]; push: Push } {
  const issues: Issue[] = [];
  return { issues, push: (code, path, message, value) => issues.push(jsonIssue(code, file, path, message, value)) };
}

// ---------------------------------------------------------------------------
// Public API

/**
 * Every problem of a parsed platform file: its shape (code "schema"), then
 * cross-references, power curves, phases and category ids. Empty when valid.
 * @param file the name used in messages, e.g. "platforms/eu.json"
 */
export function checkPlatform(json: unknown, file: string): Issue[] {
  const { issues, push } = collector(file);
  const { platformSchema } = schemas();
  const parsed = platformSchema.safeParse(json, PARSE_ONCE);
  if (!parsed.success) issues.push(...issuesFromZod(parsed.error.issues, file, platformSchema, json));
  checkPlatformSemantics(json, push);
  return issues;
}

/**
 * Every problem of a parsed node-type file (a NodeTypeSpec on its own, such as
 * platforms/single-core-node.json). A proxy reference is checked against
 * `references` when given, and not checked otherwise.
 */
export function checkNodeType(json: unknown, file: string, references?: PlatformSpec["lca_references"]): Issue[] {
  const { issues, push } = collector(file);
  const { nodeTypeSchema } = schemas();
  const parsed = nodeTypeSchema.safeParse(json, PARSE_ONCE);
  if (!parsed.success) issues.push(...issuesFromZod(parsed.error.issues, file, nodeTypeSchema, json));
  checkNodeTypeSemantics(json, [], references ?? {}, push, references !== undefined);
  return issues;
}

/**
 * Reads and checks a platform file.
 * @throws InputError holding every issue (syntax errors with line and column)
 */
export async function loadPlatform(path: string): Promise<PlatformSpec> {
  const text = await readTextFile(path);
  const { value, issues: syntax } = parseJsonText(text, path);
  // A text this build found valid before is not checked again (parseCache.ts).
  const issues = checkedOnce("platform", text, () => (value !== undefined || syntax.length === 0 ? [...syntax, ...checkPlatform(value, path)] : syntax));
  if (issues.length > 0) throw new InputError(issues);
  return value as PlatformSpec;
}

/**
 * Reads and checks a node-type file (see checkNodeType).
 * @throws InputError holding every issue
 */
export async function loadNodeType(path: string, references?: PlatformSpec["lca_references"]): Promise<NodeTypeSpec> {
  const text = await readTextFile(path);
  const { value, issues: syntax } = parseJsonText(text, path);
  // Checked against the references given: they are part of what was found valid (parseCache.ts).
  const checker = `node-type ${references === undefined ? "" : JSON.stringify(references)}`;
  const issues = checkedOnce(checker, text, () => (value !== undefined || syntax.length === 0 ? [...syntax, ...checkNodeType(value, path, references)] : syntax));
  if (issues.length > 0) throw new InputError(issues);
  return value as NodeTypeSpec;
}

/** PUE used by platformForProcs when none is given: Green Algorithms v3.0 default for an unknown provider. */
export const DEFAULT_PUE = 1.56;
export const DEFAULT_PUE_SOURCE =
  "Assumption: Green Algorithms v3.0 default PUE for an unknown provider (GreenAlgorithms/green-algorithms-tool data/latest/defaults_PUE.csv, row 'Unknown', " +
  "citing the Uptime Institute 2024 Global Data Center Survey), CC-BY-4.0";

/**
 * A homogeneous one-site platform of `procs` nodes of one type, for a trace
 * run without a platform file (SWF: one processor per node of a one-core type).
 * The site is "site" on the static factors of `zone`; the node type is "node".
 * @param options.references LCA references the node type's proxy names (e.g. from the default platform)
 * @throws RangeError when procs is not a positive integer, the zone is not a 3-letter code,
 *   or the result does not validate (e.g. the proxy reference is not in `references`)
 */
export function platformForProcs(
  procs: number,
  nodeType: NodeTypeSpec,
  zone: string,
  options: { references?: PlatformSpec["lca_references"]; pue?: number; pueSource?: string } = {},
): PlatformSpec {
  if (!Number.isSafeInteger(procs) || procs < 1) throw new RangeError(`platformForProcs: expected procs to be an integer >= 1, got ${procs}`);
  if (!/^[A-Z]{3}$/.test(zone)) throw new RangeError(`platformForProcs: expected a 3-letter zone code, got ${JSON.stringify(zone)}`);
  const platform: PlatformSpec = {
    name: `${procs} x node on ${zone}`,
    description: `Built for a trace run without a platform: one site of ${procs} identical nodes on the static electricity factors of zone ${zone}.`,
    node_types: { node: nodeType },
    ...(options.references ? { lca_references: options.references } : {}),
    sites: [
      {
        id: "site",
        pue: options.pue ?? DEFAULT_PUE,
        pue_source: options.pueSource ?? DEFAULT_PUE_SOURCE,
        grid: { zone },
        nodes: [{ type: "node", count: procs }],
      },
    ],
  };
  // A platform built the same way before, and found valid, is not checked again (parseCache.ts): its JSON text is all it holds.
  const issues = checkedOnce("platform", JSON.stringify(platform), () => checkPlatform(platform, "platformForProcs"));
  if (issues.length > 0) throw new RangeError(`platformForProcs: the built platform is invalid:\n${new InputError(issues).message}`);
  return platform;
}
