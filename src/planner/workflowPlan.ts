/**
 * A HEFT plan of a workflow over the nodes of the platform (Topcuoglu et al.
 * 2002, planner/heft.ts): resources are nodes; a task's execution time on a
 * node is its best runtime model on the node's pool (single-node placements);
 * communication is latency + bytes / bandwidth between sites. Used by the HEFT
 * policy when a workflow arrives and by estimateWorkflow before it is
 * submitted, so both plan one way.
 *
 * Impact-aware variant (impactWeight > 0): each placement minimises
 * finish / (earliest finish) + impactWeight * impact / (least impact), where
 * impact is the expected climate-change impact of running the task there (node
 * draw x PUE x forecast intensity, plus embodied impacts per node-second: the
 * accountant's arithmetic, models/charge.ts) plus
 * that of moving its inputs (energy per byte x forecast intensity at the
 * sending site), from forecasts only.
 */
import { N_COORDS, N_PHASES, categoryIndex } from "../core/index.js";
import type { DeviceClass } from "../io/index.js";
import { heftSchedule, type HeftCosts } from "./heft.js";
import { chargeForecastInto, phaseTotal, type ChargeEnergy } from "../models/index.js";
import { nodesNeeded, placementWatts, poolDeviceClasses, pricedRuntime } from "./resources.js";
import { missingBytes, transferTime } from "./transfers.js";
import { NodeState, type ClusterView, type QueuedJobView, type WorkflowView } from "./view.js";

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
  /** Running jobs free their nodes after this share of their remaining predicted time (default 1). */
  readonly othersRatio?: number;
  /** A task waits for its initial inputs to reach a remote site (default false: the HEFT policy pushes them as it goes). */
  readonly stageInputs?: boolean;
}

export interface WorkflowPlan {
  /** Per task: node id, site index and device class. */
  readonly node: Int32Array;
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
  /** Per node: when it is free of other work, s after now. */
  readonly nodeReady: Float64Array;
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
  // Per node: pool and site.
  const m = pools.reduce((a, p) => Math.max(a, p.firstNode + p.nodes), 0);
  const poolOf = new Int32Array(m);
  const siteOf = new Int32Array(m);
  for (const p of pools) for (let k = 0; k < p.nodes; k++) (poolOf[p.firstNode + k] = p.index), (siteOf[p.firstNode + k] = p.siteIndex);
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
    const state = view.nodeState(r);
    ready[r] = state === NodeState.Idle || state === NodeState.Busy ? 0 : UNAVAILABLE_S;
  }
  for (const job of view.running) for (const node of job.nodes) ready[node] = Math.max(0, job.start + ratio * (job.predictedEnd - job.start) - now);
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
    costs.cost = (i, r, start, finish, resourceOf) => {
      const pool = pools[poolOf[r]];
      const watts = placementWatts(taskJob(w, i), pool, device[i * P + pool.index], 1);
      const site = view.sites[pool.siteIndex];
      chargeForecastInto(price, energy, 1, watts, now + start, finish - start, site.pue, forecasts[site.index], pool.embodiedPerNodeSecond, integral, CC);
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
  return { node: result.resource, site, device: taskDevice, start: result.start, finish: result.finish, makespan: result.makespan, poolOfNode: poolOf, edgeBytes, nodeReady: ready };
}
