/**
 * What a job needs from a pool and how long it runs there: shared by every
 * policy and by the worlds that apply decisions, so both count the same way.
 * Whole nodes, exclusively: a job needs enough nodes for its cores and, on an
 * accelerator, for its devices.
 */
import type { DeviceClass } from "../io/index.js";
import type { PoolView, QueuedJobView } from "./view.js";

/** Device classes a pool offers: CPUs, then GPUs and FPGAs where present. */
export function poolDeviceClasses(pool: PoolView): DeviceClass[] {
  const out: DeviceClass[] = ["cpu"];
  if (pool.gpusPerNode > 0) out.push("gpu");
  if (pool.fpgasPerNode > 0) out.push("fpga");
  return out;
}

/** Devices of `device` class the job asks for (at least one on an accelerator). */
export function devicesRequested(job: Pick<QueuedJobView, "gpus" | "fpgas">, device: DeviceClass): number {
  return device === "gpu" ? Math.max(1, job.gpus ?? 1) : device === "fpga" ? Math.max(1, job.fpgas ?? 1) : 0;
}

/** Whole nodes of `pool` the job needs on `device` (Infinity when the pool lacks that device). */
export function nodesNeeded(job: QueuedJobView, pool: PoolView, device: DeviceClass = "cpu"): number {
  const cpuNodes = Math.ceil(job.cores / pool.coresPerNode);
  if (device === "cpu") return cpuNodes;
  const perNode = device === "gpu" ? pool.gpusPerNode : pool.fpgasPerNode;
  if (perNode === 0) return Infinity;
  return Math.max(cpuNodes, Math.ceil(devicesRequested(job, device) / perNode));
}

/**
 * What a scheduler can expect the run time to be on `pool`/`device`: the job's
 * runtime model for that class (CPU times scaled by the pool's speed and DVFS
 * state), or the wall time it has left (timeLeft) for a plain batch job on CPUs; undefined
 * where no model exists (the job cannot run there).
 */
export function expectedRuntime(job: QueuedJobView, pool: PoolView, device: DeviceClass = "cpu", pstate?: number): number | undefined {
  const model = job.runtimes?.[device];
  if (model === undefined) return device === "cpu" && job.runtimes === undefined ? job.timeLeft : undefined;
  if (device !== "cpu") return model;
  if (pstate !== undefined && !(Number.isInteger(pstate) && pstate >= 0 && pstate < pool.dvfsSpeeds.length)) {
    throw new RangeError(`expectedRuntime: expected a DVFS state index in [0, ${pool.dvfsSpeeds.length}), got ${pstate}`);
  }
  const speed = pool.speed * (pstate === undefined ? 1 : pool.dvfsSpeeds[pstate]);
  return model / speed;
}

/**
 * The run time a planner prices a placement at: the expected run time
 * (expectedRuntime) cut at the wall time the job has left (timeLeft: its
 * walltime less what it already ran), since the world kills a job there and
 * charges it no longer. Every planner site that prices time, energy or impacts
 * uses this, so that they agree with each other and with the simulator;
 * undefined where the job cannot run.
 */
export function pricedRuntime(job: QueuedJobView, pool: PoolView, device: DeviceClass = "cpu", pstate?: number): number | undefined {
  const expected = expectedRuntime(job, pool, device, pstate);
  return expected === undefined ? undefined : cutAtTimeLeft(job, expected);
}

/** A run time of the job cut at the wall time it has left (the rule of pricedRuntime, for run times scaled to a range's ends). */
export function cutAtTimeLeft(job: QueuedJobView, seconds: number): number {
  return Math.min(seconds, job.timeLeft);
}

/**
 * Draw of each of `nodes` nodes of `pool` running the job on `device`, W, as
 * the world sets it when it starts the job: the cores spread evenly over the
 * nodes (utilisation = cores / (nodes x cores per node), at most 1) and the
 * devices too.
 */
export function placementWatts(job: QueuedJobView, pool: PoolView, device: DeviceClass, nodes: number, pstate?: number): number {
  return pool.busyWatts(device, Math.min(1, job.cores / (nodes * pool.coresPerNode)), devicesRequested(job, device) / nodes, pstate);
}

/** True when the job has a runtime model for `device` and the pool offers it. */
export function canRunOn(job: QueuedJobView, pool: PoolView, device: DeviceClass): boolean {
  return nodesNeeded(job, pool, device) <= pool.nodes && expectedRuntime(job, pool, device) !== undefined;
}

/** The device a job runs on in a pool when a decision names none: CPUs if possible, else the first accelerator that fits. */
export function defaultDevice(job: QueuedJobView, pool: PoolView): DeviceClass | undefined {
  for (const d of poolDeviceClasses(pool)) if (canRunOn(job, pool, d)) return d;
  return undefined;
}
