/**
 * A node type's life-cycle assessment, for `impactsim lca`: its embodied
 * impacts per category and phase (with ranges when given by its parts), its
 * power profile, and its impacts per hour of use on a chosen grid zone at a
 * chosen load, with the basis of every figure. The node type is built exactly
 * as a run builds it (models/nodeType.ts), so the two agree.
 */
import { resolve } from "node:path";
import { InputError, INDICATORS, JOULES_PER_KWH, N_COORDS, PHASE_INDEX, PHASES, yearsToSeconds, type Issue } from "../core/index.js";
import { singleScore, type ScoreMethod } from "../core/index.js";
import {
  DEFAULT_SCORE_METHOD_PATH,
  loadNodeType,
  loadPlatform,
  readElectricityFactors,
  readScoreMethod,
  shippedPath,
  type AcceleratorSpec,
  type NodeTypeSpec,
  type PlatformSpec,
  type ScoreMethodVersion,
} from "../io/index.js";
import { buildNodeType, componentData, embodiedPerNodeSecond, needsComponentData, nodeTypeProvenance, powerCurveFromSpec, type BuiltNodeType, type Ranged } from "../models/index.js";
import { ELECTRICITY_FACTORS } from "./world.js";

/** The platform whose LCA references (e.g. ademe-generic-server) a node-type file's proxy names by default. */
export const DEFAULT_LCA_PLATFORM = shippedPath("platforms/two-site-eu.json");
/** BoaviztaAPI's default location (config default_location): the European mix. */
export const DEFAULT_LCA_ZONE = "EEE";
/** BoaviztaAPI's archetype workload (USAGE.time_workload 50 %). */
export const DEFAULT_LCA_LOAD_PERCENT = 50;

export interface LcaOptions {
  /** A platform file; with `nodeType`, the node type is read from it. Default: the shipped two-site-eu.json. */
  readonly platform?: string;
  /** The node type's name in the platform. */
  readonly nodeType?: string;
  /** A node-type file (as platforms/nodes/*.json); its proxy references come from the platform. */
  readonly nodeFile?: string;
  /** Grid zone of the per-kWh factors (ISO3, WOR, EEE). Default: the zone of the first site hosting the node type, else EEE. */
  readonly zone?: string;
  /** PUE applied to the hour of use. Default: that site's, else 1 (IT only). */
  readonly pue?: number;
  /** CPU load, % (0..100). Default 50. */
  readonly loadPercent?: number;
  /** EF version of the single score. Default 3.1. */
  readonly method?: ScoreMethodVersion;
}

/** A figure with its low and high ends and its basis. */
export interface LcaFigure extends Ranged {
  readonly basis: "data" | "proxy" | "missing";
}

/** One indicator of the report. */
export interface LcaIndicator {
  readonly id: string;
  readonly name: string;
  readonly unit: string;
  /** Whole-life embodied impacts per node, by phase (no use phase), and in all. */
  readonly embodied: { readonly fabrication: LcaFigure; readonly transport: LcaFigure; readonly endOfLife: LcaFigure; readonly total: Ranged };
  /** Per hour of use: electricity at the load, embodied amortised over the lifetime, and both. */
  readonly per_hour: { readonly use: LcaFigure; readonly embodied: number; readonly total: number };
}

