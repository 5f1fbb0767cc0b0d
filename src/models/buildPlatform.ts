/**
 * Turns a validated PlatformSpec into the runtime PlatformModel: power curves,
 * power states, embodied impacts per node-second, and each site's electricity
 * impact intensity (static zone factors, or a time-varying series aligned so
 * that simulation time 0 is `t0Epoch`).
 */
import { dirname, resolve } from "node:path";
import { AdjustmentLog, type Issue } from "../core/index.js";
import { TimeSeries, type Extension } from "../core/index.js";
import type { FactorVector } from "../core/index.js";
import { FileMemo, readSeriesCsv } from "../io/index.js";
import type { AcceleratorSpec, PlatformSpec, PowerStateSpec } from "../io/index.js";
import { DEFAULT_EMBODIED_RULE, embodiedClock, embodiedPerNodeSecond, type EmbodiedRule } from "./embodied.js";
import { intensityFromCarbonSeries, intensityFromMix, intensityStatic } from "./electricity.js";
import type { DeviceModel, EmbodiedPart, IntensityModel, LinkModel, PlatformModel, PoolModel, PowerStateModel } from "./platform.js";
import { BYTES_PER_GB, gbToBytes } from "../core/index.js";
import { powerCurveFromSpec } from "./power.js";
import { buildNodeTypes, nodeTypeProvenance, type NodeTypeProvenance } from "./nodeType.js";

export interface BuildOptions {
  /** Path of the platform file; series paths are relative to it. */
  readonly file: string;
  /** Per-zone electricity factors (readElectricityFactors). */
  readonly zones: ReadonlyMap<string, FactorVector>;
  /** Epoch seconds that simulation time 0 maps to. */
  readonly t0Epoch: number;
  readonly extension: Extension;
  /** Adjustments made while reading series are counted here. */
  readonly log: AdjustmentLog;
  /** How intervals of use are charged embodied impacts past the lifetime (default DEFAULT_EMBODIED_RULE). */
  readonly embodiedRule?: EmbodiedRule;
}

export interface BuiltPlatform {
  readonly model: PlatformModel;
  /** Data files read (series), for provenance. */
  readonly files: readonly string[];
  /** Per node type of the platform: embodied figures from parts or given, the power profile used, what was filled in. */
  readonly nodeTypes: Readonly<Record<string, NodeTypeProvenance>>;
}

function deviceModel(acc: AcceleratorSpec | undefined): DeviceModel | undefined {
  return (
    acc && {
      count: acc.count,
      curve: powerCurveFromSpec(acc.power),
      reconfigurationSeconds: acc.reconfiguration_s ?? 0,
      reconfigurationWatts: acc.reconfiguration_w ?? 0,
    }
  );
}

function stateModel(s: PowerStateSpec | undefined): PowerStateModel | undefined {
  return s && { watts: s.w, switchOnSeconds: s.switch_on_s, switchOnWatts: s.switch_on_w, switchOffSeconds: s.switch_off_s, switchOffWatts: s.switch_off_w };
}

type GridSeriesSpec = NonNullable<PlatformSpec["sites"][number]["grid"]["series"]>;

/**
 * Site intensities made from series files, with the adjustments their reading
 * made, kept while the files are unchanged. At most 8: a year of 15-min rows
 * holds about 5 MB once its sums are made, and a long-lived process (the
 * service, a study over many start dates) should not keep dozens.
 */
const intensities = new FileMemo<{ readonly intensity: IntensityModel; readonly adjustments: readonly Issue[] }>(8);

/**
 * A site's intensity from its grid series file. Kept for the process (io
 * FileMemo): a sweep's variants build the same series again and again, and
 * the series and its sums are read only. Its reading's adjustments are
 * counted again in `opts.log` at each build, as if the file were read again.
 */
async function seriesIntensity(path: string, series: GridSeriesSpec, zone: FactorVector, opts: BuildOptions): Promise<IntensityModel> {
  const key = JSON.stringify([path, series, zone.source, Array.from(zone.values), Array.from(zone.basis), opts.t0Epoch, opts.extension]);
  const stamps = intensities.stamps([path]);
  const kept = intensities.get(key, stamps);
  if (kept !== undefined) {
    for (const x of kept.adjustments) opts.log.record(x);
    return kept.intensity;
  }
  // Every adjustment kept (not only the first examples), to be counted again at the next build.
  const log = new AdjustmentLog(Infinity);
  const read = { timeColumn: series.time_column, timezone: series.timezone, gaps: "hold", log, label: series.file } as const;
  const raw = await readSeriesCsv(path, { ...read, valueColumns: series.kind === "carbon_intensity" ? [series.value_column] : Object.keys(series.sources) });
  for (const x of log.examples) opts.log.record(x);
  const intensity: IntensityModel =
    series.kind === "carbon_intensity"
      ? { ...intensityFromCarbonSeries(raw, series.value_column, zone, opts.t0Epoch, opts.extension), file: path }
      : { ...intensityFromMix(raw, series.sources, zone, opts.t0Epoch, opts.extension), file: path };
  intensities.set(key, stamps, { intensity, adjustments: log.examples });
  return intensity;
}

/**
 * @throws InputError on unreadable or invalid series; RangeError on an unknown zone
 */
