/**
 * A HEFT plan of a workflow over the nodes of the platform (Topcuoglu et al.
 * 2002, planner/heft.ts): resources are slots of nodes. Tasks share nodes, so a
 * node holds as many slots as it has room for the workflow's widest task (its
 * cores, and the GPUs or FPGAs of the widest task on them there; one slot on an
 * exclusive partition, where each task holds a node).
 * A task's execution time on a slot is its best runtime model on the node's
 * pool (single-node placements); communication is latency + bytes / bandwidth
 * between sites. Used by the HEFT policy when a workflow arrives and by
 * estimateWorkflow before it is submitted, so both plan one way.
 *
 * Impact-aware variant (impactWeight > 0): each placement minimises
 * finish / (earliest finish) + impactWeight * impact / (least impact), where
 * impact is the expected climate-change impact of running the task there (the
 * draw charged to it x PUE x forecast intensity, plus embodied impacts of what
 * it holds: resources.placementCharge and the accountant's arithmetic,
 * models/charge.ts) plus
 * that of moving its inputs (energy per byte x forecast intensity at the
 * sending site), from forecasts only.
 */
import { N_COORDS, N_PHASES, categoryIndex } from "../core/index.js";
import type { DeviceClass } from "../io/index.js";
import { heftSchedule, type HeftCosts } from "./heft.js";
import { chargeForecastInto, phaseTotal, type ChargeEnergy } from "../models/index.js";
import { devicesRequested, nodesNeeded, placementCharge, placementEmbodied, poolDeviceClasses, pricedRuntime } from "./resources.js";
import { missingBytes, transferTime } from "./transfers.js";
import { NodeState, type ClusterView, type PoolView, type QueuedJobView, type WorkflowView } from "./view.js";

const CC = categoryIndex("CC");
/** A node that is off or switching is planned as available only this far ahead, s (the plan does not wake nodes). */
const UNAVAILABLE_S = 1e7;

export interface WorkflowPlanOptions {
  /** Weight of the expected climate-change impact against finish time (default 0: plain HEFT). */
  readonly impactWeight?: number;
  /** Insertion-based slot search (default true). */
  readonly insertion?: boolean;
  /** Only the pools at these site indices (default: every site). */
  readonly sites?: readonly number[];
  /** Every task's run time times this (default 1), for the ends of an estimate's range. */
  readonly runtimeScale?: number;
  /** Running jobs free their cores after this share of their remaining predicted time (default 1). */
  readonly othersRatio?: number;
  /** A task waits for its initial inputs to reach a remote site (default false: the HEFT policy pushes them as it goes). */
  readonly stageInputs?: boolean;
}

export interface WorkflowPlan {
  /** Per task: node id, slot (the plan's resource), site index and device class. */
  readonly node: Int32Array;
  readonly slot: Int32Array;
  readonly site: Int32Array;
  readonly device: DeviceClass[];
  /** Per task: start and finish, s after now. */
  readonly start: Float64Array;
  readonly finish: Float64Array;
  readonly makespan: number;
  /** Pool index of every node id. */
  readonly poolOfNode: Int32Array;
  /** Bytes on the edge parent -> child (key parent * n + child). */
  readonly edgeBytes: ReadonlyMap<number, number>;
  /** Per slot: its node, and when it is free of other work, s after now. */
  readonly nodeOfSlot: Int32Array;
  readonly slotReady: Float64Array;
}

/** A task as the resource rules see a queued job. */
export function taskJob(w: WorkflowView, i: number): QueuedJobView {
  const t = w.spec.tasks[i];
  return { id: w.firstJobId + i, submit: w.submit, cores: t.cores, walltime: Infinity, timeLeft: Infinity, ranSeconds: 0, user: -1, project: w.project, runtimes: w.taskRuntimes[i], workflow: w.index, task: i };
}

/**
 * Plans every task of the workflow from now.
 * @throws RangeError as heftSchedule when a task can run nowhere (among the allowed sites)
 */