export interface LcaReport {
  readonly node_type: string;
  readonly file: string;
  readonly given_by: "parts" | "figures";
  readonly description?: string;
  readonly lifetime_years: number;
  readonly lifetime_source: string;
  readonly embodied_source: string;
  /** Values an archetype or a table filled in (parts only). */
  readonly filled_in: readonly string[];
  /** Parts with their attributes (parts only). */
  readonly parts: readonly { readonly part: string; readonly attributes: Readonly<Record<string, unknown>> }[];
  readonly power: {
    readonly profile: "measured" | "boavizta" | "green_algorithms";
    readonly describe: string;
    readonly source: string;
    /** Node draw (CPU side, without accelerators) at 0, 10, ..., 100 % load, W. */
    readonly curve_w: readonly (readonly [number, number])[];
    /** At the chosen load: by part (profiles only) and in all, W, with the accelerators at the same load. */
    readonly at_load: { readonly load_percent: number; readonly node_w: Ranged; readonly gpus_w: number; readonly fpgas_w: number; readonly total_w: number; readonly breakdown?: Readonly<Record<string, Ranged | number>> };
  };
  readonly use: { readonly zone: string; readonly zone_source: string; readonly pue: number; readonly pue_source: string; readonly load_percent: number; readonly energy_kwh_per_hour: number };
  readonly indicators: readonly LcaIndicator[];
  readonly single_score_pt_per_hour: { readonly use: number; readonly embodied: number; readonly total: number; readonly method: string };
  /** Per indicator, in words: where the embodied and the use figures rest on proxies or are missing. */
  readonly coverage: { readonly proxy: readonly string[]; readonly missing: readonly string[] };
}

const BASIS_NAME = ["data", "proxy", "missing"] as const;

function usage(message: string, value?: unknown, file = "impactsim lca"): InputError {
  return new InputError([{ code: "invalid_value", file, message, ...(value !== undefined ? { value } : {}) }]);
}

/** The node type, its name and file, the platform's references and the site that hosts it (if any). */
async function nodeTypeOf(o: LcaOptions): Promise<{ name: string; file: string; type: NodeTypeSpec; references: PlatformSpec["lca_references"]; site?: PlatformSpec["sites"][number] }> {
  const platformFile = resolve(o.platform ?? DEFAULT_LCA_PLATFORM);
  const platform = await loadPlatform(platformFile);
  if (o.nodeFile !== undefined) {
    if (o.nodeType !== undefined) throw usage("expected a node-type file or --node-type, got both", o.nodeType);
    const file = resolve(o.nodeFile);
    return { name: o.nodeFile, file, type: await loadNodeType(file, platform.lca_references), references: platform.lca_references };
  }
  const names = Object.keys(platform.node_types);
  if (o.nodeType === undefined) throw usage(`expected a node-type file or --node-type (one of ${names.join(", ")} in ${o.platform ?? "platforms/two-site-eu.json"}), got neither`);
  const type = platform.node_types[o.nodeType];
  if (!type) {
    throw new InputError([{ code: "unknown_reference", file: o.platform ?? DEFAULT_LCA_PLATFORM, path: "node_types", message: `expected a node type of the platform (${names.join(", ")}), got ${JSON.stringify(o.nodeType)}`, value: o.nodeType }]);
  }
  const site = platform.sites.find((s) => s.nodes.some((g) => g.type === o.nodeType));
  return { name: o.nodeType, file: platformFile, type, references: platform.lca_references, ...(site ? { site } : {}) };
}

/** An accelerator's whole-life embodied impacts per device (N_PHASES * N_COORDS) and basis. */
function acceleratorEmbodied(type: NodeTypeSpec, acc: AcceleratorSpec, references: PlatformSpec["lca_references"]): { perSecond: Float64Array; basis: Uint8Array } | undefined {
  if (!acc.embodied) return undefined;
  const e = embodiedPerNodeSecond({ ...type, embodied: acc.embodied }, references);
  return { perSecond: e.perPhase.map((x) => acc.count * x), basis: e.basis };
}

/**
 * The LCA of one node type.
 * @throws InputError on bad options (naming them), unreadable or invalid files, unknown models in parts
 */
