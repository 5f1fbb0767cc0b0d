/**
 * What a job needs from a pool, how long it runs there and what it is charged
 * for it: shared by every policy and by the worlds that apply decisions, so
 * they count the same way. A job holding whole nodes needs enough nodes for its
 * cores and, on an accelerator, for its devices; a job that shares nodes needs
 * its cores and devices (planner/placement.ts says where they go).
 */
import type { DeviceClass } from "../io/index.js";
import { chargedParts, embodiedRate, embodiedSeconds } from "../models/index.js";
import type { PoolView, QueuedJobView } from "./view.js";

/** True when the job holds whole nodes in this pool: it asks to (exclusive), or the pool is an exclusive partition. */
export function holdsWholeNodes(job: Pick<QueuedJobView, "exclusive">, pool: Pick<PoolView, "exclusive">): boolean {
  return job.exclusive === true || pool.exclusive === true;
}

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

/** Cores of one node of `pool` the job can use, as its memory allows (0 where it asks more memory per node than a node has). */
function usableCores(job: QueuedJobView, pool: PoolView): number {
  const mem = pool.memoryMb;
  if (mem === undefined) return pool.coresPerNode;
  if (job.memPerNodeMb !== undefined) return job.memPerNodeMb <= mem ? pool.coresPerNode : 0;
  const m = job.memPerCoreMb;
  return m !== undefined && m > 0 ? Math.min(pool.coresPerNode, Math.floor(mem / m)) : pool.coresPerNode;
}

