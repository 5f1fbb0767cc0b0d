/** Hand-built platform models for golden tests (no files involved). */
import { N_COORDS, N_PHASES, PHASE_INDEX, categoryIndex } from "../../src/core/categories.js";
import { TimeSeries } from "../../src/core/timeseries.js";
import type { JobSpec } from "../../src/io/spec.js";
import { powerCurveLinear } from "../../src/models/power.js";
import type { DeviceModel, PlatformModel, PoolModel, PowerStateModel } from "../../src/models/platform.js";
import type { JobFact } from "../../src/sim/observer.js";

const CC = categoryIndex("CC");
const ENERGY = categoryIndex("ENERGY");

export interface TinyPoolOptions {
  nodes: number;
  cores: number;
  idle: number;
  max: number;
  /** kg CO2e of fabrication per node-second */
  fabricationCcPerNodeSecond?: number;
  off?: PowerStateModel;
  site?: number;
  speed?: number;
  gpus?: TinyDevice;
  fpgas?: TinyDevice;
  dvfs?: { name: string; speed: number; idle: number; max: number }[];
  /** How jobs hold the pool's nodes, as a platform node group says it (default "shared": cores are allocated, whole nodes only to exclusive jobs). */
  sharing?: "shared" | "exclusive" | "shared_only";
  /** Memory per node, MB (default: not modelled). */
  memoryMb?: number;
}

export interface TinyDevice {
  count: number;
  idle: number;
  max: number;
  reconfigurationSeconds?: number;
  reconfigurationWatts?: number;
}

function device(d: TinyDevice | undefined): DeviceModel | undefined {
  return d && { count: d.count, curve: powerCurveLinear({ idle: d.idle, max: d.max }), reconfigurationSeconds: d.reconfigurationSeconds ?? 0, reconfigurationWatts: d.reconfigurationWatts ?? 0 };
}

/** A site with constant climate-change intensity in kg CO2e per kWh. */
export function tinyPlatform(sites: { id: string; pue: number; kgPerKwh: number | TimeSeries }[], pools: TinyPoolOptions[]): PlatformModel {
  return {
    name: "tiny",
    sites: sites.map((s) => {
      let series: TimeSeries;
      if (typeof s.kgPerKwh === "number") {
        const v = new Float64Array(N_COORDS);
        v[CC] = s.kgPerKwh / 3.6e6;
        v[ENERGY] = 1;
        series = TimeSeries.constant(v);
      } else series = s.kgPerKwh;
      return { id: s.id, pue: s.pue, intensity: { series, basis: new Uint8Array(N_COORDS), source: "test" } };
    }),
    pools: pools.map((p): PoolModel => {
      const embodied = new Float64Array(N_PHASES * N_COORDS);
      embodied[PHASE_INDEX.fabrication * N_COORDS + CC] = p.fabricationCcPerNodeSecond ?? 0;
      return {
        site: p.site ?? 0,
        nodeType: "t",
        coresPerNode: p.cores,
        count: p.nodes,
        ...(p.sharing === "exclusive" ? { exclusive: true } : p.sharing === "shared_only" ? { sharedOnly: true } : {}),
        ...(p.memoryMb !== undefined ? { memoryMb: p.memoryMb } : {}),
        curve: powerCurveLinear({ idle: p.idle, max: p.max }),
        speed: p.speed ?? 1,
        gpus: device(p.gpus),
        fpgas: device(p.fpgas),
        dvfs: p.dvfs?.map((d) => ({ name: d.name, speed: d.speed, curve: powerCurveLinear({ idle: d.idle, max: d.max }) })),
        idleWatts: p.idle + (p.gpus ? p.gpus.count * p.gpus.idle : 0) + (p.fpgas ? p.fpgas.count * p.fpgas.idle : 0),
        off: p.off,
        embodiedPerNodeSecond: embodied,
        embodiedBasis: new Uint8Array(N_PHASES * N_COORDS),
      };
    }),
  };
}

/** A job with defaults for the fields a test does not care about. */
export function job(id: number, submit: number, runtime: number, walltime: number, cores: number, project = "p"): JobSpec {
  return { id, submit, runtime, walltime, cores, user: 1, group: 1, project, queue: -1, partition: -1, avgCpuTime: -1 };
}

/** A CC-only intensity series in kg/kWh with segment starts (s). */
export function ccSeries(starts: number[], kgPerKwh: number[], end: number): TimeSeries {
  const values = new Float64Array(starts.length * N_COORDS);
  kgPerKwh.forEach((v, k) => {
    values[k * N_COORDS + CC] = v / 3.6e6;
    values[k * N_COORDS + ENERGY] = 1;
  });
  return new TimeSeries(starts, values, N_COORDS, end, "error");
}

/**
 * A finished run of `spec` holding `nodes` whole nodes of pool 0 (site 0) over
 * [start, end], as the simulator reports it: no staging or setup, its first
 * start and run seconds as for a single run, unless `extra` says otherwise. The
 * fact carries no draw (the simulator reports a job's watts by jobShare calls);
 * `_watts` is kept so callers written before shared nodes still read the same.
 * Its allocation: the job's cores in blocks over the nodes (first cores % nodes
 * one more), exclusive, a node-share of `nodes`.
 */
export function jobFact(spec: JobSpec, nodes: number, _watts: number, start: number, end: number, extra: Partial<JobFact> = {}): JobFact {
  const allocation = Array.from({ length: nodes }, (_, i) => ({ node: i, cores: Math.floor(spec.cores / nodes) + (i < spec.cores % nodes ? 1 : 0), gpus: 0, fpgas: 0, memMb: 0 }));
  return {
    job: spec,
    pool: 0,
    site: 0,
    nodeCount: nodes,
    nodeShare: nodes,
    allocCores: spec.cores,
    allocGpus: 0,
    allocFpgas: 0,
    allocMemMb: 0,
    allocation,
    exclusive: true,
    device: "cpu",
    utilisation: 1,
    start,
    inputsAt: start,
    setupEnd: start,
    end,
    killed: false,
    final: true,
    firstStart: start,
    runSeconds: end - start,
    ...extra,
  };
}