export async function nodeLca(o: LcaOptions = {}): Promise<LcaReport> {
  const issues: Issue[] = [];
  const load = o.loadPercent ?? DEFAULT_LCA_LOAD_PERCENT;
  if (!(Number.isFinite(load) && load >= 0 && load <= 100)) issues.push({ code: "invalid_value", file: "--load", message: `expected a CPU load in percent from 0 to 100, got ${load}`, value: load });
  if (o.pue !== undefined && !(Number.isFinite(o.pue) && o.pue >= 1 && o.pue <= 5)) issues.push({ code: "invalid_value", file: "--pue", message: `expected a PUE from 1 to 5, got ${o.pue}`, value: o.pue });
  if (o.zone !== undefined && !/^[A-Z]{3}$/.test(o.zone)) issues.push({ code: "invalid_value", file: "--zone", message: `expected a 3-letter zone code (ISO 3166-1 alpha-3, WOR or EEE), got ${JSON.stringify(o.zone)}`, value: o.zone });
  if (issues.length > 0) throw new InputError(issues);

  const { name, file, type, references, site } = await nodeTypeOf(o);
  const data = needsComponentData(type) ? await componentData() : undefined;
  const built: BuiltNodeType = buildNodeType(type, references, data, { file, path: o.nodeFile !== undefined ? "" : `node_types[${JSON.stringify(name)}]` });

  const zones = await readElectricityFactors(ELECTRICITY_FACTORS);
  const zoneId = o.zone ?? site?.grid.zone ?? DEFAULT_LCA_ZONE;
  const zone = zones.get(zoneId);
  if (!zone) throw new InputError([{ code: "unknown_reference", file: "--zone", message: `expected a zone of the electricity factor table (${zones.size} zones, e.g. FRA, DEU, EEE, WOR), got ${JSON.stringify(zoneId)}`, value: zoneId }]);
  const zoneSource = o.zone !== undefined ? "given" : site ? `site ${site.id}` : "BoaviztaAPI's default location (Europe)";
  const pue = o.pue ?? site?.pue ?? 1;
  const pueSource = o.pue !== undefined ? "given" : site ? `site ${site.id}: ${site.pue_source}` : "none given: IT energy only";
  const method: ScoreMethod = await readScoreMethod(DEFAULT_SCORE_METHOD_PATH, { version: o.method ?? "3.1" });

  // Power at the load: the node (CPU side) and its accelerators at the same utilisation.
  const u = load / 100;
  const gpuCurve = type.gpus ? powerCurveFromSpec(type.gpus.power) : undefined;
  const fpgaCurve = type.fpgas ? powerCurveFromSpec(type.fpgas.power) : undefined;
  const gpusW = gpuCurve ? type.gpus!.count * gpuCurve(u) : 0;
  const fpgasW = fpgaCurve ? type.fpgas!.count * fpgaCurve(u) : 0;
  const bd = built.profile?.breakdown(load);
  const nodeW: Ranged = bd ? bd.total : { value: built.curve(u), min: built.curve(u), max: built.curve(u) };
  const totalW = nodeW.value + gpusW + fpgasW;
  const kwh = (totalW * pue * 3600) / JOULES_PER_KWH;

  // Embodied: the node's (with ranges when from parts), plus its accelerators' own embodied figures.
  const lifetime = yearsToSeconds(type.embodied.lifetime_years);
  const perSecond = Float64Array.from(built.embodied.perPhase);
  const basis = Uint8Array.from(built.embodied.basis);
  // Whole-life totals: the node's over its lifetime, each accelerator's over its own.
  const tot = built.totals ? Float64Array.from(built.totals.totals) : perSecond.map((x) => x * lifetime);
  const low = built.totals ? Float64Array.from(built.totals.low) : Float64Array.from(tot);
  const high = built.totals ? Float64Array.from(built.totals.high) : Float64Array.from(tot);
  for (const acc of [type.gpus, type.fpgas]) {
    if (!acc) continue;
    const e = acceleratorEmbodied(type, acc, references);
    if (!e) continue;
    const accLife = yearsToSeconds(acc.embodied!.lifetime_years);
    for (let i = 0; i < perSecond.length; i++) {
      perSecond[i] += e.perSecond[i];
      tot[i] += e.perSecond[i] * accLife;
      low[i] += e.perSecond[i] * accLife;
      high[i] += e.perSecond[i] * accLife;
      basis[i] = Math.max(basis[i], e.basis[i]);
    }
  }

  const useVector = new Float64Array(N_COORDS);
  const embodiedHour = new Float64Array(N_COORDS);
  const indicators: LcaIndicator[] = [];
  const proxy: string[] = [];
  const missing: string[] = [];
  for (const ind of INDICATORS) {
    const c = ind.index;
    const phase = (ph: "fabrication" | "transport" | "endOfLife"): LcaFigure => {
      const k = PHASE_INDEX[ph] * N_COORDS + c;
      return { value: tot[k], min: low[k], max: high[k], basis: BASIS_NAME[basis[k]] };
    };
    const fabrication = phase("fabrication");
    const transport = phase("transport");
    const endOfLife = phase("endOfLife");
    const total = { value: fabrication.value + transport.value + endOfLife.value, min: fabrication.min + transport.min + endOfLife.min, max: fabrication.max + transport.max + endOfLife.max };
    let hourEmbodied = 0;
    for (const ph of PHASES) if (ph !== "use") hourEmbodied += perSecond[PHASE_INDEX[ph] * N_COORDS + c] * 3600;
    const useValue = zone.values[c] * totalW * pue * 3600;
    const useBasis = BASIS_NAME[zone.basis[c]];
    const useFigure: LcaFigure = { value: useValue, min: zone.values[c] * (nodeW.min + gpusW + fpgasW) * pue * 3600, max: zone.values[c] * (nodeW.max + gpusW + fpgasW) * pue * 3600, basis: useBasis };
    useVector[c] = useValue;
    embodiedHour[c] = hourEmbodied;
    indicators.push({ id: ind.id, name: ind.name, unit: ind.unit, embodied: { fabrication, transport, endOfLife, total }, per_hour: { use: useFigure, embodied: hourEmbodied, total: useValue + hourEmbodied } });
    const phases = [["fabrication", fabrication], ["transport", transport], ["end of life", endOfLife]] as const;
    // Where a basis occurs: the embodied phases with it, then "use".
    const where = (b: string) => [...phases.filter(([, f]) => f.basis === b).map(([n]) => n), ...(useBasis === b ? ["use"] : [])].join(", ");
    if (where("proxy")) proxy.push(`${ind.id} (${where("proxy")})`);
    if (where("missing")) missing.push(`${ind.id} (${where("missing")})`);
  }
  const scoreUse = singleScore(useVector, method);
  const scoreEmbodied = singleScore(embodiedHour, method);

  const curvePoints = Array.from({ length: 11 }, (_, k) => [k / 10, built.curve(k / 10)] as const);
  const prov = nodeTypeProvenance(type, built);
  const breakdown = bd && { cpu_w: bd.cpu, ram_w: bd.ram, storage_w: bd.storage, other_w: bd.other };
  return {
    node_type: name,
    file,
    given_by: prov.embodied_from,
    ...(type.description ? { description: type.description } : {}),
    lifetime_years: type.embodied.lifetime_years,
    lifetime_source: type.embodied.lifetime_source,
    embodied_source: built.embodied.source,
    filled_in: prov.filled_in,
    parts: built.parts?.parts.map((p) => ({ part: p.part, attributes: p.attributes })) ?? [],
    power: {
      profile: prov.power_profile,
      describe: prov.power,
      source: prov.power_source,
      curve_w: curvePoints,
      at_load: { load_percent: load, node_w: nodeW, gpus_w: gpusW, fpgas_w: fpgasW, total_w: totalW, ...(breakdown ? { breakdown } : {}) },
    },
    use: { zone: zoneId, zone_source: zoneSource, pue, pue_source: pueSource, load_percent: load, energy_kwh_per_hour: kwh },
    indicators,
    single_score_pt_per_hour: { use: scoreUse, embodied: scoreEmbodied, total: scoreUse + scoreEmbodied, method: method.name },
    coverage: { proxy, missing },
  };
}