export async function buildPlatform(spec: PlatformSpec, opts: BuildOptions): Promise<BuiltPlatform> {
  const files: string[] = [];
  const sites = [];
  for (const site of spec.sites) {
    const zone = opts.zones.get(site.grid.zone);
    if (!zone) throw new RangeError(`${opts.file}: site ${site.id}: unknown grid zone "${site.grid.zone}" (not in the electricity factor table)`);
    let intensity: IntensityModel;
    const series = site.grid.series;
    if (!series) intensity = intensityStatic(zone);
    else {
      const path = resolve(dirname(opts.file), series.file);
      files.push(path);
      intensity = await seriesIntensity(path, series, zone, opts);
    }
    let powerBudget: TimeSeries | undefined;
    if (site.power_budget_series) {
      const b = site.power_budget_series;
      const path = resolve(dirname(opts.file), b.file);
      files.push(path);
      const raw = await readSeriesCsv(path, { timeColumn: b.time_column, valueColumns: [b.value_column], timezone: b.timezone, gaps: "hold", log: opts.log, label: b.file });
      const starts = Array.from(raw.times, (t) => t - opts.t0Epoch);
      powerBudget = new TimeSeries(starts, raw.values, 1, starts[starts.length - 1] + raw.step, "hold");
    }
    sites.push({ id: site.id, pue: site.pue, powerBudgetW: site.power_budget_w, powerBudget, intensity });
  }
  // Node types from figures or from parts (component method, power profiles), built once each.
  const nodeTypes = await buildNodeTypes(spec, { file: opts.file });
  const pools: PoolModel[] = [];
  spec.sites.forEach((site, s) => {
    for (const group of site.nodes) {
      const type = spec.node_types[group.type];
      const built = nodeTypes.get(group.type)!;
      const embodied = { perPhase: Float64Array.from(built.embodied.perPhase), basis: Uint8Array.from(built.embodied.basis) };
      const gpus = deviceModel(type.gpus);
      const fpgas = deviceModel(type.fpgas);
      // Accelerators' embodied impacts add to the node's; each keeps its own basis.
      const parts: EmbodiedPart[] = [{ kind: "node", perNodeSecond: Float64Array.from(embodied.perPhase), basis: Uint8Array.from(embodied.basis) }];
      for (const [kind, acc] of [["gpu", type.gpus], ["fpga", type.fpgas]] as const) {
        if (!acc?.embodied) continue;
        const dev = embodiedPerNodeSecond({ ...type, embodied: acc.embodied }, spec.lca_references);
        const perNodeSecond = dev.perPhase.map((x) => acc.count * x);
        parts.push({ kind, perNodeSecond, basis: dev.basis });
        for (let i = 0; i < dev.perPhase.length; i++) {
          embodied.perPhase[i] += perNodeSecond[i];
          embodied.basis[i] = Math.max(embodied.basis[i], dev.basis[i]);
        }
      }
      const curve = built.curve;
      // Accelerators keep their own lifetime and, unless given, the node's age.
      const life = type.embodied.lifetime_years;
      const age = type.embodied.age_years ?? 0;
      const clock = embodiedClock(
        opts.embodiedRule ?? DEFAULT_EMBODIED_RULE,
        [life, type.gpus?.embodied?.lifetime_years ?? life, type.fpgas?.embodied?.lifetime_years ?? life],
        [age, type.gpus?.embodied?.age_years ?? age, type.fpgas?.embodied?.age_years ?? age],
      );
      pools.push({
        site: s,
        nodeType: group.type,
        coresPerNode: type.cores,
        ...(type.memory_gb !== undefined ? { memoryMb: type.memory_gb * 1024 } : {}),
        ...(group.sharing === "exclusive" ? { exclusive: true } : group.sharing === "shared_only" ? { sharedOnly: true } : {}),
        count: group.count,
        curve,
        speed: type.speed ?? 1,
        gpus,
        fpgas,
        dvfs: type.dvfs?.map((d) => ({ name: d.name, speed: d.speed, curve: powerCurveFromSpec(d.power) })),
        idleWatts: curve.idle + (gpus ? gpus.count * gpus.curve.idle : 0) + (fpgas ? fpgas.count * fpgas.curve.idle : 0),
        off: stateModel(type.power_states?.off),
        sleep: stateModel(type.power_states?.sleep),
        embodiedPerNodeSecond: embodied.perPhase,
        embodiedBasis: embodied.basis,
        embodiedParts: parts,
        embodiedClock: clock,
      });
    }
  });
  const siteIndex = new Map(spec.sites.map((s, i) => [s.id, i]));
  const links: LinkModel[] = [];
  for (const l of spec.links ?? []) {
    const a = siteIndex.get(l.from)!;
    const b = siteIndex.get(l.to)!;
    const bandwidth = gbToBytes(l.bandwidth_gb_per_s);
    const perByte = (j: number) => j / BYTES_PER_GB;
    // "source" is the sending end in either direction.
    const joulesPerByte = { source: perByte(l.energy_j_per_gb.source), destination: perByte(l.energy_j_per_gb.destination), network: perByte(l.energy_j_per_gb.network) };
    links.push({ from: a, to: b, bandwidth, latency: l.latency_s, joulesPerByte });
    links.push({ from: b, to: a, bandwidth, latency: l.latency_s, joulesPerByte });
  }
  spec.sites.forEach((site, s) => {
    for (const t of site.storage_tiers ?? []) {
      links.push({ from: s, to: s, bandwidth: gbToBytes(t.bandwidth_gb_per_s), latency: t.latency_s, joulesPerByte: { source: t.energy_j_per_gb / BYTES_PER_GB, destination: 0, network: 0 }, tier: t.tier });
    }
  });
  const provenance: Record<string, NodeTypeProvenance> = {};
  for (const [name, built] of nodeTypes) provenance[name] = nodeTypeProvenance(spec.node_types[name], built);
  return { model: { name: spec.name, epoch: opts.t0Epoch, sites, pools, links }, files, nodeTypes: provenance };
}
