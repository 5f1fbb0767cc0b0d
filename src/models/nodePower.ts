/**
 * The draw of a node running a job: its CPU curve at the job's CPU utilisation
 * (in the chosen DVFS state), plus its accelerators: the devices the job uses
 * at their curve's value for the job's device utilisation, the others idle.
 * An idle node draws pool.idleWatts (CPU idle plus every device idle).
 */
import type { DeviceClass } from "../io/index.js";
import type { DeviceModel, PoolModel } from "./platform.js";

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