/** The LCA report as text tables. */
export function formatLca(r: LcaReport): string {
  const g = (x: number) => (x === 0 ? "0" : !Number.isFinite(x) ? "n/a" : Math.abs(x) >= 1e5 || Math.abs(x) < 1e-3 ? x.toExponential(3) : x.toPrecision(4));
  const range = (f: Ranged) => (f.min === f.value && f.max === f.value ? g(f.value) : `${g(f.value)} [${g(f.min)}..${g(f.max)}]`);
  const mark = (f: LcaFigure) => (f.basis === "data" ? "" : f.basis === "proxy" ? " p" : " m");
  const table = (head: string[], rows: string[][]) => {
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ").trimEnd();
    return [line(head), ...rows.map(line)].join("\n") + "\n";
  };
  let out = `node type ${r.node_type} (${r.file}), given by ${r.given_by}; lifetime ${r.lifetime_years} years (${r.lifetime_source})\n`;
  if (r.description) out += `${r.description}\n`;
  out += `\nEmbodied impacts per node, whole life (p = proxy, m = missing: counted as 0; [low..high] from the parts' ranges)\n`;
  out += table(
    ["id", "unit", "fabrication", "transport", "end of life", "total"],
    r.indicators.map((i) => [i.id, i.unit, g(i.embodied.fabrication.value) + mark(i.embodied.fabrication), g(i.embodied.transport.value) + mark(i.embodied.transport), g(i.embodied.endOfLife.value) + mark(i.embodied.endOfLife), range(i.embodied.total)]),
  );
  const p = r.power;
  out += `\nPower (${p.profile === "measured" ? "measured curve" : "no measured curve: a profile from the parts"}): ${p.describe}\n`;
  out += table(["load %", "", ...p.curve_w.map(([u]) => String(Math.round(u * 100)))], [["node W", "", ...p.curve_w.map(([, w]) => g(w))]]);
  const a = p.at_load;
  const parts: string[] = [];
  if (a.breakdown) for (const [k, v] of Object.entries(a.breakdown)) parts.push(`${k.replace(/_w$/, "")} ${typeof v === "number" ? g(v) : range(v)} W`);
  if (a.gpus_w) parts.push(`GPUs ${g(a.gpus_w)} W`);
  if (a.fpgas_w) parts.push(`FPGAs ${g(a.fpgas_w)} W`);
  out += `at ${a.load_percent} %: ${range(a.node_w)} W${parts.length ? ` (${parts.join(", ")})` : ""}, ${g(a.total_w)} W in all\n`;
  const u = r.use;
  out += `\nPer hour of use at ${u.load_percent} % load on zone ${u.zone} (${u.zone_source}), PUE ${u.pue} (${u.pue_source}): ${g(u.energy_kwh_per_hour)} kWh\n`;
  out += table(
    ["id", "unit", "use", "embodied", "total"],
    r.indicators.map((i) => [i.id, i.unit, g(i.per_hour.use.value) + mark(i.per_hour.use), g(i.per_hour.embodied), g(i.per_hour.total)]),
  );
  const s = r.single_score_pt_per_hour;
  out += `single score (${s.method}, 16 categories; PE not weighted): use ${g(1000 * s.use)} mPt + embodied ${g(1000 * s.embodied)} mPt = ${g(1000 * s.total)} mPt per hour\n`;
  if (r.coverage.proxy.length) out += `\nresting on proxies: ${r.coverage.proxy.join(", ")}\n`;
  if (r.coverage.missing.length) out += `missing (counted as 0, totals are lower bounds): ${r.coverage.missing.join(", ")}\n`;
  if (r.filled_in.length) out += `\nfilled in by the method (archetype or table):\n${r.filled_in.map((x) => `  ${x}`).join("\n")}\n`;
  out += `\nembodied source: ${r.embodied_source}\npower source: ${p.source}\n`;
  return out;
}