export function planWorkflow(view: ClusterView, w: WorkflowView, options: WorkflowPlanOptions = {}): WorkflowPlan {
  const impactWeight = options.impactWeight ?? 0;
  const scale = options.runtimeScale ?? 1;
  const ratio = options.othersRatio ?? 1;
  const allowed = options.sites ? new Set(options.sites) : undefined;
  const pools = view.pools;
  const P = pools.length;
  const n = w.spec.tasks.length;
  const S = view.sites.length;
  // Best runtime (and device) of each task on each pool, single-node placements only.
  const exec = new Float64Array(n * P).fill(Infinity);
  const device: DeviceClass[] = new Array(n * P);
  for (let i = 0; i < n; i++) {
    const job = taskJob(w, i);
    for (const pool of pools) {
      if (allowed && !allowed.has(pool.siteIndex)) continue;
      for (const d of poolDeviceClasses(pool)) {
        if (nodesNeeded(job, pool, d) !== 1) continue;
        const rt = pricedRuntime(job, pool, d);
        if (rt !== undefined && rt * scale < exec[i * P + pool.index]) {
          exec[i * P + pool.index] = rt * scale;
          device[i * P + pool.index] = d;
        }
      }
    }
  }
  // Slots: per node, room for the widest task's cores, and for the most GPUs or FPGAs a task takes
  // there (one slot on an exclusive partition); per slot its node, pool and site.
  let widest = 1;
  for (const t of w.spec.tasks) widest = Math.max(widest, t.cores);
  const widestGpus = new Int32Array(P);
  const widestFpgas = new Int32Array(P);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < P; p++) {
      const d = device[i * P + p];
      if (d === "gpu") widestGpus[p] = Math.max(widestGpus[p], devicesRequested(taskJob(w, i), d));
      else if (d === "fpga") widestFpgas[p] = Math.max(widestFpgas[p], devicesRequested(taskJob(w, i), d));
    }
  }
  const slotsPerNode = (p: PoolView) => {
    if (p.exclusive) return 1;
    let k = Math.floor(p.coresPerNode / Math.min(widest, p.coresPerNode));
    if (widestGpus[p.index] > 0) k = Math.min(k, Math.floor(p.gpusPerNode / widestGpus[p.index]));
    if (widestFpgas[p.index] > 0) k = Math.min(k, Math.floor(p.fpgasPerNode / widestFpgas[p.index]));
    return Math.max(1, k);
  };
  const M = pools.reduce((a, p) => Math.max(a, p.firstNode + p.nodes), 0);
  const poolOfNode = new Int32Array(M);
  const firstSlot = new Int32Array(M);
  let m = 0;
  for (const p of pools) m += p.nodes * slotsPerNode(p);
  const poolOf = new Int32Array(m);
  const siteOf = new Int32Array(m);
  const nodeOfSlot = new Int32Array(m);
  let r0 = 0;
  for (const p of pools) {
    const k = slotsPerNode(p);
    for (let j = 0; j < p.nodes; j++) {
      const id = p.firstNode + j;
      poolOfNode[id] = p.index;
      firstSlot[id] = r0;
      for (let q = 0; q < k; q++, r0++) (poolOf[r0] = p.index), (siteOf[r0] = p.siteIndex), (nodeOfSlot[r0] = id);
    }
  }
  // Bytes on each edge: files the parent writes and the child reads.
  const edgeBytes = new Map<number, number>();
  for (const t of w.spec.tasks) {
    const outs = new Set(t.outputs);
    for (const c of t.children) {
      let bytes = 0;
      for (const f of w.spec.tasks[c].inputs) if (outs.has(f)) bytes += w.spec.files[f].bytes;
      edgeBytes.set(t.index * n + c, bytes);
    }
  }
  const link = new Int32Array(S * S).fill(-1);
  view.links.forEach((l, k) => (link[l.from * S + l.to] = k));
  // Mean transfer time of b bytes over node pairs (pairs on one site cost 0; unlinked pairs left out).
  const nodesAt = new Float64Array(S);
  for (const p of pools) nodesAt[p.siteIndex] += p.nodes;
  let pairs = 0;
  let latency = 0;
  let inverseBandwidth = 0;
  for (let a = 0; a < S; a++) {
    for (let b = 0; b < S; b++) {
      const weight = nodesAt[a] * nodesAt[b];
      if (a === b) pairs += weight;
      else if (link[a * S + b] >= 0) {
        const l = view.links[link[a * S + b]];
        pairs += weight;
        latency += weight * l.latency;
        inverseBandwidth += weight / l.bandwidth;
      }
    }
  }
  const now = view.now;
  const ready = new Float64Array(m);
  for (let r = 0; r < m; r++) {
    const state = view.nodeState(nodeOfSlot[r]);
    ready[r] = state === NodeState.Idle || state === NodeState.Busy ? 0 : UNAVAILABLE_S;
  }
  // Running jobs hold the slots their cores fill on each node (all of them when they hold it whole) until they end.
  const used = new Int32Array(M);
  for (const job of view.running) {
    const end = Math.max(0, job.start + ratio * (job.predictedEnd - job.start) - now);
    const pool = pools[job.pool];
    const k = slotsPerNode(pool);
    for (const a of job.allocation) {
      const share = (held: number, of: number) => (of > 0 ? Math.ceil((held * k) / of - 1e-9) : 0);
      const take = job.holdsWholeNodes ? k : Math.max(share(a.cores, pool.coresPerNode), share(a.gpus, pool.gpusPerNode), share(a.fpgas, pool.fpgasPerNode));
      for (let q = 0; q < take && used[a.node] < k; q++) ready[firstSlot[a.node] + used[a.node]++] = end;
    }
  }
  const costs: HeftCosts = {
    m,
    exec: (i, r) => exec[i * P + poolOf[r]],
    comm(p, c, a, b) {
      const sa = siteOf[a];
      const sb = siteOf[b];
      if (sa === sb) return 0;
      const k = link[sa * S + sb];
      if (k < 0) return Infinity;
      const l = view.links[k];
      return l.latency + (edgeBytes.get(p * n + c) ?? 0) / l.bandwidth;
    },
    meanComm: (p, c) => (pairs > 0 ? (latency + (edgeBytes.get(p * n + c) ?? 0) * inverseBandwidth) / pairs : 0),
    ready: (r) => ready[r],
  };
  if (options.stageInputs) {
    // Per task and site: time for its inputs present now (initial files) to reach the site.
    const release = new Float64Array(n * S);
    for (let i = 0; i < n; i++) {
      for (let s = 0; s < S; s++) {
        const bytes = missingBytes(view, w, i, s);
        release[i * S + s] = bytes === undefined ? Infinity : transferTime(view, bytes);
      }
    }
    costs.release = (i, r) => release[i * S + siteOf[r]];
  }
  if (impactWeight > 0) {
    const forecasts = view.sites.map((s) => view.forecast(s.id));
    // Scratch for the task's price (models/charge), climate change alone.
    const price = new Float64Array(N_PHASES * N_COORDS);
    const energy: ChargeEnergy = { it: 0, facility: 0 };
    const integral = new Float64Array(N_COORDS);
    const rate = new Float64Array(N_PHASES * N_COORDS);
    costs.cost = (i, r, start, finish, resourceOf) => {
      const pool = pools[poolOf[r]];
      const charge = placementCharge(taskJob(w, i), pool, device[i * P + pool.index]);
      const site = view.sites[pool.siteIndex];
      chargeForecastInto(price, energy, 1, charge.runWatts, now + start, finish - start, site.pue, forecasts[site.index], placementEmbodied(pool, charge, rate, now + start, finish - start), integral, CC);
      let cc = phaseTotal(price, CC);
      for (const p of w.spec.tasks[i].parents) {
        const sa = siteOf[resourceOf[p]];
        if (sa === site.index) continue;
        const k = link[sa * S + site.index];
        if (k < 0) continue;
        const l = view.links[k];
        const jpb = l.joulesPerByte.source + l.joulesPerByte.destination + l.joulesPerByte.network;
        cc += (edgeBytes.get(p * n + i) ?? 0) * jpb * forecasts[sa].at(now + start, CC);
      }
      return cc;
    };
  }
  const dag = { n, parents: w.spec.tasks.map((t) => t.parents), children: w.spec.tasks.map((t) => t.children) };
  const result = heftSchedule(dag, costs, { insertion: options.insertion ?? true, costWeight: impactWeight });
  const site = new Int32Array(n);
  const taskDevice: DeviceClass[] = new Array(n);
  for (let i = 0; i < n; i++) {
    site[i] = siteOf[result.resource[i]];
    taskDevice[i] = device[i * P + poolOf[result.resource[i]]];
  }
  const node = Int32Array.from(result.resource, (r) => nodeOfSlot[r]);
  return { node, slot: result.resource, site, device: taskDevice, start: result.start, finish: result.finish, makespan: result.makespan, poolOfNode, edgeBytes, nodeOfSlot, slotReady: ready };
}
