/**
 * The draw of a node running a job: its CPU curve at the job's CPU utilisation
 * (in the chosen DVFS state), plus its accelerators: the devices the job uses
 * at their curve's value for the job's device utilisation, the others idle.
 * An idle node draws pool.idleWatts (CPU idle plus every device idle).
 */
import type { DeviceClass } from "../io/index.js";
import type { DeviceModel, PoolModel } from "./platform.js";
import type { PowerCurve } from "./power.js";

function devices(model: DeviceModel | undefined, used: number, utilisation: number): number {
  if (!model) return 0;
  const busy = Math.min(used, model.count);
  return busy * model.curve(utilisation) + (model.count - busy) * model.curve.idle;
}

/**
 * Watts of one node of `pool` running a job on `device`.
 * @param cpuUtilisation busy cores / cores of the node, in (0, 1]
 * @param devicesPerNode GPUs or FPGAs of the node the job uses (0 for CPU jobs)
 * @param deviceUtilisation utilisation of each used device, in (0, 1] (1 when unknown)
 * @param pstate DVFS state index, or undefined for the default state
 */
export function busyNodeWatts(pool: PoolModel, device: DeviceClass, cpuUtilisation: number, devicesPerNode: number, deviceUtilisation = 1, pstate?: number): number {
  if (pstate !== undefined && !(Number.isInteger(pstate) && pstate >= 0 && pstate < (pool.dvfs?.length ?? 0))) {
    throw new RangeError(`busyNodeWatts: expected a DVFS state index in [0, ${pool.dvfs?.length ?? 0}), got ${pstate}`);
  }
  const curve = pstate === undefined ? pool.curve : pool.dvfs![pstate].curve;
  return (
    curve(cpuUtilisation) +
    devices(pool.gpus, device === "gpu" ? devicesPerNode : 0, deviceUtilisation) +
    devices(pool.fpgas, device === "fpga" ? devicesPerNode : 0, deviceUtilisation)
  );
}

/** Device classes a pool offers: always CPUs, then GPUs and FPGAs where present. */
export function poolDevices(pool: PoolModel): DeviceClass[] {
  const out: DeviceClass[] = ["cpu"];
  if (pool.gpus) out.push("gpu");
  if (pool.fpgas) out.push("fpga");
  return out;
}

/**
 * Watts of one node from what its jobs keep busy: its CPU curve (in DVFS
 * state `pstate`, -1 for the default) at utilisation `u`, its GPUs and FPGAs
 * busy at full draw or idle, and FPGAs reconfiguring at idle plus their
 * reconfiguration draw. Busy counts may be fractions (a whole-node job's
 * devices spread over its nodes); they are capped at the node's devices.
 */
export function nodeDraw(pool: PoolModel, u: number, busyGpus: number, busyFpgas: number, reconfFpgas: number, pstate = -1): number {
  return nodeDrawWith(pool, cpuCurve(pool, pstate)(u), busyGpus, busyFpgas, reconfFpgas);
}

/** The CPU curve of a pool in DVFS state `pstate` (-1 for the default). */
export function cpuCurve(pool: PoolModel, pstate: number): PowerCurve {
  return pstate < 0 ? pool.curve : pool.dvfs![pstate].curve;
}

/** nodeDraw with its CPU's draw already read off the curve (`cpuWatts`): the same additions, so the same bits. */
export function nodeDrawWith(pool: PoolModel, cpuWatts: number, busyGpus: number, busyFpgas: number, reconfFpgas: number): number {
  let w = cpuWatts;
  if (pool.gpus) {
    const busy = Math.min(busyGpus, pool.gpus.count);
    w += busy * pool.gpus.curve(1) + (pool.gpus.count - busy) * pool.gpus.curve.idle;
  }
  if (pool.fpgas) {
    const f = pool.fpgas;
    const busy = Math.min(busyFpgas, f.count);
    w += busy * f.curve(1) + (f.count - busy) * f.curve.idle + reconfFpgas * f.reconfigurationWatts;
  }
  return w;
}

/** How a shared node's static CPU power is split (DESIGN.md, "Attribution"): by allocated cores out of the node's, the rest to overhead (default); or among the node's jobs by allocated cores (to overhead while its jobs hold devices but no core). */
export type StaticRule = "allocated" | "jobs";

/** One job's hold on a node, for the split of the node's draw: allocated and busy cores and devices (busy counts may be fractions). */
export interface ShareLoad {
  readonly cores: number;
  readonly busyCores: number;
  readonly gpus: number;
  readonly busyGpus: number;
  readonly fpgas: number;
  readonly busyFpgas: number;
  readonly reconfFpgas: number;
}

/**
 * The part of a shared node's draw charged to one of its jobs, W: dynamic CPU
 * power, curve(u) - curve(0) at the node's u, by the job's busy cores out of
 * the node's; static CPU power, curve(0), by `rule`; each device it holds at
 * its draw (busy, idle, reconfiguring). The simulator splits every shared node
 * with it; planners price a job alone on its nodes with it.
 * @param nodeBusyCores busy cores of all the node's jobs
 * @param nodeAllocCores allocated cores of all the node's jobs (read by the "jobs" rule)
 */
export function shareDraw(pool: PoolModel, pstate: number, nodeBusyCores: number, nodeAllocCores: number, t: ShareLoad, rule: StaticRule = "allocated"): number {
  const curve = cpuCurve(pool, pstate);
  const idle = curve(0);
  return shareDrawWith(pool, idle, nodeBusyCores > 0 ? curve(Math.min(1, nodeBusyCores / pool.coresPerNode)) : idle, nodeBusyCores, nodeAllocCores, t, rule);
}

/**
 * shareDraw with the CPU's idle draw, curve(0), and its draw at the node's
 * utilisation, curve(min(1, nodeBusyCores / cores)), already read off the
 * curve (once per change of the node, not once per job and settlement): the
 * same arithmetic, so the same bits.
 */
export function shareDrawWith(pool: PoolModel, idle: number, cpuWatts: number, nodeBusyCores: number, nodeAllocCores: number, t: ShareLoad, rule: StaticRule): number {
  const K = pool.coresPerNode;
  let w = nodeBusyCores > 0 ? ((cpuWatts - idle) * t.busyCores) / nodeBusyCores : 0;
  w += rule === "allocated" ? (idle * t.cores) / K : nodeAllocCores > 0 ? (idle * t.cores) / nodeAllocCores : 0;
  if (pool.gpus) w += t.busyGpus * pool.gpus.curve(1) + (t.gpus - t.busyGpus) * pool.gpus.curve.idle;
  if (pool.fpgas) w += t.busyFpgas * pool.fpgas.curve(1) + (t.fpgas - t.busyFpgas) * pool.fpgas.curve.idle + t.reconfFpgas * pool.fpgas.reconfigurationWatts;
  return w;
}
