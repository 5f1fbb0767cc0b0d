/**
 * HEFT for workflows (Topcuoglu et al. 2002) over the nodes of every site,
 * with CPU/GPU/FPGA runtime models and inter-site transfers, and an
 * impact-aware variant. When a workflow arrives its tasks are planned with
 * heftSchedule (resources = nodes; execution time = the task's best runtime
 * model on the node's pool; communication = latency + bytes / bandwidth between
 * sites). As tasks become ready they start on their planned node (or another
 * idle node of the same pool), and outputs are pushed ahead to the sites of
 * the children that need them. Batch jobs get the nodes left over, under EASY.
 *
 * Impact-aware variant (impact_weight > 0): each placement minimises
 * finish / (earliest finish) + impact_weight * impact / (least impact), where
 * impact is the expected climate-change impact of running the task there (node
 * draw x PUE x forecast intensity, plus embodied impacts per node-second) plus
 * that of moving its inputs (energy per byte x forecast intensity at the
 * sending site), from forecasts only.
 */
import { N_COORDS, PHASE_INDEX, categoryIndex } from "../../core/categories.js";
import type { DeviceClass } from "../../io/spec.js";
import { heftSchedule, type HeftCosts } from "../heft.js";
import { devicesRequested, expectedRuntime, nodesNeeded, poolDeviceClasses } from "../resources.js";
import { NodeState, type ClusterView, type Decision, type Policy, type QueuedJobView, type WorkflowView, type WorldEvent } from "../view.js";
import { policyEasyBackfill } from "./easy.js";
import { restrictView } from "./restrict.js";

const CC = categoryIndex("CC");
/** A node that is off or switching is planned as available only this far ahead, s (it is not woken by this policy). */
const UNAVAILABLE_S = 1e7;

export interface HeftParams {
  /** Weight of the expected climate-change impact against finish time (0: plain HEFT). */
  readonly impact_weight?: number;
  /** Insertion-based slot search (default true). */
  readonly insertion?: boolean;
}

interface Plan {
  readonly node: Int32Array;
  readonly site: Int32Array;
  readonly device: DeviceClass[];
  readonly start: Float64Array;
  /** Pool index of every node id. */
  readonly poolOfNode: Int32Array;
  /** Transfers already asked for: file * sites + site. */
  readonly pushed: Set<number>;
}

interface Pending {
  readonly workflow: number;
  readonly task: number;
  readonly key: number;
  readonly id: number;
}

/** WorkflowView.taskState of a task waiting in the queue. */
const TASK_READY = 1;

/** A task as the resource rules see a queued job. */
function taskJob(w: WorkflowView, i: number): QueuedJobView {
  const t = w.spec.tasks[i];
  return { id: w.firstJobId + i, submit: w.submit, cores: t.cores, walltime: Infinity, user: -1, project: w.project, runtimes: w.taskRuntimes[i], workflow: w.index, task: i };
}

