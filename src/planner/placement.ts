/**
 * Where a job's cores, devices and memory go on a pool's nodes: the one rule
 * both worlds apply when a start decision names no nodes, and check when it
 * does (planner/decisions.ts). It follows Slurm's select/cons_tres with its
 * default block distribution:
 *
 * - A job holds whole nodes when it asks (exclusive) or its pool is an
 *   exclusive partition: the lowest-id idle nodes, as many as its cores or
 *   devices need; every core, device and the memory of each is its own.
 * - Otherwise it shares: its cores go first to nodes already in use, then to
 *   idle ones (each in id order), on each as many as the node has free (and
 *   its memory per core allows), until all are placed. Filling used nodes first
 *   packs jobs, keeping idle nodes whole for jobs that need them and for
 *   switching off; a count of free cores and idle nodes per pool (what queue
 *   policies keep) then says exactly whether a job fits. A job asking for an
 *   exact node count (sbatch -N) spreads its cores over that many nodes in
 *   blocks (the first cores % nodes nodes one more), on the first nodes in the
 *   same order that can each hold their block. A job on GPUs or FPGAs takes
 *   devices node by node as they are free, with its cores in proportion
 *   (rounded up, the rest on the last node).
 * - A start that names nodes is placed on those, in the order given.
 *
 * On a machine of one-core nodes both give the lowest-id free nodes, one core
 * each: the schedules of whole-node allocation, unchanged.
 */
import type { DeviceClass } from "../io/index.js";
import { devicesRequested, holdsWholeNodes, nodesNeeded } from "./resources.js";
import { NodeState, type PoolView, type QueuedJobView } from "./view.js";

/** What placement reads of a world's nodes now. */
export interface NodeReader {
  nodeState(id: number): NodeState;
  nodeFreeCores(id: number): number;
  nodeFreeGpus(id: number): number;
  nodeFreeFpgas(id: number): number;
  nodeFreeMemoryMb(id: number): number;
  /**
   * Optional: the world's take of a node with these figures (frozen; it may
   * give the same object again, e.g. the node's last take when equal), so
   * that a start need not make one per node. Without it a fresh object is made.
   */
  take?(id: number, cores: number, gpus: number, fpgas: number, memMb: number): NodeTake;
  /** Optional: the first node in [from, to) whose state is Idle, or `to` (a world that indexes its idle nodes saves asking each). */
  nextIdle?(from: number, to: number): number;
}

/** What a job takes of one node. */
export interface NodeTake {
  readonly node: number;
  readonly cores: number;
  readonly gpus: number;
  readonly fpgas: number;
  readonly memMb: number;
}

/** Memory (MB) the job needs on a node where it takes `cores` cores. */
export function memoryOn(job: Pick<QueuedJobView, "memPerCoreMb" | "memPerNodeMb">, cores: number): number {
  return job.memPerNodeMb ?? (job.memPerCoreMb ?? 0) * cores;
}

/**
 * place()'s takes as it finds them, the first of them its own (kept from call
 * to call: takes pushed onto a new array made room for 17, and again for wide
 * jobs); it returns a copy of exactly those it found.
 */
const found: NodeTake[] = [];

/**
 * The job's placement in `pool` on `device`, on `candidates` (in that order;
 * default: the pool's nodes in id order); undefined when it does not fit now.
 * Whole-node jobs get entire idle nodes (cores, devices and memory all theirs).
 */