/** Least nodes of `pool` the job needs on `device`: for its cores (as many per node as its memory allows) and its devices; Infinity when the pool lacks the device or the memory. */
export function nodesNeeded(job: QueuedJobView, pool: PoolView, device: DeviceClass = "cpu"): number {
  const usable = usableCores(job, pool);
  if (usable === 0) return Infinity;
  const cpuNodes = Math.ceil(job.cores / usable);
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
 * The share of its cores' time a job keeps busy: its recorded CPU usage
 * (JobSpec.cpuUsage) capped at 1 (traces hold values above it), 1 when
 * unknown. The worlds draw its cores at this load, and planners price them so.
 */
export function cpuLoad(job: Pick<QueuedJobView, "cpuUsage">): number {
  const u = job.cpuUsage;
  return u === undefined ? 1 : Math.min(1, Math.max(0, u));
}

/**
 * Draw of each of `nodes` nodes of `pool` running the job on `device`, W, as
 * the world sets it when it starts the job: the cores spread evenly over the
 * nodes (utilisation = cores / (nodes x cores per node), at most 1, times its
 * CPU load) and the devices too.
 */
export function placementWatts(job: QueuedJobView, pool: PoolView, device: DeviceClass, nodes: number, pstate?: number): number {
  return pool.busyWatts(device, Math.min(1, job.cores / (nodes * pool.coresPerNode)) * cpuLoad(job), devicesRequested(job, device) / nodes, pstate);
}

/**
 * True when the pool can ever hold the job on `device`: enough nodes (exactly
 * its count, where it asks one) for its cores, devices and memory, and whole
 * nodes only where it asks them and the pool allows.
 */
export function poolCanHold(job: QueuedJobView, pool: PoolView, device: DeviceClass): boolean {
  if (job.exclusive === true && pool.sharedOnly) return false;
  const least = nodesNeeded(job, pool, device);
  const k = job.exactNodes;
  return k === undefined ? least <= pool.nodes : least <= k && k <= pool.nodes;
}

/** What keeps a pool from ever holding a job, by the request's part at fault. */
export type HoldFailure = "too_many_processors" | "too_many_devices" | "too_much_memory" | "exclusive_not_allowed";

/** Why the pool can never hold the job on `device` (poolCanHold false): the part at fault and a phrase for a message; undefined when it can. */
export function cannotHold(job: QueuedJobView, pool: PoolView, device: DeviceClass): { readonly code: HoldFailure; readonly why: string } | undefined {
  if (poolCanHold(job, pool, device)) return undefined;
  if (job.exclusive === true && pool.sharedOnly) return { code: "exclusive_not_allowed", why: "it asks for whole nodes and the pool's nodes are shared only" };
  const name = device === "gpu" ? "GPUs" : "FPGAs";
  const perNode = device === "gpu" ? pool.gpusPerNode : device === "fpga" ? pool.fpgasPerNode : 1;
  if (perNode === 0) return { code: "too_many_devices", why: `the pool's nodes have no ${name}` };
  const mem = pool.memoryMb;
  if (mem !== undefined && job.memPerNodeMb !== undefined && job.memPerNodeMb > mem) return { code: "too_much_memory", why: `${job.memPerNodeMb} MB per node asked, its nodes have ${mem} MB` };
  if (mem !== undefined && job.memPerCoreMb !== undefined && job.memPerCoreMb > mem) return { code: "too_much_memory", why: `${job.memPerCoreMb} MB per core asked, its nodes have ${mem} MB` };
  const least = nodesNeeded(job, pool, device);
  const cpuOnly = nodesNeeded(job, pool, "cpu");
  const code: HoldFailure = least > cpuOnly ? "too_many_devices" : job.memPerCoreMb !== undefined && cpuOnly > Math.ceil(job.cores / pool.coresPerNode) ? "too_much_memory" : "too_many_processors";
  const what = `${job.cores} cores${device === "cpu" ? "" : ` and ${devicesRequested(job, device)} ${name}`}${code === "too_much_memory" ? ` at ${job.memPerCoreMb} MB each` : ""}`;
  const k = job.exactNodes;
  if (k !== undefined && k > pool.nodes) return { code: "too_many_processors", why: `${k} nodes asked, the pool has ${pool.nodes}` };
  if (k !== undefined) return { code, why: `${what} need at least ${least} of its nodes, more than the ${k} asked` };
  return { code, why: `${what} need ${least} of its nodes, the pool has ${pool.nodes}` };
}

/** What a job takes of a pool: its cores (all its nodes' cores when it holds them whole) and the whole nodes it holds (0 when it shares). */
export interface PoolNeed {
  readonly cores: number;
  readonly wholeNodes: number;
}

/** The job's need in `pool` on `device`; `pstate` makes it hold whole nodes, as the worlds do. */
export function poolNeed(job: QueuedJobView, pool: PoolView, device: DeviceClass, pstate?: number): PoolNeed {
  if (holdsWholeNodes(job, pool) || pstate !== undefined) {
    const n = job.exactNodes ?? nodesNeeded(job, pool, device);
    return { cores: n * pool.coresPerNode, wholeNodes: n };
  }
  return { cores: job.cores, wholeNodes: 0 };
}

/** True when the job has a runtime model for `device` and the pool can hold it there. */
export function canRunOn(job: QueuedJobView, pool: PoolView, device: DeviceClass): boolean {
  return poolCanHold(job, pool, device) && expectedRuntime(job, pool, device) !== undefined;
}

/** The device a job runs on in a pool when a decision names none: CPUs if possible, else the first accelerator that fits. */
export function defaultDevice(job: QueuedJobView, pool: PoolView): DeviceClass | undefined {
  for (const d of poolDeviceClasses(pool)) if (canRunOn(job, pool, d)) return d;
  return undefined;
}

/** Cores the job takes of a pool on its default device (its whole nodes' cores when it holds them whole; poolNeed without allocating); Infinity where it cannot run. */
export function coresFor(job: QueuedJobView, pool: PoolView): number {
  // Plain CPU batch jobs (the common case) skip the device search.
  const device = job.runtimes === undefined ? (poolCanHold(job, pool, "cpu") ? "cpu" : undefined) : defaultDevice(job, pool);
  if (device === undefined) return Infinity;
  return holdsWholeNodes(job, pool) ? (job.exactNodes ?? nodesNeeded(job, pool, device)) * pool.coresPerNode : job.cores;
}

/**
 * Run time a policy prices on a pool's default device (pricedRuntime: the
 * expected run time cut at the wall time left; for plain batch jobs, the wall
 * time left); Infinity where the job cannot run.
 */
export function runtimeFor(job: QueuedJobView, pool: PoolView): number {
  if (job.runtimes === undefined) return job.timeLeft;
  const device = defaultDevice(job, pool);
  return device === undefined ? Infinity : (pricedRuntime(job, pool, device) ?? Infinity);
}

/**
 * Lower bounds over pools of coresFor and runtimeFor: what a world's queue
 * index (ClusterView.queueIndex) keeps of each queued job.
 */
export function leastNeeds(job: QueuedJobView, pools: readonly PoolView[]): { cores: number; seconds: number } {
  let cores = Infinity;
  let seconds = Infinity;
  for (const pool of pools) {
    cores = Math.min(cores, coresFor(job, pool));
    seconds = Math.min(seconds, runtimeFor(job, pool));
  }
  return { cores, seconds };
}

/**
 * What a placement holds and is charged, as the accountant charges it when the
 * job is alone on its nodes (co-tenants change only how a nonlinear curve's
 * dynamic power splits): its whole nodes at their draw, or its cores and
 * devices at their share (PoolView.shareWatts; cores fill nodes in blocks as
 * placement puts them).
 */
export interface PlacementCharge {
  /** Whole nodes it holds (0 when it shares nodes). */
  readonly wholeNodes: number;
  /** Node-equivalents of each embodied part it holds. */
  readonly node: number;
  readonly gpu: number;
  readonly fpga: number;
  /** Draw charged while it runs, and while it holds its allocation idle (inputs arriving), W. */
  readonly runWatts: number;
  readonly holdWatts: number;
}

/** Draw of `times` shared nodes with `cores` of the job's cores each kept busy `load` of the time (0 where the block is empty). */
function blockWatts(pool: PoolView, cores: number, times: number, load: number): number {
  return times <= 0 || cores <= 0 ? 0 : times * pool.shareWatts("cpu", cores, 0, load);
}

/** The charge of placing the job on `pool`/`device` (see PlacementCharge); `pstate` makes it hold whole nodes, as the worlds do. */
export function placementCharge(job: QueuedJobView, pool: PoolView, device: DeviceClass, pstate?: number): PlacementCharge {
  if (holdsWholeNodes(job, pool) || pstate !== undefined) {
    const n = job.exactNodes ?? nodesNeeded(job, pool, device);
    return { wholeNodes: n, node: n, gpu: n, fpga: n, runWatts: n * placementWatts(job, pool, device, n, pstate), holdWatts: n * pool.idleWatts };
  }
  const K = pool.coresPerNode;
  const devices = devicesRequested(job, device);
  // Cores per node as placement lays them out on empty nodes: full nodes then the rest, or blocks over an exact count;
  // two blocks of `cores` on each of `times` nodes (no closure: a planner prices every candidate with this).
  const load = cpuLoad(job);
  const c = job.cores;
  const k = job.exactNodes;
  const cores1 = k !== undefined ? Math.floor(c / k) + 1 : K;
  const times1 = k !== undefined ? c % k : Math.floor(c / K);
  const cores2 = k !== undefined ? Math.floor(c / k) : c % K;
  const times2 = k !== undefined ? k - (c % k) : 1;
  let run = 0;
  let hold = 0;
  run += blockWatts(pool, cores1, times1, load);
  hold += blockWatts(pool, cores1, times1, 0);
  run += blockWatts(pool, cores2, times2, load);
  hold += blockWatts(pool, cores2, times2, 0);
  if (devices > 0) {
    run += pool.shareWatts(device, 0, devices, 1);
    hold += pool.shareWatts(device, 0, devices, 0);
  }
  return {
    wholeNodes: 0,
    node: c / K,
    gpu: device === "gpu" ? devices / pool.gpusPerNode : 0,
    fpga: device === "fpga" ? devices / pool.fpgasPerNode : 0,
    runWatts: run,
    holdWatts: hold,
  };
}

/**
 * The embodied impacts per second a placement is charged (N_PHASES x N_COORDS),
 * into `out`. Given the placement's hold, [from, from + seconds] (a run
 * starting at `from`), the rate is averaged over it as the accountant charges
 * it: less where the hold passes the parts' lifetimes under the pool's
 * embodied rule (models/embodied.ts embodiedSeconds).
 */
export function placementEmbodied(pool: PoolView, charge: PlacementCharge, out: Float64Array, from?: number, seconds?: number): Float64Array {
  const clock = pool.embodiedClock;
  if (!clock || clock.rule === "linear" || from === undefined || seconds === undefined || !(seconds > 0)) return embodiedRate(pool, charge, out);
  const to = from + seconds;
  const dt = to - from;
  const node = embodiedSeconds(clock, 0, from, to, from);
  const gpu = embodiedSeconds(clock, 1, from, to, from);
  const fpga = embodiedSeconds(clock, 2, from, to, from);
  if (node === dt && gpu === dt && fpga === dt) return embodiedRate(pool, charge, out);
  return embodiedRate(pool, chargedParts(charge, dt, node, gpu, fpga, { node: 0, gpu: 0, fpga: 0 }), out);
}