export function policyHeft(params: HeftParams = {}): Policy {
  const impactWeight = params.impact_weight ?? 0;
  if (!(impactWeight >= 0)) throw new RangeError(`policyHeft: expected impact_weight >= 0, got ${impactWeight}`);
  const insertion = params.insertion ?? true;
  const plans = new Map<number, Plan>();
  const batch = policyEasyBackfill();
  /** Ready planned tasks, sorted by planned start then job id (kept across passes). */
  const pending: Pending[] = [];

  function insertPending(e: Pending): void {
    let lo = 0;
    let hi = pending.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = pending[mid];
      if (m.key < e.key || (m.key === e.key && m.id < e.id)) lo = mid + 1;
      else hi = mid;
    }
    pending.splice(lo, 0, e);
  }

  function plan(view: ClusterView, w: WorkflowView): Plan {
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
        for (const d of poolDeviceClasses(pool)) {
          if (nodesNeeded(job, pool, d) !== 1) continue;
          const rt = expectedRuntime(job, pool, d);
          if (rt !== undefined && rt < exec[i * P + pool.index]) {
            exec[i * P + pool.index] = rt;
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
      ready[r] = state === NodeState.Idle ? 0 : state === NodeState.Busy ? 0 : UNAVAILABLE_S;
    }
    for (const job of view.running) for (const node of job.nodes) ready[node] = Math.max(0, job.predictedEnd - now);
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
    if (impactWeight > 0) {
      const forecasts = view.sites.map((s) => view.forecast(s.id));
      const embodiedCc = pools.map((p) => {
        let x = 0;
        for (const ph of [PHASE_INDEX.fabrication, PHASE_INDEX.transport, PHASE_INDEX.endOfLife]) x += p.embodiedPerNodeSecond[ph * N_COORDS + CC];
        return x;
      });
      costs.cost = (i, r, start, finish, resourceOf) => {
        const pool = pools[poolOf[r]];
        const d = device[i * P + pool.index];
        const job = taskJob(w, i);
        const watts = pool.busyWatts(d, Math.min(1, job.cores / pool.coresPerNode), devicesRequested(job, d));
        const site = view.sites[pool.siteIndex];
        const duration = finish - start;
        let cc = watts * duration * site.pue * forecasts[site.index].mean(now + start, now + finish, CC) + embodiedCc[pool.index] * duration;
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
    const result = heftSchedule(dag, costs, { insertion, costWeight: impactWeight });
    const out: Plan = { node: result.resource, site: new Int32Array(n), device: new Array(n), start: result.start, poolOfNode: poolOf, pushed: new Set() };
    for (let i = 0; i < n; i++) {
      out.site[i] = siteOf[result.resource[i]];
      out.device[i] = device[i * P + poolOf[result.resource[i]]];
    }
    return out;
  }

  /** Pushes a finished task's outputs to the planned sites of its children. */
  function push(view: ClusterView, w: WorkflowView, p: Plan, task: number, out: Decision[]): void {
    const S = view.sites.length;
    const t = w.spec.tasks[task];
    const outs = new Set(t.outputs);
    for (const c of t.children) {
      const to = p.site[c];
      for (const f of w.spec.tasks[c].inputs) {
        if (!outs.has(f) || (w.fileSites[f] & (1 << to)) !== 0 || p.pushed.has(f * S + to)) continue;
        p.pushed.add(f * S + to);
        out.push({ kind: "transfer", workflow: w.index, file: f, to });
      }
    }
  }

  return {
    name: "heft",
    version: "1",
    params: { impact_weight: impactWeight, insertion },
    decide(view: ClusterView, happened: readonly WorldEvent[]): readonly Decision[] {
      const out: Decision[] = [];
      for (const e of happened) {
        if (e.kind === "workflowSubmitted") plans.set(e.workflow, plan(view, view.workflows[e.workflow]));
        else if (e.kind === "jobSubmitted") {
          for (const [wi, p] of plans) {
            const task = e.jobId - view.workflows[wi].firstJobId;
            if (task >= 0 && task < p.node.length) {
              insertPending({ workflow: wi, task, key: p.start[task], id: e.jobId });
              break;
            }
          }
        }
        else if (e.kind === "jobEnded" || e.kind === "jobKilled") {
          for (const [wi, p] of plans) {
            const w = view.workflows[wi];
            const task = e.jobId - w.firstJobId;
            if (task >= 0 && task < w.spec.tasks.length) {
              push(view, w, p, task, out);
              break;
            }
          }
        }
      }
      const taken = new Array<number>(view.pools.length).fill(0);
      let free = 0;
      for (const p of view.pools) free += p.freeNodes;
      if (free > 0) {
        const used = new Set<number>();
        let keep = 0;
        for (let k = 0; k < pending.length; k++) {
          const entry = pending[k];
          const w = view.workflows[entry.workflow];
          // Tasks no longer waiting (started, or started by someone else) leave the list.
          if (w.taskState[entry.task] !== TASK_READY) continue;
          pending[keep++] = entry;
          if (free === 0) continue;
          const p = plans.get(entry.workflow)!;
          const planned = p.node[entry.task];
          const pool = view.pools[p.poolOfNode[planned]];
          if (pool.freeNodes - taken[pool.index] === 0) continue;
          let node = -1;
          if (view.nodeState(planned) === NodeState.Idle && !used.has(planned)) node = planned;
          else {
            for (let n = pool.firstNode; n < pool.firstNode + pool.nodes && node < 0; n++) if (view.nodeState(n) === NodeState.Idle && !used.has(n)) node = n;
          }
          if (node < 0) continue;
          used.add(node);
          taken[pool.index]++;
          free--;
          out.push({ kind: "start", jobId: w.firstJobId + entry.task, pool: pool.index, nodes: [node], device: p.device[entry.task] });
        }
        pending.length = keep;
      }
      if (view.queue.some((j) => j.workflow === undefined)) out.push(...batch.decide(restrictView(view, taken, (j) => j.workflow === undefined), happened));
      return out;
    },
  };
}