export function place(job: QueuedJobView, pool: PoolView, device: DeviceClass, nodes: NodeReader, candidates?: readonly number[]): NodeTake[] | undefined {
  // Candidates by index, without an array of the pool's ids (pools may hold millions of one-core nodes):
  // with none given, the pool's nodes twice, in use on the first sweep and idle on the second
  // (no closures: this runs at every start).
  const n = pool.nodes;
  const count = candidates ? candidates.length : 2 * n;
  const base = pool.firstNode;
  // One-core nodes are never partly used: the first sweep would find nothing.
  const first = candidates || pool.coresPerNode > 1 ? 0 : n;
  if (holdsWholeNodes(job, pool)) {
    const least = nodesNeeded(job, pool, device);
    const need = job.exactNodes ?? least;
    if (need < least) return undefined;
    let got = 0;
    const memMb = pool.memoryMb ?? 0;
    for (let k = candidates ? 0 : n; k < count && got < need; k++) {
      if (!candidates) k = idleFrom(nodes, k, n, base);
      if (k >= count) break;
      const id = candidates ? candidates[k] : base + (k < n ? k : k - n);
      if (candidates ? nodes.nodeState(id) === NodeState.Idle : onSweep(nodes, id, k, n)) found[got++] = takeOn(nodes, id, pool.coresPerNode, pool.gpusPerNode, pool.fpgasPerNode, memMb);
    }
    return got === need ? found.slice(0, got) : undefined;
  }
  const devices = device === "cpu" ? 0 : devicesRequested(job, device);
  if (job.exactNodes !== undefined) {
    const k = job.exactNodes;
    let got = 0;
    for (let j = first; j < count && got < k; j++) {
      if (!candidates) j = idleFrom(nodes, j, n, base);
      if (j >= count) break;
      const id = candidates ? candidates[j] : base + (j < n ? j : j - n);
      if (!candidates && !onSweep(nodes, id, j, n)) continue;
      const cores = Math.floor(job.cores / k) + (got < job.cores % k ? 1 : 0);
      const dev = Math.floor(devices / k) + (got < devices % k ? 1 : 0);
      if (cores > 0 && fitsOn(job, device, nodes, id, cores, dev)) found[got++] = takeOf(job, device, nodes, id, cores, dev);
    }
    return got === k ? found.slice(0, got) : undefined;
  }
  let got = 0;
  let cores = job.cores;
  let dev = devices;
  for (let k = first; k < count && (cores > 0 || dev > 0); k++) {
    if (!candidates) k = idleFrom(nodes, k, n, base);
    if (k >= count) break;
    const id = candidates ? candidates[k] : base + (k < n ? k : k - n);
    if (!candidates && !onSweep(nodes, id, k, n)) continue;
    const free = nodes.nodeFreeCores(id);
    if (free === 0) continue;
    let c: number;
    let d = 0;
    if (devices > 0) {
      d = Math.min(freeDevices(device, nodes, id), dev);
      if (d === 0) continue;
      // Cores follow the devices: the job's cores per device, rounded up, the last node taking what is left.
      c = d === dev ? cores : Math.min(cores, Math.ceil((d * job.cores) / devices));
      while (d > 0 && !fitsOn(job, device, nodes, id, c, d)) {
        d--;
        c = d === dev ? cores : Math.min(cores, Math.ceil((d * job.cores) / devices));
      }
      if (d === 0) continue;
    } else {
      c = Math.min(free, cores);
      // The node's memory is read only for a job that asks for memory.
      const perCore = job.memPerNodeMb === undefined ? (job.memPerCoreMb ?? 0) : 0;
      if (perCore > 0) c = Math.min(c, Math.floor(nodes.nodeFreeMemoryMb(id) / perCore));
      else if (job.memPerNodeMb !== undefined && job.memPerNodeMb > nodes.nodeFreeMemoryMb(id)) c = 0;
      if (c === 0) continue;
    }
    found[got++] = takeOf(job, device, nodes, id, c, d);
    cores -= c;
    dev -= d;
  }
  return cores === 0 && dev === 0 ? found.slice(0, got) : undefined;
}

/**
 * On the sweep over idle nodes (k >= n of the pool's 2n sweep indices), the
 * index of the next idle node from k (2n when none is left), found by the
 * world's index where it has one; elsewhere k itself.
 */
function idleFrom(nodes: NodeReader, k: number, n: number, base: number): number {
  return k < n || !nodes.nextIdle ? k : n + nodes.nextIdle(base + k - n, base + n) - base;
}

/**
 * True when node `id` at sweep index `k` (of the pool's 2n) is one its sweep
 * places on: in use on the first sweep, idle on the second (known idle
 * without asking where the world's index found it: idleFrom).
 */
function onSweep(nodes: NodeReader, id: number, k: number, n: number): boolean {
  if (k >= n && nodes.nextIdle) return true;
  return (nodes.nodeState(id) === NodeState.Idle) === k >= n;
}

/** Free devices of the job's class on a node (0 for CPU jobs). */
function freeDevices(device: DeviceClass, nodes: NodeReader, id: number): number {
  return device === "gpu" ? nodes.nodeFreeGpus(id) : device === "fpga" ? nodes.nodeFreeFpgas(id) : 0;
}

/** What the job takes of node `id`: `cores` cores and `dev` devices of its class, with their memory. */
function takeOf(job: QueuedJobView, device: DeviceClass, nodes: NodeReader, id: number, cores: number, dev: number): NodeTake {
  return takeOn(nodes, id, cores, device === "gpu" ? dev : 0, device === "fpga" ? dev : 0, memoryOn(job, cores));
}

/** A take with these figures: the world's (NodeReader.take) where it gives them. */
function takeOn(nodes: NodeReader, id: number, cores: number, gpus: number, fpgas: number, memMb: number): NodeTake {
  return nodes.take ? nodes.take(id, cores, gpus, fpgas, memMb) : { node: id, cores, gpus, fpgas, memMb };
}

/** True when node `id` has `cores` cores, `dev` devices and their memory free. */
function fitsOn(job: QueuedJobView, device: DeviceClass, nodes: NodeReader, id: number, cores: number, dev: number): boolean {
  return cores <= nodes.nodeFreeCores(id) && dev <= freeDevices(device, nodes, id) && memoryOn(job, cores) <= nodes.nodeFreeMemoryMb(id);
}
